"""Sign-in and sign-out: staff (/staff/login) and enterprise users of the public portal
(/enterprise/login, for ODR replies)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from marketreg.domains.org import actions
from marketreg.domains.org import service as org
from marketreg.domains.org.enums import UserKind
from marketreg.kernel.errors import DomainError
from marketreg.platform.context import new_request_id
from marketreg.platform.security import hash_password, needs_rehash
from marketreg.platform.settings import get_settings
from marketreg.web.deps import SESSION_COOKIE, EnterpriseActor, WriteSession, optional_actor
from marketreg.web.pages import render
from marketreg.web.ratelimit import client_address, login_throttle
from marketreg.web.templating import register_templates

register_templates(Path(__file__).parent / "templates")
# Routes here are deliberately open (a person must be able to sign in); the permission
# coverage test lists them as the only staff routes without a declared permission.
auth_pages = APIRouter()
enterprise_auth_pages = APIRouter(prefix="/enterprise")
OPEN_ROUTES = {"/staff/login", "/staff/logout"}


def _safe_next(target: str) -> str:
    return target if target.startswith("/staff") and not target.startswith("//") else "/staff/"


def _cookie(response: Response, token: str) -> Response:
    settings = get_settings()
    response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="lax", path="/",
                        max_age=settings.session_max_age_seconds, secure=settings.environment == "production")
    return response


def _login_form(request: Request, *, kind: str, target: str, template: str) -> Response:
    """The sign-in form; someone already signed in as this kind goes straight on to ``target``."""
    actor = optional_actor(request)
    if actor is not None and actor.kind == kind:
        return RedirectResponse(target, status_code=303)
    return render(request, template, {"next": target, "error": None})


def _sign_out(request: Request, session, *, to: str) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        actions.do_close_session(session, token=token)
    response = RedirectResponse(to, status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@auth_pages.get("/login")
def login_page(request: Request, next: str = "/staff/") -> Response:
    return _login_form(request, kind=UserKind.staff, target=_safe_next(next), template="org/login.html")


def _refused(request: Request, template: str, *, target: str, username: str, error: DomainError,
             retry_after: int = 0) -> Response:
    response = render(request, template, {"next": target, "error": error.message_zh, "code": error.code,
                                          "username": username}, status_code=error.status)
    if retry_after:
        response.headers["Retry-After"] = str(retry_after)
    return response


def _sign_in(request: Request, *, kind: str, username: str, password: str, target: str, template: str) -> Response:
    """Check the password, then record the outcome in a short transaction of its own.

    The hash is read and verified before any write transaction opens (hashing takes tens of
    milliseconds, and on SQLite an open write transaction stops every writer). Unknown names,
    wrong passwords and users of the other kind get the same answer; a throttled name or
    address gets a delay (429 with Retry-After) whether or not the name exists.
    """
    address, name = client_address(request), username.strip()
    if wait := login_throttle.attempt(address, name):
        return _refused(request, template, target=target, username=username, retry_after=wait,
                        error=DomainError("auth.throttled", f"登录尝试过于频繁，请{wait}秒后再试", status=429))
    sessions = request.app.state.sessions
    with sessions.read() as session:
        found = org.credentials(session, username=name)
    right = actions.check_password(found, password)
    accepted = right and found.kind == kind and (kind != UserKind.enterprise or bool(found.entity_uscc))
    new_hash = hash_password(password) if accepted and needs_rehash(found.password_hash) else None
    new_request_id()
    with sessions.transaction() as session:
        if accepted:
            user = actions.do_record_sign_in(session, user_id=found.user_id, new_hash=new_hash)
            token, _ = actions.do_open_session(session, user=user)
        elif found is not None and not right:
            actions.do_record_failed_sign_in(session, user_id=found.user_id)
    if not accepted:
        return _refused(request, template, target=target, username=username,
                        error=DomainError("auth.bad_credentials", "用户名或密码错误", status=401))
    login_throttle.succeeded(address, name)
    return _cookie(RedirectResponse(target, status_code=303), token)


@auth_pages.post("/login")
def login(request: Request, username: Annotated[str, Form(max_length=40)],
          password: Annotated[str, Form(max_length=200)], next: Annotated[str, Form()] = "/staff/") -> Response:
    return _sign_in(request, kind=UserKind.staff, username=username, password=password, target=_safe_next(next),
                    template="org/login.html")


@auth_pages.post("/logout")
def logout(request: Request, session: WriteSession) -> Response:
    return _sign_out(request, session, to="/staff/login")


# ----------------------------------------------------------------------------- enterprise users


def _safe_enterprise_next(target: str) -> str:
    return target if target.startswith("/enterprise/") and not target.startswith("//") else "/enterprise/complaints"


@enterprise_auth_pages.get("/login")
def enterprise_login_page(request: Request, next: str = "/enterprise/complaints") -> Response:
    return _login_form(request, kind=UserKind.enterprise, target=_safe_enterprise_next(next),
                       template="org/enterprise_login.html")


@enterprise_auth_pages.post("/login")
def enterprise_login(request: Request, username: Annotated[str, Form(max_length=40)],
                     password: Annotated[str, Form(max_length=200)],
                     next: Annotated[str, Form()] = "/enterprise/complaints") -> Response:
    """Enterprise users only (``kind="enterprise"`` bound to a USCC); staff sign in at /staff/login."""
    return _sign_in(request, kind=UserKind.enterprise, username=username, password=password,
                    target=_safe_enterprise_next(next), template="org/enterprise_login.html")


@enterprise_auth_pages.post("/logout")
def enterprise_logout(request: Request, session: WriteSession, actor: EnterpriseActor) -> Response:
    return _sign_out(request, session, to="/enterprise/login")
