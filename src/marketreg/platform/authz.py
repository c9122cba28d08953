"""Who is acting, what they may do, and the one chokepoint that scopes reads and writes to a
jurisdiction (the actor's org-unit subtree).

Every scoped table carries ``org_path`` (``/370000/370100/370102/``); an actor sees a row
when the row's path starts with the actor's own path. Rows of other jurisdictions are
*not visible* (404), never "forbidden", so their existence does not leak: "does not exist"
and "not yours" give the same answer.

The subtree filter is the index range ``p <= org_path < p⁺`` (``p⁺``: ``p`` with its last
character incremented, ``/`` → ``0``), which both databases answer from a B-tree index on
``org_path``; ``LIKE p || '%'`` cannot use one on either. The range equals "starts with p" only in
byte order, so ``org_path`` columns use the ``C`` collation on PostgreSQL (:func:`org_path_type`);
SQLite compares bytes already.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import BigInteger, ColumnElement, Select, String, and_, false, inspect
from sqlalchemy.orm import Session
from sqlalchemy.types import TypeEngine

from marketreg.kernel.errors import NotFound, PermissionDenied


@dataclass(frozen=True, slots=True)
class Actor:
    user_id: int | None
    username: str
    display_name: str
    org_unit_id: int | None
    org_path: str
    org_name: str = ""
    permissions: frozenset[str] = field(default_factory=frozenset)
    roles: tuple[str, ...] = ()
    kind: str = "staff"  # staff | enterprise | public | system
    entity_uscc: str | None = None  # the enterprise an enterprise user acts for

    def can(self, permission: str) -> bool:
        return permission in self.permissions or "*" in self.permissions

    def require(self, permission: str) -> None:
        if not self.can(permission):
            raise PermissionDenied("auth.forbidden", "您没有执行此操作的权限", permission=permission)

    @property
    def has_jurisdiction(self) -> bool:
        """Staff (and the system) hold a jurisdiction; an enterprise or the public hold none, whatever
        their path: they reach rows only through explicit ownership (their USCC, a query code)."""
        return self.kind in ("staff", "system")

    @property
    def sees_all(self) -> bool:
        return self.has_jurisdiction and self.org_path == "/"

    def sees(self, org_path: str | None) -> bool:
        return self.has_jurisdiction and bool(org_path) and org_path.startswith(self.org_path)

    @property
    def is_province(self) -> bool:
        """The province (or the system): the only level that may change province-wide figures."""
        return self.has_jurisdiction and self.org_path.count("/") <= 2 and not self.org_path.startswith("/police/")


SYSTEM = Actor(None, "system", "系统", None, "/", permissions=frozenset({"*"}), kind="system")
PUBLIC = Actor(None, "public", "公众", None, "/", kind="public")

Row = TypeVar("Row")


def org_path_type(length: int = 40) -> TypeEngine:
    """The column type of an org path: byte-order collation on PostgreSQL, so that the index range
    of :func:`in_subtree` is exactly "starts with"."""
    return String(length).with_variant(String(length, collation="C"), "postgresql")


def upper_bound(org_path: str) -> str:
    """The first string after every string that starts with ``org_path``."""
    return org_path[:-1] + chr(ord(org_path[-1]) + 1)


def in_subtree(column, org_path: str) -> ColumnElement[bool]:
    """``column`` starts with ``org_path``, as an index range."""
    return and_(column >= org_path, column < upper_bound(org_path))


def scope(stmt: Select, org_path_column, actor: Actor) -> Select:
    """Filter a select to rows inside the actor's jurisdiction (the chokepoint)."""
    if not actor.has_jurisdiction:
        return stmt.where(false())
    if actor.org_path == "/":
        return stmt
    return stmt.where(in_subtree(org_path_column, actor.org_path))


def not_found(what: str = "记录") -> NotFound:
    """The one answer for "does not exist" and "outside your jurisdiction"."""
    return NotFound("auth.not_found", f"{what}不存在或不在您的管辖范围内")


def ensure_visible(actor: Actor, org_path: str | None, what: str = "记录") -> None:
    """Raise 404 for a row outside the actor's jurisdiction."""
    if not (actor.sees_all or actor.sees(org_path)):
        raise not_found(what)


def ensure_writable(actor: Actor, org_path: str | None, what: str = "记录") -> None:
    """Refuse a write that would place data in another unit's jurisdiction (a link target, a
    reroute destination, an imported row)."""
    if not (actor.sees_all or actor.sees(org_path)):
        raise PermissionDenied("outside_jurisdiction", f"{what}不在您的管辖范围内", org_path=org_path or "")


def require_province(actor: Actor, what: str = "全省统一的规则参数") -> None:
    """Province-wide figures and province-wide jobs are the province's alone."""
    if not actor.is_province:
        raise PermissionDenied("outside_jurisdiction", f"{what}只能由省局修改或发起")


def _id_fits(model: type, row_id: Any) -> bool:
    """An id the primary key column can hold (a larger one would make the database raise)."""
    if not isinstance(row_id, int) or isinstance(row_id, bool):
        return True  # string keys (USCC, usernames) fit whatever their value
    column = inspect(model).primary_key[0]
    bits = 63 if isinstance(column.type, BigInteger) else 31
    return 1 <= row_id < 2 ** bits


def get_in_scope(session: Session, model: type[Row], row_id: Any, *, actor: Actor, what: str = "记录",
                 for_update: bool = False, org_path: Callable[[Row], str | None] | None = None,
                 also: Callable[[Row], bool] | None = None) -> Row:
    """The row with this id if the actor may see it, else 404 ``auth.not_found`` (NetBox's
    ``restrict()``: the same answer whether it does not exist or is another unit's).

    ``for_update`` locks the row for the rest of the transaction (``SELECT … FOR UPDATE`` on
    PostgreSQL; SQLite write transactions are ``BEGIN IMMEDIATE`` already) and reloads it, so a
    state change sees the state the previous writer committed. ``org_path`` reads the path of a
    row that has none of its own (a document: its case's); ``also`` grants sight beyond the
    subtree (an inspector assigned to another county's task).
    """
    if not _id_fits(model, row_id):
        raise not_found(what)
    row = session.get(model, row_id, with_for_update=for_update or None, populate_existing=for_update)
    if row is None:
        raise not_found(what)
    path = org_path(row) if org_path else row.org_path  # type: ignore[attr-defined]
    if actor.sees_all or actor.sees(path) or (also is not None and also(row)):
        return row
    raise not_found(what)
