"""/api/v1: the one JSON API used by both portals and outside systems."""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter

from marketreg.domains.complaints.api import public_router as complaints_public
from marketreg.domains.complaints.api import staff_router as complaints_staff
from marketreg.domains.credit.api import enterprise_router as credit_enterprise
from marketreg.domains.credit.api import public_router as credit_public
from marketreg.domains.credit.api import staff_router as credit_staff
from marketreg.domains.enforcement.api import public_router as enforcement_public
from marketreg.domains.enforcement.api import staff_router as enforcement_staff
from marketreg.domains.inspections.api import public_router as inspections_public
from marketreg.domains.inspections.api import staff_router as inspections_staff
from marketreg.domains.reference.api import public_router as reference_public
from marketreg.domains.reference.api import staff_router as reference_staff
from marketreg.domains.registry.api import public_router as registry_public
from marketreg.domains.registry.api import staff_router as registry_staff
from marketreg.portals.staff import workbench
from marketreg.web.deps import ReadSession, staff

router = APIRouter()
for sub in (reference_public, reference_staff, registry_public, registry_staff, complaints_public,
            complaints_staff, enforcement_staff, inspections_public, inspections_staff, credit_staff, credit_public,
            credit_enterprise, enforcement_public):
    router.include_router(sub)


@router.get("/workbench", tags=["workbench"])
def workbench_api(session: ReadSession, actor: staff("dashboard.view"), kind: workbench.KindQ = "",
                  due: workbench.DueQ = "") -> dict:
    """工作台: the signed-in user's open items across domains, nearest deadline first, with counts and alerts."""
    board = workbench.build(session, actor=actor, kind=kind, due=due)
    return {"today": board.today.isoformat(), "items": [r.as_json() for r in board.rows],
            "counts": [asdict(c) for c in board.counts], "alerts": [asdict(n) for n in board.notices]}
