"""Who is acting, what they may do, and the one chokepoint that scopes queries to a
jurisdiction (the actor's org-unit subtree).

Every scoped table carries ``org_path`` (``/370000/370100/370102/``); an actor sees a row
when the row's path starts with the actor's own path. Rows of other jurisdictions are
*not visible* (404), never "forbidden", so their existence does not leak.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Select

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

    def sees(self, org_path: str | None) -> bool:
        return bool(org_path) and org_path.startswith(self.org_path)


SYSTEM = Actor(None, "system", "系统", None, "/", permissions=frozenset({"*"}), kind="system")
PUBLIC = Actor(None, "public", "公众", None, "/", kind="public")


def scope(stmt: Select, org_path_column, actor: Actor) -> Select:
    """Filter a select to rows inside the actor's jurisdiction (the chokepoint)."""
    if actor.org_path == "/":
        return stmt
    return stmt.where(org_path_column.startswith(actor.org_path, autoescape=True))


def ensure_visible(actor: Actor, org_path: str | None, what: str = "记录") -> None:
    """Raise 404 for a row outside the actor's jurisdiction."""
    if actor.org_path != "/" and not actor.sees(org_path):
        raise NotFound("auth.not_found", f"{what}不存在或不在您的管辖范围内")
