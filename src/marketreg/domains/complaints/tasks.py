"""Periodic deadline sweep for complaints and reports (idempotent; a missed run catches up)."""

from __future__ import annotations

import datetime as dt

from marketreg.domains.complaints import actions
from marketreg.kernel import clock
from marketreg.platform.authz import SYSTEM
from marketreg.platform.db import get_sessions
from marketreg.platform.settings import get_settings
from marketreg.platform.tasks import crontab, periodic


@periodic(crontab(hour="6", minute="30"))
def select_follow_ups_daily() -> int:
    """Yesterday's closed items: pick the configured share for a follow-up visit (回访)."""
    with get_sessions().transaction() as session:
        return actions.select_follow_ups(session, closed_on=clock.today() - dt.timedelta(days=1),
                                         share=get_settings().complaint_follow_up_share)


@periodic(crontab(minute="*/15"))
def sweep_deadlines() -> dict:
    with get_sessions().transaction() as session:
        result = actions.sweep(session, actor=SYSTEM, today=clock.today())
    return {"warned": result.warned, "escalated": result.escalated, "odr_returned": result.odr_returned}
