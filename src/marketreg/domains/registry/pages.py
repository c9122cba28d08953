"""Registry pages: staff search, profile, export and upload; public enterprise lookup."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, File, Query, Request, UploadFile
from fastapi import Path as PathParam
from fastapi.responses import FileResponse, RedirectResponse, Response

from marketreg.domains.reference import service as reference
from marketreg.domains.registry import actions, importer, service, uploads
from marketreg.domains.registry.enums import ENTITY_TYPE_LABELS, STATUS_LABELS
from marketreg.domains.registry.schemas import EntityOut, PublicEntityOut
from marketreg.kernel.errors import DomainError
from marketreg.platform import jobs
from marketreg.web.deps import ReadSession, WriteSession, staff
from marketreg.web.nav import NavItem
from marketreg.web.pages import no_store, page_action, render, xlsx_download
from marketreg.web.ratelimit import public_limit
from marketreg.web.templating import register_templates

register_templates(Path(__file__).parent / "templates")
staff_pages = APIRouter(prefix="/registry")
public_pages = APIRouter()

# This domain's entries in the portals' menus (web.nav; permissions come from the routes).
NAV = [
    NavItem("services", "市场主体", "/staff/registry/entities"),
    NavItem("services", "主体导入", "/staff/registry/import"),
]
PUBLIC_NAV = [
    NavItem("services", "企业信息查询", "/entities", "按名称或统一社会信用代码查询市场主体登记信息"),
]
EXPORT_LIMIT = 50_000
MAX_UPLOAD_BYTES = 512 * 1024 * 1024
JobId = Annotated[int, PathParam(ge=1, le=2**31 - 1)]


def _filters(q: str, region: str, industry: str, status: str, entity_type: str) -> service.EntityFilter:
    return service.EntityFilter(q=q, region_code=region, industry=industry, status=status, entity_type=entity_type)


FilterQ = Annotated[str, Query(max_length=100)]


@staff_pages.get("/entities")
def search_page(request: Request, session: ReadSession, actor: staff("registry.view"), q: FilterQ = "",
                region: FilterQ = "", industry: FilterQ = "", status: FilterQ = "", entity_type: FilterQ = "",
                page: Annotated[int, Query(ge=1, le=500)] = 1) -> Response:
    filters = _filters(q, region, industry, status, entity_type)
    result = service.search_entities(session, actor=actor, filters=filters, page=page)
    query = "&".join(f"{k}={v}" for k, v in
                     {"q": q, "region": region, "industry": industry, "status": status,
                      "entity_type": entity_type}.items() if v)
    return render(request, "registry/search.html", {
        "result": result, "filters": filters, "page": page, "pages": max(1, -(-result.total // 20)),
        "query": query, "regions": reference.region_choices(session, within=actor.org_path),
        "sections": reference.section_choices(session), "status_labels": STATUS_LABELS,
        "type_labels": ENTITY_TYPE_LABELS, "region_names": reference.region_names(session),
    })


@staff_pages.get("/entities.xlsx")
def export(request: Request, session: ReadSession, actor: staff("registry.export"), q: FilterQ = "",
           region: FilterQ = "", industry: FilterQ = "", status: FilterQ = "", entity_type: FilterQ = "") -> Response:
    """The entity list as Excel (legal representatives masked). The export is audited in its own
    short write transaction, after the rows are read and before they are sent: reading 50,000
    rows must not hold the (SQLite) writer."""
    names = reference.region_names(session)
    filters = _filters(q, region, industry, status, entity_type)
    rows = [
        (e.uscc, e.name, ENTITY_TYPE_LABELS.get(e.entity_type), STATUS_LABELS.get(e.status),
         EntityOut.of(e, unmasked=False).legal_rep_name, e.address, names.get(e.region_code, e.region_code),
         e.industry_code, e.established_on.isoformat(),
         None if e.registered_capital is None else float(e.registered_capital))
        for e in service.iter_entities(session, actor=actor, filters=filters, limit=EXPORT_LIMIT)
    ]
    header = ["统一社会信用代码", "名称", "主体类型", "登记状态", "法定代表人", "住所", "行政区划", "行业代码",
              "成立日期", "注册资本（万元）"]
    session.close()  # the read is over before the audit write begins
    with request.app.state.sessions.transaction() as audit_session:
        actions.do_record_export(audit_session, actor=actor, filters=filters, rows=len(rows), fields=header)
    return xlsx_download("市场主体.xlsx", header, rows)


@staff_pages.get("/entities/{uscc}")
def profile_page(request: Request, session: ReadSession, actor: staff("registry.view"), uscc: str) -> Response:
    entity = service.get_entity(session, actor=actor, uscc=uscc)
    return _profile(request, session, entity, unmasked=False)


@staff_pages.post("/entities/{uscc}/unmask")
def unmask_page(request: Request, session: WriteSession, actor: staff("registry.view_pii"), uscc: str) -> Response:
    return page_action(session, lambda: actions.do_view_personal_data(session, actor=actor, uscc=uscc),
                       done=lambda entity: no_store(_profile(request, session, entity, unmasked=True)))


def _profile(request: Request, session, entity, *, unmasked: bool) -> Response:
    return render(request, "registry/profile.html", {
        "entity": EntityOut.of(entity, unmasked=unmasked),
        "licences": service.licences_of(session, entity_id=entity.id),
        "region_name": reference.region_name(session, code=entity.region_code),
        "industry_name": reference.industry_name(session, code=entity.industry_code),
    })


@staff_pages.get("/import")
def import_page(request: Request, session: ReadSession, actor: staff("registry.import")) -> Response:
    recent = [j for j in jobs.list_jobs(session, actor=actor, limit=20) if j.kind == uploads.JOB_KIND]
    return render(request, "registry/import.html", {"jobs": recent, "columns": importer.TEMPLATE_HEADER})


@staff_pages.post("/import")
def upload(request: Request, actor: staff("registry.import"), file: Annotated[UploadFile, File()]) -> Response:
    """Store the upload and queue the import as this user; progress appears in the job monitor."""
    job_id = uploads.start_import(request.app.state.sessions, actor=actor, filename=file.filename or "",
                                  stream=file.file)
    return RedirectResponse(f"/staff/sysadmin/jobs#job-{job_id}", status_code=303)


@staff_pages.get("/import/{job_id}/errors.csv")
def import_errors(session: WriteSession, actor: staff("registry.import"), job_id: JobId) -> Response:
    """The rejected rows with their row numbers, reasons in Chinese and original values."""
    path = uploads.error_report(session, actor=actor, job_id=job_id)
    return FileResponse(path, media_type="text/csv; charset=utf-8", filename=f"导入被拒绝的行_{job_id}.csv",
                        headers={"Cache-Control": "no-store"})


@staff_pages.get("/import/template.{kind}")
def import_template(actor: staff("registry.import"), kind: Literal["csv", "xlsx"]) -> Response:
    """An empty import file with the import's columns."""
    if kind == "xlsx":
        return xlsx_download("市场主体导入模板.xlsx", importer.TEMPLATE_HEADER, [])
    body = "\ufeff" + ",".join(importer.TEMPLATE_HEADER) + "\r\n"
    return Response(body.encode("utf-8"), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote('市场主体导入模板.csv')}"})


@public_pages.get("/entities")
@public_limit
def public_lookup_page(request: Request, session: ReadSession, q: FilterQ = "") -> Response:
    results, error = [], None
    if q:
        try:
            results = [PublicEntityOut.of(e) for e in service.public_lookup(session, q=q)]
        except DomainError as exc:
            error = exc.message_zh
    return render(request, "registry/public_lookup.html", {"q": q, "results": results, "error": error})


@public_pages.get("/entities/{uscc}")
@public_limit
def public_entity_page(request: Request, session: ReadSession, uscc: str) -> Response:
    found = service.public_lookup(session, q=uscc)
    if not found:
        raise DomainError("registry.not_found", "未找到该市场主体", status=404)
    return render(request, "registry/public_entity.html", {"entity": PublicEntityOut.of(found[0])})
