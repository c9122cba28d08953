"""JSON API of the reference domain (mounted under /api/v1)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from marketreg.domains.reference import service
from marketreg.domains.reference.schemas import IndustryOut, RegionOut, ResolutionOut, UsccOut
from marketreg.web.deps import ReadSession, staff
from marketreg.web.ratelimit import public_limit

staff_router = APIRouter(prefix="/reference", tags=["reference"])
public_router = APIRouter(prefix="/reference", tags=["public"])

Q = Annotated[str, Query(max_length=100)]
Limit = Annotated[int, Query(ge=1, le=200)]


@staff_router.get("/regions", response_model=list[RegionOut])
def regions(session: ReadSession, actor: staff("reference.view"), q: Q = "",
            level: Annotated[str, Query(pattern="^(|province|prefecture|county)$")] = "",
            status: Annotated[str, Query(pattern="^(|current|abolished)$")] = "",
            limit: Limit = 50) -> list[RegionOut]:
    found = service.search_regions(session, q=q, level=level or None, status=status or None, limit=limit)
    return [RegionOut.of(r) for r in found]


@staff_router.get("/industries", response_model=list[IndustryOut])
def industries(session: ReadSession, actor: staff("reference.view"), q: Q = "",
               section: Annotated[str, Query(max_length=1)] = "",
               level: Annotated[int | None, Query(ge=1, le=4)] = None,
               limit: Limit = 50) -> list[IndustryOut]:
    found = service.search_industries(session, q=q, section=section or None, level=level, limit=limit)
    return [IndustryOut.of(i) for i in found]


@staff_router.get("/resolve", response_model=ResolutionOut)
def resolve(session: ReadSession, actor: staff("reference.view"),
            address: Annotated[str, Query(min_length=1, max_length=200)]) -> ResolutionOut:
    """The current Shandong county an address lies in (GB/T 2260, abolished names mapped)."""
    return ResolutionOut.of(service.resolve_address(session, text=address))


@public_router.get("/uscc/{code}", response_model=UsccOut)
@public_limit
def check_uscc(request: Request, session: ReadSession, code: str) -> UsccOut:
    """Check a unified social credit code (GB 32100-2015), including its region part."""
    return UsccOut(**service.describe_uscc(session, raw=code[:40]))
