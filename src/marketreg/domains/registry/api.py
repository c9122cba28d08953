"""JSON API of the registry (mounted under /api/v1)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Path, Query, Request, Response, UploadFile
from fastapi.responses import FileResponse

from marketreg.domains.registry import actions, service, uploads
from marketreg.domains.registry.schemas import EntityOut, EntityPage, ImportJobOut, PublicEntityOut
from marketreg.web.deps import ReadSession, WriteSession, staff
from marketreg.web.pages import NO_STORE
from marketreg.web.ratelimit import public_limit

staff_router = APIRouter(prefix="/registry", tags=["registry"])
public_router = APIRouter(prefix="/public", tags=["public"])


@staff_router.get("/entities", response_model=EntityPage)
def search(
    session: ReadSession,
    actor: staff("registry.view"),
    q: Annotated[str, Query(max_length=100)] = "",
    region: Annotated[str, Query(max_length=6)] = "",
    industry: Annotated[str, Query(max_length=5)] = "",
    status: Annotated[str, Query(max_length=16)] = "",
    entity_type: Annotated[str, Query(max_length=16)] = "",
    page: Annotated[int, Query(ge=1, le=500)] = 1,
    page_size: Annotated[int, Query(ge=1, le=100)] = 20,
) -> EntityPage:
    filters = service.EntityFilter(q=q, region_code=region, industry=industry, status=status,
                                   entity_type=entity_type)
    result = service.search_entities(session, actor=actor, filters=filters, page=page, page_size=page_size)
    return EntityPage(items=[EntityOut.of(e, unmasked=False) for e in result.items], total=result.total,
                      total_capped=result.capped, page=page, page_size=page_size)


@staff_router.get("/entities/{uscc}", response_model=EntityOut)
def get_entity(session: ReadSession, actor: staff("registry.view"), uscc: str) -> EntityOut:
    return EntityOut.of(service.get_entity(session, actor=actor, uscc=uscc), unmasked=False)


@staff_router.post("/entities/{uscc}/unmask", response_model=EntityOut)
def unmask_entity(response: Response, session: WriteSession, actor: staff("registry.view_pii"), uscc: str) -> EntityOut:
    """The legal representative's full personal data; the read is audited and never cached."""
    entity = actions.do_view_personal_data(session, actor=actor, uscc=uscc)
    response.headers.update(NO_STORE)
    return EntityOut.of(entity, unmasked=True)


JobId = Annotated[int, Path(ge=1, le=2**31 - 1)]


@staff_router.post("/imports", response_model=ImportJobOut, status_code=202)
def start_import(request: Request, actor: staff("registry.import"),
                 file: Annotated[UploadFile, File()]) -> ImportJobOut:
    """Upload a CSV/XLSX file; the import runs as a job as this user, within this user's jurisdiction."""
    job_id = uploads.start_import(request.app.state.sessions, actor=actor, filename=file.filename or "",
                                  stream=file.file)
    with request.app.state.sessions.read() as session:
        return ImportJobOut.of(uploads.import_job(session, actor=actor, job_id=job_id))


@staff_router.get("/imports/{job_id}", response_model=ImportJobOut)
def import_status(session: ReadSession, actor: staff("registry.import"), job_id: JobId) -> ImportJobOut:
    return ImportJobOut.of(uploads.import_job(session, actor=actor, job_id=job_id))


@staff_router.get("/imports/{job_id}/errors.csv", response_class=FileResponse)
def import_errors(session: WriteSession, actor: staff("registry.import"), job_id: JobId) -> FileResponse:
    """The rejected rows (row number, reason code, reason in Chinese, original values); audited."""
    path = uploads.error_report(session, actor=actor, job_id=job_id)
    return FileResponse(path, media_type="text/csv; charset=utf-8", filename=f"import_errors_{job_id}.csv",
                        headers={"Cache-Control": "no-store"})


@public_router.get("/entities", response_model=list[PublicEntityOut])
@public_limit
def public_lookup(request: Request, session: ReadSession,
                  q: Annotated[str, Query(max_length=100)] = "") -> list[PublicEntityOut]:
    return [PublicEntityOut.of(e) for e in service.public_lookup(session, q=q)]
