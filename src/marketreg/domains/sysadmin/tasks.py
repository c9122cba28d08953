"""Periodic checks of the platform's own health."""

from __future__ import annotations

import datetime as dt

from marketreg.kernel import clock
from marketreg.platform import alerts
from marketreg.platform.calendar import load_calendar
from marketreg.platform.db import get_sessions
from marketreg.platform.tasks import crontab, periodic

# The State Council usually publishes next year's holiday arrangement in late October or
# November; from December on, a missing arrangement is worth an alert before deadlines
# start running into the new year.
WARN_FROM_MONTH = 12


def check_calendar_coverage(today: dt.date) -> bool:
    """Raise (or keep) the alert when next year's arrangement is missing; idempotent."""
    with get_sessions().transaction() as session:
        covered = load_calendar(session).is_official(today.year + 1)
        key = f"calendar.provisional.{today.year + 1}"
        if covered:
            alerts.resolve_alert(session, key=key)
        elif today.month >= WARN_FROM_MONTH:
            alerts.raise_alert(
                session, key=key, level="warning",
                title=f"{today.year + 1}年法定节假日安排尚未载入",
                detail="国务院办公厅通知发布后，请在“工作日历”中导入；在此之前跨年期限按周一至周五暂算。",
            )
        return covered


@periodic(crontab(hour="7", minute="0"))
def calendar_coverage_daily() -> bool:
    return check_calendar_coverage(clock.today())
