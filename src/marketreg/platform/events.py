"""Domain events through an outbox, handled after the publisher's commit.

Domains never touch each other's tables; a domain reacts to another's events through a
handler registered here (``subscribe``). ``publish`` writes the event row and one delivery row
per subscribed handler in the publisher's transaction, nothing else: a handler that fails can
never undo the publisher's work. After the commit a dispatcher (a job kicked by the commit and
run every minute; inline right after the commit with the ``immediate`` test backend) runs each
pending delivery in its own SAVEPOINT of the dispatcher's transaction (a failure rolls back
that handler alone), marks it done in that same transaction (so a replay is a no-op), keeps
the order per subject and handler (a delivery waits while an earlier one for the same subject
and handler is not done), and retries a failed one with backoff; a failure shows in the job
monitor with its error until a retry succeeds.

Payloads are typed: each publishing domain declares one ``EventPayload`` subclass per event
in its ``events.py``; the stored payload is that model's JSON.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections import defaultdict
from collections.abc import Callable, Collection, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import ClassVar

from pydantic import BaseModel, ConfigDict
from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, event, func, or_, select, text
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from marketreg.kernel import clock
from marketreg.platform.authz import Actor, scope
from marketreg.platform.db import Base, BigId, get_sessions
from marketreg.platform.tasks import crontab, huey, kick, periodic, task

log = logging.getLogger(__name__)

Handler = Callable[[Session, "DomainEvent"], None]
Transaction = Callable[[], AbstractContextManager[Session]]
_handlers: dict[str, dict[str, Handler]] = defaultdict(dict)
_payload_types: dict[str, type[EventPayload]] = {}
MAX_ATTEMPTS = 5
BATCH = 200
DELIVERY_STATUS_LABELS = {"pending": "待处理", "done": "已处理", "failed": "处理失败"}


class EventPayload(BaseModel):
    """One event's typed payload; subclasses set ``name`` (``<domain>.<event>``)."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    name: ClassVar[str] = ""

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        if cls.__dict__.get("name"):
            _payload_types[cls.name] = cls


def payload_type(name: str) -> type[EventPayload]:
    """The payload model registered for an event name."""
    return _payload_types[name]


class DomainEvent(Base):
    __tablename__ = "domain_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), index=True)
    subject_type: Mapped[str] = mapped_column(String(40))
    subject_key: Mapped[str] = mapped_column(String(64), index=True)
    payload: Mapped[dict] = mapped_column(JSON)
    org_path: Mapped[str] = mapped_column(String(64))
    occurred_at: Mapped[dt.datetime]


class EventDelivery(Base):
    """One handler × one event: its state, attempts and last error."""

    __tablename__ = "event_delivery"
    __table_args__ = (
        UniqueConstraint("event_id", "handler", name="uq_event_delivery_event_handler"),
        # the dispatcher's "is an earlier delivery for this subject and handler still open?"
        Index("ix_event_delivery_order", "handler", "subject_key", "event_id"),
        # the dispatcher's selection: only the open deliveries, however many are done
        Index("ix_event_delivery_open", "subject_key", "event_id", postgresql_where=text("status <> 'done'"),
              sqlite_where=text("status <> 'done'")),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("domain_event.id"), index=True)
    handler: Mapped[str] = mapped_column(String(200))
    subject_key: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(Text)
    next_attempt_at: Mapped[dt.datetime | None]
    done_at: Mapped[dt.datetime | None]

    @property
    def status_label(self) -> str:
        return DELIVERY_STATUS_LABELS.get(self.status, self.status)


def handler_key(handler: Handler) -> str:
    return f"{handler.__module__}.{handler.__qualname__}"


def subscribe(event_name: str | type[EventPayload]) -> Callable[[Handler], Handler]:
    name = event_name if isinstance(event_name, str) else event_name.name

    def register(handler: Handler) -> Handler:
        _handlers[name].setdefault(handler_key(handler), handler)
        return handler

    return register


