"""Walk an app's routes, flattening included routers (FastAPI ≥0.16x keeps them nested),
and tell which permission each route declares."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute

from marketreg.web.deps import UNSAFE_METHODS, RequireEnterprise, RequirePermission
from marketreg.web.errors import ERROR_SCHEMA, ERROR_STATUSES

_CONVERTOR = re.compile(r"\{(\w+):\w+\}")  # "{item_id:int}" is "{item_id}" in the OpenAPI document


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
    found = _dependency(route, RequirePermission)
    return found.permission if found else None


def _dependency(route: APIRoute, kind: type) -> Any:
    stack = list(route.dependant.dependencies)
    while stack:
        dep = stack.pop()
        if isinstance(dep.call, kind):
            return dep.call
        stack.extend(dep.dependencies)
    return None


def error_statuses(info: RouteInfo) -> list[int]:
    """The coded refusals an operation can answer with (see ``web.errors.ERROR_STATUSES``)."""
    statuses = {400, 404, 422, 503}
    if info.permission or _dependency(info.route, RequireEnterprise):
        statuses |= {401, 403}
    if info.methods & UNSAFE_METHODS:
        statuses |= {409, 413, 415}
    if "public" in info.tags:
        statuses.add(429)
    return sorted(statuses)


def document_errors(app: FastAPI) -> None:
    """Add each operation's coded 4xx/503 answers, with the one error shape, to the OpenAPI
    document (derived from the route: permission, method, audience), so that clients and the
    fuzzing test know every answer an operation may give."""
    by_operation = {(_CONVERTOR.sub(r"{\1}", info.path), method.lower()): info
                    for info in iter_routes(app) for method in info.methods}

    def openapi() -> dict:
        if app.openapi_schema is None:
            schema = get_openapi(title=app.title, version=app.version, routes=app.routes)
            schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
            for path, operations in schema.get("paths", {}).items():
                for method, operation in operations.items():
                    info = by_operation.get((path, method))
                    for status in error_statuses(info) if info else ():
                        operation.setdefault("responses", {})[str(status)] = {
                            "description": ERROR_STATUSES[status],
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi
