"""Staff pages: work calendar overrides, the job monitor, the audit log."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import Response
from sqlalchemy import select

from marketreg.domains.sysadmin import actions
from marketreg.kernel import clock
from marketreg.kernel.errors import DomainError
from marketreg.platform import audit, events, jobs
from marketreg.platform import calendar as work_calendar
from marketreg.web.deps import ReadSession, WriteSession, staff
from marketreg.web.nav import NavItem
from marketreg.web.pages import page_action, render
from marketreg.web.templating import register_templates

register_templates(Path(__file__).parent / "templates")
staff_pages = APIRouter(prefix="/sysadmin")
# the domain whose event handler failed (marketreg.domains.<domain>.handlers...), in Chinese
HANDLER_LABELS = {"credit": "信用监管", "enforcement": "行政执法", "complaints": "投诉举报",
                  "inspections": "双随机抽查", "registry": "市场主体登记"}

# This domain's entries in the portals' menus (web.nav; permissions come from the routes).
NAV = [
    NavItem("system", "工作日历", "/staff/sysadmin/calendar"),
    NavItem("system", "任务监控", "/staff/sysadmin/jobs"),
    NavItem("system", "审计日志", "/staff/sysadmin/audit"),
]


@staff_pages.get("/calendar")
def calendar_page(request: Request, session: ReadSession, actor: staff("calendar.manage"),
                  year: Annotated[int | None, Query(ge=2000, le=2100)] = None) -> Response:
    year = year or clock.today().year
    overrides = session.scalars(
        select(work_calendar.CalendarOverride)
        .where(work_calendar.CalendarOverride.day >= dt.date(year, 1, 1),
               work_calendar.CalendarOverride.day <= dt.date(year, 12, 31))
        .order_by(work_calendar.CalendarOverride.day)
    ).all()
    cal = work_calendar.load_calendar(session)
    years = [(y, cal.is_official(y), y in cal.official_years) for y in range(year - 1, year + 3)]
    return render(request, "sysadmin/calendar.html", {"year": year, "overrides": overrides, "years": years,
                                                      "version": cal.version})


def _parse_day(raw: str) -> dt.date:
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise DomainError("calendar.bad_date", "日期格式应为 YYYY-MM-DD") from None


@staff_pages.post("/calendar/overrides")
def add_override(session: WriteSession, actor: staff("calendar.manage"), day: Annotated[str, Form()],
                 kind: Annotated[str, Form()], name: Annotated[str, Form(max_length=64)] = "") -> Response:
    if kind not in {"holiday", "workday"}:
        raise DomainError("calendar.bad_type", "类型必须是“休息日”或“工作日”")
    parsed = _parse_day(day)
    return page_action(session, lambda: actions.do_set_override(session, actor=actor, day=parsed,
                                                                is_workday=kind == "workday", name=name),
                       done=f"/staff/sysadmin/calendar?year={parsed.year}")


@staff_pages.post("/calendar/overrides/{day}/delete")
def delete_override(session: WriteSession, actor: staff("calendar.manage"), day: str) -> Response:
    parsed = _parse_day(day)
    return page_action(session, lambda: actions.do_remove_override(session, actor=actor, day=parsed),
                       done=f"/staff/sysadmin/calendar?year={parsed.year}")


@staff_pages.post("/calendar/import")
def import_year(session: WriteSession, actor: staff("calendar.manage"), file: Annotated[UploadFile, File()],
                source: Annotated[str, Form(max_length=200)] = "") -> Response:
    raw = file.file.read(1 << 20)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DomainError("calendar.encoding", "日历文件须为 UTF-8 编码的 CSV") from None
    return page_action(session, lambda: actions.do_import_arrangement(session, actor=actor, text=text,
                                                                      source=source or file.filename or ""),
                       done=lambda imported: f"/staff/sysadmin/calendar?year={imported[0]}")


@staff_pages.get("/jobs")
def jobs_page(request: Request, session: ReadSession, actor: staff("jobs.view")) -> Response:
    """Jobs with their progress, and event handlers that failed (with the error and a retry)."""
    return render(request, "sysadmin/jobs.html", {"jobs": jobs.list_jobs(session, actor=actor),
                                                  "failed": events.failed_deliveries(session, actor=actor),
                                                  "handler_labels": HANDLER_LABELS})


@staff_pages.post("/jobs/deliveries/{delivery_id:int}/retry")
def retry_delivery(session: WriteSession, actor: staff("jobs.view"), delivery_id: int) -> Response:
    """Run a failed event handler again (after the cause was fixed); it runs after this commit."""
    return page_action(session, lambda: actions.do_retry_delivery(session, actor=actor, delivery_id=delivery_id),
                       done="/staff/sysadmin/jobs")


@staff_pages.get("/audit")
def audit_page(request: Request, session: ReadSession, actor: staff("audit.view"),
               action: Annotated[str, Query(max_length=64)] = "") -> Response:
    return render(request, "sysadmin/audit.html", {"events": audit.recent(session, action=action),
                                                   "action": action, "verified": None})


@staff_pages.post("/audit/verify")
def audit_verify(request: Request, session: ReadSession, actor: staff("audit.view")) -> Response:
    result = audit.verify(session)
    return render(request, "sysadmin/audit.html", {"events": audit.recent(session), "action": "",
                                                   "verified": result})
