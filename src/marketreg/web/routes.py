"""Walk an app's routes, flattening included routers (FastAPI ≥0.16x keeps them nested),
and tell which permission each route declares."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from fastapi import FastAPI
from fastapi.routing import APIRoute

from marketreg.web.deps import RequirePermission


@dataclass(frozen=True, slots=True)
class RouteInfo:
    path: str
    methods: frozenset[str]
    tags: tuple[str, ...]
    route: APIRoute

    @property
    def permission(self) -> str | None:
        return declared_permission(self.route)


def iter_routes(app: FastAPI) -> Iterator[RouteInfo]:
    for route in app.routes:
        if isinstance(route, APIRoute):
            yield RouteInfo(route.path, frozenset(route.methods), tuple(map(str, route.tags)), route)
        elif hasattr(route, "effective_route_contexts"):
            for context in route.effective_route_contexts():
                original = context.original_route
                if isinstance(original, APIRoute):
                    yield RouteInfo(context.path, frozenset(context.methods), tuple(map(str, context.tags)),
                                    original)


def declared_permission(route: APIRoute) -> str | None:
    stack = list(route.dependant.dependencies)
    while stack:
        dep = stack.pop()
        if isinstance(dep.call, RequirePermission):
            return dep.call.permission
        stack.extend(dep.dependencies)
    return None
