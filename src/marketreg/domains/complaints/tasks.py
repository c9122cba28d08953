"""Periodic deadline sweep for complaints and reports (idempotent; a missed run catches up)."""

from __future__ import annotations

from marketreg.domains.complaints import actions
from marketreg.kernel import clock
from marketreg.platform.authz import SYSTEM
from marketreg.platform.db import get_sessions
from marketreg.platform.tasks import crontab, periodic


@periodic(crontab(minute="*/15"))
def sweep_deadlines() -> dict:
    with get_sessions().transaction() as session:
        result = actions.sweep(session, actor=SYSTEM, today=clock.today())
    return {"warned": result.warned, "escalated": result.escalated, "odr_returned": result.odr_returned}
