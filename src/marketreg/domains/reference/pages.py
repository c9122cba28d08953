"""Staff pages: browse GB/T 2260 regions (with abolished codes) and GB/T 4754 industries."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from marketreg.domains.reference import service
from marketreg.web.deps import ReadSession, staff
from marketreg.web.nav import NavItem
from marketreg.web.pages import render
from marketreg.web.templating import register_templates

register_templates(Path(__file__).parent / "templates")
staff_pages = APIRouter(prefix="/reference")

# This domain's entries in the portals' menus (web.nav; permissions come from the routes).
NAV = [
    NavItem("data", "行政区划", "/staff/reference/regions"),
    NavItem("data", "行业分类", "/staff/reference/industries"),
]

Q = Annotated[str, Query(max_length=100)]


@staff_pages.get("/regions")
def regions_page(request: Request, session: ReadSession, actor: staff("reference.view"), q: Q = "",
                 level: Q = "", status: Q = "",
                 address: Annotated[str, Query(max_length=200)] = "") -> Response:
    found = service.search_regions(session, q=q, level=level or None, status=status or None, limit=200)
    resolution = service.resolve_address(session, text=address) if address.strip() else None
    return render(request, "reference/regions.html", {
        "regions": found, "q": q, "level": level, "status": status, "address": address,
        "resolution": resolution, "names": service.region_names(session),
    })


@staff_pages.get("/industries")
def industries_page(request: Request, session: ReadSession, actor: staff("reference.view"), q: Q = "",
                    section: Q = "", level: Annotated[int | None, Query(ge=1, le=4)] = None) -> Response:
    found = service.search_industries(session, q=q, section=section or None, level=level, limit=200)
    return render(request, "reference/industries.html", {
        "industries": found, "q": q, "section": section, "level": level,
        "sections": service.section_choices(session),
    })
