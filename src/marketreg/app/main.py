"""create_app(): wires portals, API, errors, rate limits, static files and task workers."""

from __future__ import annotations

import threading
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles

from marketreg.app import models, wiring  # noqa: F401 - every table; handlers, tasks, periodic jobs
from marketreg.domains.complaints import classify
from marketreg.domains.org import service as org
from marketreg.domains.registry import pages as registry_pages
from marketreg.platform.db import Sessions, get_sessions, use_sessions
from marketreg.platform.settings import get_settings
from marketreg.platform.tasks import EmbeddedWorkers, huey
from marketreg.portals import api, public, staff
from marketreg.web import errors
from marketreg.web.body import BodyFirst
from marketreg.web.deps import WriteGate, ids_in_range
from marketreg.web.headers import SecurityHeaders
from marketreg.web.ratelimit import limiter
from marketreg.web.routes import document_errors

STATIC = Path(__file__).resolve().parents[1] / "web" / "static"
# Paths that take bodies beyond the general limit (bulk imports), as mounted by the portals.
LARGE_BODIES = {"/staff/registry/import": registry_pages.MAX_UPLOAD_BYTES}


def create_app(*, sessions: Sessions | None = None, start_workers: bool | None = None) -> FastAPI:
    settings = get_settings()
    run_workers = settings.task_backend == "sqlite" if start_workers is None else start_workers
    workers = EmbeddedWorkers(huey, settings.task_workers) if run_workers else None

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        # Load the segmentation dictionary off the request path (about 1.5 s once).
        threading.Thread(target=classify.default_classifier, name="warm-classifier", daemon=True).start()
        if workers:
            workers.start()
        yield
        if workers:
            workers.stop()

    app = FastAPI(
        title="智慧市场监管一体化平台 API",
        version="1.0",
        openapi_url="/api/v1/openapi.json",
        docs_url="/api/v1/docs",
        redoc_url=None,
        lifespan=lifespan,
        dependencies=[Depends(ids_in_range)],
    )
    if sessions is not None:
        use_sessions(sessions)
    app.state.sessions = get_sessions()
    app.state.load_actor = lambda session, token: org.session_for_token(session, token=token)
    app.state.limiter = limiter
    app.state.write_gate = WriteGate(slots=settings.write_slots, wait=settings.write_queue_seconds,
                                     retry_after=settings.retry_after_seconds)
    errors.install(app, retry_after=settings.retry_after_seconds)

    max_body = settings.max_body_mb * 1024 * 1024
    app.add_middleware(BodyFirst, timeout=settings.body_timeout_seconds, refuse=errors.body_refused,
                       limit_for=lambda path: LARGE_BODIES.get(path, max_body))
    app.add_middleware(SecurityHeaders)

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(api.router, prefix="/api/v1")
    app.include_router(staff.router)
    app.include_router(public.router)
    document_errors(app)
    return app