def publish(session: Session, payload: EventPayload, *, subject_type: str, subject_key: str,
            org_path: str) -> DomainEvent:
    """Write the event and its pending deliveries in the caller's transaction (nothing runs now)."""
    event_row = DomainEvent(name=payload.name, subject_type=subject_type, subject_key=subject_key,
                            payload=payload.model_dump(mode="json", by_alias=True), org_path=org_path,
                            occurred_at=clock.now())
    session.add(event_row)
    session.flush()
    keys = list(_handlers.get(payload.name, {}))
    for key in keys:
        session.add(EventDelivery(event_id=event_row.id, handler=key, subject_key=subject_key, status="pending",
                                  attempts=0))
    if keys:
        session.flush()
        session.info.setdefault("published_subjects", set()).add(subject_key)
    return event_row


# ----------------------------------------------------------------------------- the dispatcher


@dataclass
class DispatchReport:
    done: int = 0
    failed: int = 0
    waiting: int = 0  # behind an earlier delivery for the same subject and handler that is not done


def dispatch_pending(transaction: Transaction, *, subjects: Collection[str] | None = None,
                     batch: int = BATCH) -> DispatchReport:
    """Run every due delivery (of these subjects only, when given), oldest event first, until a
    pass makes no progress (handlers may publish further events, which the next pass picks up).

    A pass is one transaction that holds its deliveries (FOR UPDATE SKIP LOCKED: a concurrent
    dispatcher takes the others); each handler runs in its own SAVEPOINT, so a failing handler
    is rolled back alone and recorded as failed, and the pass commits once rather than once per
    handler."""
    report = DispatchReport()
    while True:
        progressed = False
        with transaction() as session:
            stmt = select(EventDelivery, DomainEvent).join(DomainEvent, DomainEvent.id == EventDelivery.event_id).where(
                EventDelivery.status != "done", EventDelivery.attempts < MAX_ATTEMPTS,
                or_(EventDelivery.next_attempt_at.is_(None), EventDelivery.next_attempt_at <= clock.now()))
            if subjects is not None:
                stmt = stmt.where(EventDelivery.subject_key.in_(subjects))
            stmt = stmt.order_by(EventDelivery.event_id, EventDelivery.id).limit(batch)
            rows = session.execute(stmt.with_for_update(of=EventDelivery, skip_locked=True)).all()
            blocked = _blocked_from(session, [delivery for delivery, _ in rows])
            for delivery, event_row in rows:
                key = (delivery.handler, delivery.subject_key)
                if blocked.get(key, delivery.event_id + 1) < delivery.event_id:
                    report.waiting += 1
                    continue
                outcome = _deliver(session, delivery, event_row)
                setattr(report, outcome, getattr(report, outcome) + 1)
                progressed = True
                if outcome == "failed":
                    blocked[key] = min(blocked.get(key, delivery.event_id), delivery.event_id)
        if not progressed:
            return report


def _blocked_from(session: Session, batch: list[EventDelivery]) -> dict[tuple[str, str], int]:
    """(handler, subject) → the earliest event still open for it outside this batch: a delivery
    of a later event waits (events are handled in order per subject and handler)."""
    if not batch:
        return {}
    stmt = select(EventDelivery.handler, EventDelivery.subject_key, func.min(EventDelivery.event_id)).where(
        EventDelivery.status != "done", EventDelivery.subject_key.in_({d.subject_key for d in batch}),
        EventDelivery.id.not_in([d.id for d in batch]),
    ).group_by(EventDelivery.handler, EventDelivery.subject_key)
    return {(handler, subject): first for handler, subject, first in session.execute(stmt)}


def _deliver(session: Session, delivery: EventDelivery, event_row: DomainEvent) -> str:
    """Run one delivery in a SAVEPOINT and mark it done; on any error roll the handler's work
    back and record the failure, with a backoff before the next attempt."""
    try:
        with session.begin_nested():
            handler = _handlers.get(event_row.name, {}).get(delivery.handler)
            if handler is None:
                raise LookupError(f"handler {delivery.handler} is not registered in this process")
            handler(session, event_row)
    except Exception as exc:
        log.exception("event delivery %s failed", delivery.id)
        delivery.attempts += 1
        delivery.status, delivery.error = "failed", f"{type(exc).__name__}: {exc}"[:2000]
        delivery.next_attempt_at = clock.now() + dt.timedelta(minutes=2 ** delivery.attempts)
        return "failed"
    delivery.attempts += 1
    delivery.status, delivery.done_at, delivery.error = "done", clock.now(), None
    return "done"


