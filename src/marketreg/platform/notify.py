"""Outgoing notices (SMS, e-mail) through a pluggable notifier.

Every notice is stored (so staff can see what was sent and a retry is visible); delivery
goes through the configured notifier. The default logs instead of sending, because a real
SMS gateway is a contract the deploying bureau brings.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Protocol

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, Session, mapped_column

from marketreg.kernel import clock
from marketreg.platform.db import Base

log = logging.getLogger("marketreg.notify")


class Notification(Base):
    __tablename__ = "notification"

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(12))  # sms | email | staff
    recipient: Mapped[str] = mapped_column(String(120), index=True)
    subject_type: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[str] = mapped_column(String(40), index=True)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime]
    sent_at: Mapped[dt.datetime | None]


class Notifier(Protocol):
    def deliver(self, notification: Notification) -> bool: ...


class LoggingNotifier:
    def deliver(self, notification: Notification) -> bool:
        log.info("notice %s → %s: %s", notification.channel, notification.recipient, notification.text)
        return True


_notifier: Notifier = LoggingNotifier()


def use_notifier(notifier: Notifier) -> None:
    global _notifier
    _notifier = notifier


def notify(session: Session, *, channel: str, recipient: str | None, subject_type: str, subject_id: object,
           text: str) -> Notification | None:
    """Record and deliver one notice (no recipient → nothing to send)."""
    if not recipient:
        return None
    row = Notification(channel=channel, recipient=recipient, subject_type=subject_type,
                       subject_id=str(subject_id), text=text, created_at=clock.now())
    session.add(row)
    session.flush()
    if _notifier.deliver(row):
        row.sent_at = clock.now()
    return row
