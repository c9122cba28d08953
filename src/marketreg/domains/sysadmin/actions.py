"""Calendar maintenance (audited) and the provisional-deadline alert. The work calendar is the
province's: every statutory deadline in every unit counts on it, so only the province changes it."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from marketreg.kernel.errors import DomainError
from marketreg.platform import alerts, audit
from marketreg.platform import calendar as work_calendar
from marketreg.platform.authz import Actor, require_province


def do_set_override(session: Session, *, actor: Actor, day: dt.date, is_workday: bool, name: str) -> None:
    actor.require("calendar.manage")
    require_province(actor, "全省统一的工作日历")
    if not 2000 <= day.year <= 2100:
        raise DomainError("calendar.bad_date", "日期超出可维护范围（2000–2100年）")
    work_calendar.set_override(session, day=day, is_workday=is_workday, name=name[:64], source="人工维护",
                               by=actor.username)
    audit.record(session, actor=actor, action="calendar.override_set", subject_type="calendar_day",
                 subject_id=day.isoformat(), new={"is_workday": is_workday, "name": name})


def do_remove_override(session: Session, *, actor: Actor, day: dt.date) -> None:
    actor.require("calendar.manage")
    require_province(actor, "全省统一的工作日历")
    if work_calendar.remove_override(session, day=day):
        audit.record(session, actor=actor, action="calendar.override_removed", subject_type="calendar_day",
                     subject_id=day.isoformat())


def do_import_arrangement(session: Session, *, actor: Actor, text: str, source: str) -> tuple[int, int]:
    actor.require("calendar.manage")
    require_province(actor, "全省统一的工作日历")
    year, days = work_calendar.import_arrangement(session, text=text, source=source[:200], by=actor.username)
    audit.record(session, actor=actor, action="calendar.year_imported", subject_type="calendar_year",
                 subject_id=year, new={"days": days, "source": source})
    alerts.resolve_alert(session, key=f"calendar.provisional.{year}")
    return year, days


def note_provisional(session: Session, *, due: work_calendar.DueDate, start: dt.date) -> None:
    """Raise the dashboard alert when a deadline was computed without an official calendar."""
    if not due.provisional:
        return
    cal = work_calendar.load_calendar(session)
    for year in range(start.year, due.due_on.year + 1):
        if not cal.is_official(year):
            alerts.raise_alert(
                session, key=f"calendar.provisional.{year}", level="warning",
                title=f"{year}年法定节假日安排尚未载入，相关期限按周一至周五暂算",
                detail="请在“工作日历”中导入国务院办公厅发布的节假日安排通知，暂算期限将标注为“暂定”。",
            )
