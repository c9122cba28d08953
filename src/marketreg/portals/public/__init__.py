"""公共服务门户 (/): the public portal for citizens and enterprises."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import Response

from marketreg.domains.complaints.pages import enterprise_pages as complaints_enterprise_pages
from marketreg.domains.complaints.pages import public_pages as complaints_pages
from marketreg.domains.credit.pages import enterprise_pages as credit_enterprise_pages
from marketreg.domains.credit.pages import public_pages as credit_pages
from marketreg.domains.enforcement.pages import public_pages as enforcement_public_pages
from marketreg.domains.inspections.pages import public_pages as inspections_pages
from marketreg.domains.org.pages import enterprise_auth_pages
from marketreg.domains.registry.pages import public_pages as registry_pages
from marketreg.portals.public import complaint_publicity
from marketreg.web.pages import render
from marketreg.web.templating import register_templates

register_templates(Path(__file__).parent / "templates")
router = APIRouter(include_in_schema=False)
router.include_router(registry_pages)
router.include_router(complaint_publicity.router)
router.include_router(inspections_pages)
router.include_router(complaints_pages)
router.include_router(enterprise_auth_pages)
router.include_router(complaints_enterprise_pages)
router.include_router(credit_pages)
router.include_router(credit_enterprise_pages)
router.include_router(enforcement_public_pages)


@router.get("/")
def home(request: Request) -> Response:
    return render(request, "public/home.html")
