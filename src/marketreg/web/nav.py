"""Menus generated from permissions: the portals' navigation grouped by the plan's sectors.

Each domain declares its pages once, in its public surface (``NAV`` in ``pages.py``), with the
sector and the label; the portal resolves each entry's permission from the route that serves
the path (``web.routes.declared_permission``), so a menu never shows a link that answers 403 and
a renamed route fails at start-up instead of leaving a dead link.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from marketreg.platform.authz import Actor
from marketreg.web.routes import RouteInfo

# The plan's four sectors (四大业务板块), plus the system settings every installation has.
STAFF_SECTORS = {
    "office": "协同办公",
    "services": "政务服务",
    "supervision": "行政监管",
    "data": "数据慧治",
    "system": "系统管理",
}
# The public portal's groups (by what a citizen or an enterprise comes to do).
PUBLIC_SECTORS = {
    "services": "办事服务",
    "complaints": "投诉举报",
    "disclosure": "信息公示",
}


@dataclass(frozen=True, slots=True)
class NavItem:
    sector: str
    label: str
    path: str
    description: str = ""
    permission: str | None = None  # set by ``resolve`` from the route; None: open to everyone shown the menu


@dataclass(frozen=True, slots=True)
class MenuGroup:
    key: str
    label: str
    items: tuple[NavItem, ...]


class Menu:
    """A portal's menu: entries resolved against the portal's routes, filtered per actor."""

    def __init__(self, sectors: dict[str, str], items: Sequence[NavItem]):
        unknown = {i.sector for i in items} - sectors.keys()
        if unknown:
            raise ValueError(f"unknown menu sectors: {sorted(unknown)}")
        self.sectors = sectors
        self.items = tuple(items)

    def for_actor(self, actor: Actor | None) -> list[MenuGroup]:
        visible = [i for i in self.items if i.permission is None or (actor is not None and actor.can(i.permission))]
        groups = (MenuGroup(key, label, tuple(i for i in visible if i.sector == key))
                  for key, label in self.sectors.items())
        return [g for g in groups if g.items]


def resolve(items: Iterable[NavItem], routes: Iterable[RouteInfo]) -> list[NavItem]:
    """Each entry with the permission its GET route declares; raise for a path no route serves."""
    permissions = {info.path: info.permission for info in routes if "GET" in info.methods}
    resolved = []
    for item in items:
        path = item.path.split("?")[0]
        if path not in permissions:
            raise LookupError(f"menu entry {item.label} → {item.path}: no GET route serves it")
        resolved.append(replace(item, permission=permissions[path]))
    return resolved
