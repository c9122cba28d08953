"""Domain events: an outbox row in the writer's transaction, then the subscribed handlers.

Domains never touch each other's tables; a domain reacts to another's events through a
handler registered here (``subscribe``). Handlers run inside the publishing transaction, so
a failed reaction rolls the whole write back; the outbox row is the durable record that
later consumers (the credit file, analytics extracts) read by id.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, Session, mapped_column

from marketreg.kernel import clock
from marketreg.platform.db import Base

Handler = Callable[[Session, "DomainEvent"], None]
_handlers: dict[str, list[Handler]] = defaultdict(list)


class DomainEvent(Base):
    __tablename__ = "domain_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), index=True)
    subject_type: Mapped[str] = mapped_column(String(40))
    subject_key: Mapped[str] = mapped_column(String(64), index=True)
    payload: Mapped[dict] = mapped_column(JSON)
    org_path: Mapped[str] = mapped_column(String(64))
    occurred_at: Mapped[dt.datetime]


def subscribe(name: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        if handler not in _handlers[name]:
            _handlers[name].append(handler)
        return handler

    return register


def publish(session: Session, *, name: str, subject_type: str, subject_key: str, payload: dict,
            org_path: str) -> DomainEvent:
    event = DomainEvent(name=name, subject_type=subject_type, subject_key=subject_key, payload=payload,
                        org_path=org_path, occurred_at=clock.now())
    session.add(event)
    session.flush()
    for handler in _handlers.get(name, ()):
        handler(session, event)
    return event
