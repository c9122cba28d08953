"""业务协同门户 (/staff): the staff portal."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import Response

from marketreg.analytics.dashboard import TYPE_LABELS, entity_dashboard
from marketreg.domains.complaints.pages import staff_pages as complaints_pages
from marketreg.domains.credit.pages import staff_pages as credit_pages
from marketreg.domains.enforcement.pages import staff_pages as enforcement_pages
from marketreg.domains.inspections.pages import staff_pages as inspections_pages
from marketreg.domains.org.pages import auth_pages
from marketreg.domains.reference.pages import staff_pages as reference_pages
from marketreg.domains.registry.pages import staff_pages as registry_pages
from marketreg.domains.sysadmin.pages import staff_pages as sysadmin_pages
from marketreg.platform.alerts import open_alerts
from marketreg.portals.staff import complaints_dashboard, enforcement_dashboard
from marketreg.web.deps import ReadSession, staff
from marketreg.web.pages import render
from marketreg.web.templating import register_templates

register_templates(Path(__file__).parent / "templates")
router = APIRouter(prefix="/staff", include_in_schema=False)
router.include_router(auth_pages)
router.include_router(registry_pages)
router.include_router(reference_pages)
router.include_router(sysadmin_pages)
router.include_router(complaints_dashboard.router)
router.include_router(complaints_pages)
router.include_router(enforcement_dashboard.router)
router.include_router(enforcement_pages)
router.include_router(inspections_pages)
router.include_router(credit_pages)


@router.get("/")
def dashboard(request: Request, session: ReadSession, actor: staff("dashboard.view")) -> Response:
    return render(request, "staff/dashboard.html", {
        "board": entity_dashboard(session, actor=actor), "alerts": open_alerts(session, actor=actor),
        "type_labels": TYPE_LABELS,
    })
