"""业务协同门户 (/staff): the staff portal."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import Response

from marketreg.analytics.dashboard import TYPE_LABELS, entity_dashboard
from marketreg.domains.complaints import pages as complaints
from marketreg.domains.credit import pages as credit
from marketreg.domains.enforcement import pages as enforcement
from marketreg.domains.inspections import pages as inspections
from marketreg.domains.org.pages import auth_pages
from marketreg.domains.reference import pages as reference
from marketreg.domains.registry import pages as registry
from marketreg.domains.sysadmin import pages as sysadmin
from marketreg.portals.staff import complaints_dashboard, enforcement_dashboard, workbench
from marketreg.web.deps import ReadSession, staff
from marketreg.web.nav import STAFF_SECTORS, Menu, NavItem, resolve
from marketreg.web.pages import render
from marketreg.web.routes import iter_routes
from marketreg.web.templating import register_templates, set_menu

register_templates(Path(__file__).parent / "templates")
router = APIRouter(prefix="/staff", include_in_schema=False)
router.include_router(auth_pages)
router.include_router(registry.staff_pages)
router.include_router(reference.staff_pages)
router.include_router(sysadmin.staff_pages)
router.include_router(complaints_dashboard.router)
router.include_router(complaints.staff_pages)
router.include_router(enforcement_dashboard.router)
router.include_router(enforcement.staff_pages)
router.include_router(inspections.staff_pages)
router.include_router(credit.staff_pages)


@router.get("/")
def home(request: Request, session: ReadSession, actor: staff("dashboard.view"), kind: workbench.KindQ = "",
         due: workbench.DueQ = "") -> Response:
    """工作台: the user's open work across domains; the jurisdiction's entity figures below it."""
    context = {"board": workbench.build(session, actor=actor, kind=kind, due=due), "kind": kind, "due": due,
               "due_labels": workbench.DUE_LABELS}
    if actor.can("registry.view"):
        context.update(entities=entity_dashboard(session, actor=actor), type_labels=TYPE_LABELS)
    return render(request, "staff/dashboard.html", context)

PORTAL_NAV = [
    NavItem("office", "工作台", "/staff/"),
    NavItem("data", "投诉统计", "/staff/complaints/dashboard"),
    NavItem("data", "执法统计", "/staff/enforcement/dashboard"),
]
# One menu for every staff page, from the domains' NAV lists; each entry carries its route's permission.
MENU = Menu(STAFF_SECTORS, resolve(
    [*PORTAL_NAV, *complaints.NAV, *registry.NAV, *credit.NAV, *inspections.NAV, *enforcement.NAV,
     *reference.NAV, *sysadmin.NAV],
    iter_routes(router)))
set_menu("staff_menu", MENU)
