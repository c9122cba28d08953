"""Rendering helpers shared by every page: the signed-in actor and CSRF token in context,
HTMX fragments, the form-post shape (``page_action``), CSV/Excel downloads.

Every download goes through ``csv_download`` / ``xlsx_download``, so formula neutralisation
(OWASP "CSV Injection": a cell that begins with ``= + - @``, tab or CR gets a leading ``'``) is
done once here; numbers stay numbers (a negative amount is data, not a formula). No library does
this for both writers, hence the few lines by hand. Downloads and pages that show unmasked
personal data are sent with ``Cache-Control: no-store`` so no browser or proxy keeps a copy.
"""

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
from marketreg.kernel.text import spreadsheet_cell
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


NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def no_store(response: Response) -> Response:
    """Mark a response that carries unmasked personal data as not to be cached anywhere."""
    response.headers.update(NO_STORE)
    return response


def _safe_row(row: Sequence[object]) -> list[object]:
    return [spreadsheet_cell(value) for value in row]


def _attachment(filename: str) -> dict[str, str]:
    return {"Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}", **NO_STORE}
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
        writer.writerow(_safe_row(header))
        for row in rows:
            writer.writerow(_safe_row(row))
            if buffer.tell() > 1 << 16:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()

    return StreamingResponse(generate(), media_type="text/csv; charset=utf-8", headers=_attachment(filename))


def xlsx_download(filename: str, header: Sequence[str], rows: Iterable[Sequence[object]]) -> Response:
    """An Excel workbook (openpyxl write-only mode keeps memory flat)."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(_safe_row(header))
    for row in rows:
        sheet.append(_safe_row(row))
    out = io.BytesIO()
    workbook.save(out)
    return Response(out.getvalue(),
                    media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers=_attachment(filename))