def drain(session: Session) -> DispatchReport:
    """Run the pending deliveries now, each in a SAVEPOINT of ``session``: for tests that work in
    one uncommitted session (the inline backend dispatches after real commits by itself)."""

    @contextmanager
    def nested() -> Iterator[Session]:
        with session.begin_nested():
            yield session

    return dispatch_pending(nested)


def _transaction_on(bind) -> Transaction:
    """Transactions on the committing session's own connection or engine: the inline dispatch
    then works on whatever database the publisher wrote to (tests bind sessions to one
    connection, where each of these becomes a SAVEPOINT)."""
    factory = sessionmaker(bind=bind, join_transaction_mode="create_savepoint", expire_on_commit=False)

    @contextmanager
    def transaction() -> Iterator[Session]:
        with factory() as session, session.begin():
            yield session

    return transaction


_inline = threading.local()


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a SAVEPOINT released (SQLAlchemy calls this hook then too): wait for the real commit
    subjects = session.info.pop("published_subjects", None)
    if not subjects:
        return
    if not huey.immediate:
        kick(dispatch_job)
        return
    _dispatch_inline(session, subjects)


def _dispatch_inline(session: Session, subjects: set[str]) -> None:
    """The immediate backend: handle the committed events' subjects now, on this thread. Only
    those subjects (a request does not take over other requests' events); the reactions'
    own events join the running loop instead of starting another."""
    running: set[str] | None = getattr(_inline, "subjects", None)
    if running is not None:
        running.update(subjects)
        return
    _inline.subjects = set(subjects)
    transaction = _transaction_on(session.bind) if session.bind is not None else get_sessions().transaction
    try:
        while _inline.subjects:
            batch = set(_inline.subjects)
            _inline.subjects.clear()
            dispatch_pending(transaction, subjects=batch)
    except Exception:  # the publisher has committed: its answer must not turn into an error
        log.exception("inline event dispatch failed; the deliveries stay pending")
    finally:
        _inline.subjects = None


@task()
def dispatch_job() -> dict:
    report = dispatch_pending(get_sessions().transaction)
    return {"done": report.done, "failed": report.failed, "waiting": report.waiting}


@periodic(crontab(minute="*"))
def dispatch_every_minute() -> dict:
    """Retries whose backoff has passed, and deliveries whose kick was lost."""
    return dispatch_job.call_local()


# ----------------------------------------------------------------------------- the job monitor


def _failed_in_scope(actor: Actor):
    return scope(select(EventDelivery, DomainEvent).join(DomainEvent, DomainEvent.id == EventDelivery.event_id)
                 .where(EventDelivery.status == "failed"), DomainEvent.org_path, actor)


def failed_deliveries(session: Session, *, actor: Actor, limit: int = 50) -> list[tuple[EventDelivery, DomainEvent]]:
    """Failed deliveries of events in the actor's jurisdiction, newest first."""
    stmt = _failed_in_scope(actor).order_by(EventDelivery.id.desc()).limit(limit)
    return [tuple(row) for row in session.execute(stmt)]


def retry(session: Session, *, actor: Actor, delivery_id: int) -> EventDelivery | None:
    """Make a failed delivery in the actor's jurisdiction due now with a fresh set of attempts
    (the commit dispatches it); None when there is no such delivery."""
    row = session.execute(_failed_in_scope(actor).where(EventDelivery.id == delivery_id)).first()
    if row is None:
        return None
    delivery = row[0]
    delivery.status, delivery.attempts, delivery.next_attempt_at = "pending", 0, None
    session.info.setdefault("published_subjects", set()).add(delivery.subject_key)
    return delivery
