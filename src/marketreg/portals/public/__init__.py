"""公共服务门户 (/): the public portal for citizens and enterprises."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import Response

from marketreg.domains.complaints import pages as complaints
from marketreg.domains.credit import pages as credit
from marketreg.domains.enforcement import pages as enforcement
from marketreg.domains.inspections import pages as inspections
from marketreg.domains.org.pages import enterprise_auth_pages
from marketreg.domains.registry import pages as registry
from marketreg.portals.public import complaint_publicity
from marketreg.web.nav import PUBLIC_SECTORS, Menu, NavItem, resolve
from marketreg.web.pages import render
from marketreg.web.routes import iter_routes
from marketreg.web.templating import register_templates, set_menu

register_templates(Path(__file__).parent / "templates")
router = APIRouter(include_in_schema=False)
router.include_router(registry.public_pages)
router.include_router(complaint_publicity.router)
router.include_router(inspections.public_pages)
router.include_router(complaints.public_pages)
router.include_router(enterprise_auth_pages)
router.include_router(complaints.enterprise_pages)
router.include_router(credit.public_pages)
router.include_router(credit.enterprise_pages)
router.include_router(enforcement.public_pages)


@router.get("/")
def home(request: Request) -> Response:
    return render(request, "public/home.html")


PORTAL_NAV = [
    NavItem("disclosure", "投诉信息公示", "/complaints/publicity", "按企业查看投诉数量、和解率与响应时间，附企业回应"),
]
# The public menu and the home page's service groups, from the domains' PUBLIC_NAV lists.
MENU = Menu(PUBLIC_SECTORS, resolve(
    [*registry.PUBLIC_NAV, *credit.PUBLIC_NAV, *complaints.PUBLIC_NAV, *PORTAL_NAV, *inspections.PUBLIC_NAV,
     *enforcement.PUBLIC_NAV],
    iter_routes(router)))
set_menu("public_menu", MENU)
