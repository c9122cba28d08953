"""Operational alerts shown on the staff dashboard (e.g. a provisional deadline)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from marketreg.kernel import clock
from marketreg.platform.authz import Actor
from marketreg.platform.db import Base


class Alert(Base):
    __tablename__ = "alert"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(120), unique=True)
    level: Mapped[str] = mapped_column(String(16))  # info | warning | critical
    title: Mapped[str] = mapped_column(String(200))
    detail: Mapped[str] = mapped_column(Text, default="")
    org_path: Mapped[str] = mapped_column(String(64), default="/370000/", index=True)
    raised_at: Mapped[dt.datetime]
    last_seen_at: Mapped[dt.datetime]
    count: Mapped[int] = mapped_column(default=1)
    resolved_at: Mapped[dt.datetime | None]


def raise_alert(session: Session, *, key: str, level: str, title: str, detail: str = "",
                org_path: str = "/370000/") -> Alert:
    """Open (or refresh) the alert with this key; idempotent."""
    now = clock.now()
    alert = session.scalar(select(Alert).where(Alert.key == key))
    if alert is None:
        alert = Alert(key=key, level=level, title=title, detail=detail, org_path=org_path,
                      raised_at=now, last_seen_at=now, count=1)
        session.add(alert)
    else:
        alert.last_seen_at, alert.count, alert.resolved_at = now, alert.count + 1, None
        alert.title, alert.detail = title, detail
    session.flush()
    return alert


def resolve_alert(session: Session, *, key: str) -> None:
    alert = session.scalar(select(Alert).where(Alert.key == key))
    if alert is not None and alert.resolved_at is None:
        alert.resolved_at = clock.now()


def open_alerts(session: Session, *, actor: Actor) -> list[Alert]:
    """Open alerts for the actor's jurisdiction and the levels above it."""
    rows = session.scalars(
        select(Alert).where(Alert.resolved_at.is_(None)).order_by(Alert.raised_at.desc()).limit(50)
    ).all()
    return [a for a in rows if actor.org_path.startswith(a.org_path) or a.org_path.startswith(actor.org_path)]

