"""Request dependencies: sessions, the signed-in actor, declared permissions, CSRF.

The composition root puts ``sessions`` (platform.db.Sessions) and ``load_actor`` (token →
(Actor, csrf) or None) on ``app.state``; the web layer knows no domain.
"""

from __future__ import annotations

import hmac
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Annotated

import anyio
from fastapi import Depends, Request
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from marketreg.kernel.errors import NotFound, PermissionDenied
from marketreg.platform.authz import PUBLIC, Actor
from marketreg.platform.context import new_request_id
from marketreg.platform.db import MAX_ID
from marketreg.web.errors import EnterpriseLoginRequired, LoginRequired, Overloaded

SESSION_COOKIE = "mr_session"
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def ids_in_range(request: Request) -> None:
    """App-wide dependency: an integer path parameter outside 1..MAX_ID names no record (404).

    Without it an id beyond the database's integer range reaches the driver and fails there
    (SQLite: OverflowError; PostgreSQL: integer out of range): a 500 instead of a 404. Kept in
    one place so that every route, present and future, is covered.
    """
    route = request.scope.get("route")
    dependant = getattr(route, "dependant", None)
    for field in dependant.path_params if dependant else ():
        if field.field_info.annotation is not int:
            continue
        raw = str(request.path_params.get(field.alias, ""))
        if raw.isascii() and raw.isdigit() and not 1 <= int(raw) <= MAX_ID:
            raise NotFound("auth.not_found", "记录不存在或不在您的管辖范围内")  # as get_in_scope answers


def get_read_session(request: Request) -> Iterator[Session]:
    """A read-only unit of work (no commit)."""
    with request.app.state.sessions.read() as session:
        yield session


class WriteGate:
    """Admission of write requests: at most ``slots`` inside the application at once.

    A request that cannot get in within ``wait`` seconds answers 503 with ``Retry-After``
    before it has opened a transaction or taken any lock. Waiting happens on the event loop,
    so queued writes hold no worker thread and no database connection, and SQLite's single
    writer is never contended by more threads than its busy timeout can serve.
    """

    def __init__(self, *, slots: int, wait: float, retry_after: int):
        self.slots, self.wait, self.retry_after = slots, wait, retry_after
        self._semaphore: anyio.Semaphore | None = None

    @asynccontextmanager
    async def admit(self) -> AsyncIterator[None]:
        if self._semaphore is None:
            self._semaphore = anyio.Semaphore(self.slots)
        admitted = False
        with anyio.move_on_after(self.wait):
            await self._semaphore.acquire()
            admitted = True
        if not admitted:
            raise Overloaded(self.retry_after)
        try:
            yield
        finally:
            self._semaphore.release()


async def admit_write(request: Request) -> AsyncIterator[None]:
    """Hold a write slot for the length of the request's transaction."""
    async with request.app.state.write_gate.admit():
        yield


def get_write_session(request: Request,
                      _slot: Annotated[None, Depends(admit_write, scope="function")]) -> Iterator[Session]:
    """One transaction per request: commit if the endpoint returns, roll back if it raises.

    By the time this runs the whole request body has arrived (``web.body.BodyFirst``) and a
    write slot is held, so the transaction never waits on the network or on a queue."""
    new_request_id()
    with request.app.state.sessions.write() as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


async def posted_form(request: Request) -> FormData:
    """The posted form, parsed on the event loop (its body has already arrived whole) so that
    routes stay plain ``def`` and run their database work in the thread pool."""
    return await request.form()


async def posted_json(request: Request) -> object:
    """The posted JSON document (None when it is not JSON), for routes that validate it only
    after a jurisdiction check."""
    try:
        return await request.json()
    except ValueError:
        return None


PostedForm = Annotated[FormData, Depends(posted_form)]
PostedJson = Annotated[object, Depends(posted_json)]
ReadSession = Annotated[Session, Depends(get_read_session)]
# scope="function": commit *before* the response is sent. With FastAPI's default ("request") the
# code after ``yield`` runs after the response has gone out, so a client could be told 201 / be
# redirected and read before the commit — or be told 201 for a write whose commit then fails.
WriteSession = Annotated[Session, Depends(get_write_session, scope="function")]


def _signed_in(request: Request) -> tuple[Actor, str] | None:
    cached = getattr(request.state, "signed_in", False)
    if cached is not False:
        return cached
    token = request.cookies.get(SESSION_COOKIE)
    result = None
    if token:
        with request.app.state.sessions.read() as session:
            result = request.app.state.load_actor(session, token)
    request.state.signed_in = result
    return result


def optional_actor(request: Request) -> Actor | None:
    found = _signed_in(request)
    return found[0] if found else None


def csrf_token(request: Request) -> str:
    found = _signed_in(request)
    return found[1] if found else ""


async def _check_csrf(request: Request, expected: str) -> None:
    sent = request.headers.get("x-csrf-token")
    if sent is None and "form" in request.headers.get("content-type", ""):
        sent = (await request.form()).get("csrf_token")
    if not sent or not hmac.compare_digest(str(sent), expected):
        raise PermissionDenied("auth.csrf", "页面已过期或请求来源无效，请刷新页面后重试")


class RequirePermission:
    """Route dependency: signed-in staff with ``permission``; CSRF on unsafe methods.

    Every staff route declares one; a test walks the app's routes and fails on any staff
    route without it.
    """

    def __init__(self, permission: str):
        self.permission = permission

    async def __call__(self, request: Request) -> Actor:
        found = _signed_in(request)
        if found is None:
            raise LoginRequired
        actor, expected_csrf = found
        if request.method in UNSAFE_METHODS:
            await _check_csrf(request, expected_csrf)
        if actor.kind != "staff":
            raise PermissionDenied("auth.staff_only", "仅限工作人员访问")
        actor.require(self.permission)
        return actor


def require(permission: str) -> RequirePermission:
    return RequirePermission(permission)


def staff(permission: str):
    """``Annotated`` alias: ``actor: staff("registry.view")``."""
    return Annotated[Actor, Depends(RequirePermission(permission))]


class RequireEnterprise:
    """Route dependency of the public portal's enterprise pages: a signed-in enterprise user
    (``User(kind="enterprise", entity_uscc=...)``); CSRF on unsafe methods. Redirects to the
    enterprise sign-in page when nobody is signed in."""

    async def __call__(self, request: Request) -> Actor:
        found = _signed_in(request)
        if found is None:
            raise EnterpriseLoginRequired
        actor, expected_csrf = found
        if request.method in UNSAFE_METHODS:
            await _check_csrf(request, expected_csrf)
        if actor.kind != "enterprise" or not actor.entity_uscc:
            raise PermissionDenied("auth.enterprise_only", "仅限企业用户访问")
        return actor


EnterpriseActor = Annotated[Actor, Depends(RequireEnterprise())]


def public_actor() -> Actor:
    return PUBLIC


PublicActor = Annotated[Actor, Depends(public_actor)]
