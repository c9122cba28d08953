"""The only clock: aware UTC for storage, Asia/Shanghai for business dates."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

BUSINESS_TZ = ZoneInfo("Asia/Shanghai")


def now() -> dt.datetime:
    """Current instant, timezone-aware UTC."""
    return dt.datetime.now(dt.UTC)


def today() -> dt.date:
    """Today's business date in China."""
    return now().astimezone(BUSINESS_TZ).date()


def business_date(instant: dt.datetime) -> dt.date:
    """The Chinese calendar date of an instant (naive instants are taken as UTC)."""
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=dt.UTC)
    return instant.astimezone(BUSINESS_TZ).date()
