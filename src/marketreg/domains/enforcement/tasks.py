"""Periodic jobs of enforcement (idempotent queries over stored dates: a missed run catches up)."""

from __future__ import annotations

from marketreg.domains.enforcement import actions
from marketreg.kernel import clock
from marketreg.platform.db import get_sessions
from marketreg.platform.tasks import crontab, periodic


@periodic(crontab(hour="1", minute="10"))
def expire_penalty_publicity() -> int:
    """End the publication of decisions whose 3-month / 3-year period has run out (公示规定 Art. 14)."""
    with get_sessions().transaction() as session:
        return actions.do_expire_publicity(session, today=clock.today())
