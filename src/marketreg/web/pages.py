"""Helpers shared by every page: rendering with the signed-in actor and CSRF token in context,
HTMX fragments, the form-post shape (``page_action``), CSV/Excel downloads."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import RedirectResponse, Response, StreamingResponse
from sqlalchemy.orm import Session

from marketreg.kernel.errors import DomainError
from marketreg.web.deps import csrf_token, optional_actor
from marketreg.web.templating import templates


def render(request: Request, template: str, context: dict | None = None, *, status_code: int = 200,
           block: str | None = None) -> Response:
    ctx = {"actor": optional_actor(request), "csrf": csrf_token(request), "path": request.url.path}
    ctx.update(context or {})
    if block is None and request.headers.get("hx-request") and request.headers.get("hx-target") == "results":
        block = "results"
    if block:
        return templates.TemplateResponse(request, template, ctx, status_code=status_code, block_name=block)
    return templates.TemplateResponse(request, template, ctx, status_code=status_code)


T = TypeVar("T")


def page_action(session: Session, act: Callable[[], T], *, done: str | Callable[[T], str | Response],
                refused: Callable[[DomainError], Response] | None = None) -> Response:
    """The shape of every form post: ``act`` runs in a savepoint; a refusal (``DomainError``) undoes
    it and re-renders the page with the coded reason (``refused``) — or, where there is no form to
    show again, reaches the app's error page; success redirects (303) to ``done``, or to
    ``done(result)``, which may also answer with a page of its own."""
    try:
        with session.begin_nested():
            result = act()
    except DomainError as exc:
        if refused is None:
            raise
        return refused(exc)
    target = done(result) if callable(done) else done
    return target if isinstance(target, Response) else RedirectResponse(target, status_code=303)


def csv_download(filename: str, header: Sequence[str], rows: Iterable[Sequence[object]]) -> StreamingResponse:
    """Stream a UTF-8 (with BOM, so Excel opens it correctly) CSV file."""

    def generate():
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        buffer.write("\ufeff")
        writer.writerow(header)
        for row in rows:
            writer.writerow(row)
            if buffer.tell() > 1 << 16:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()

    return StreamingResponse(generate(), media_type="text/csv; charset=utf-8",
                             headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}"})


def xlsx_download(filename: str, header: Sequence[str], rows: Iterable[Sequence[object]]) -> Response:
    """An Excel workbook (openpyxl write-only mode keeps memory flat)."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return Response(out.getvalue(),
                    media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}"})
