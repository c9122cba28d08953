"""What a domain action leaves behind, written one way for every domain: its audit row (the
domain-qualified action on the subject) and its domain events about a market entity.

A domain declares one ``ActionTrail`` per kind of subject it acts on (a complaint item, an
enforcement case) and calls ``trail.audit(...)`` and ``trail.publish(...)`` from its actions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from operator import attrgetter
from typing import Generic, TypeVar

from sqlalchemy.orm import Session

from marketreg.platform import audit, events
from marketreg.platform.authz import Actor

T = TypeVar("T")


def publish_about_entity(session: Session, payload: events.EventPayload, *, uscc: str | None, name: str = "",
                         org_path: str) -> events.DomainEvent:
    """An event whose subject is a market entity: keyed by its USCC, or by its name when the
    respondent is known by name only (events for one key are handled in order)."""
    return events.publish(session, payload, subject_type="market_entity", subject_key=uscc or name[:64],
                          org_path=org_path)


@dataclass(frozen=True, slots=True)
class ActionTrail(Generic[T]):
    """How one domain's actions on one kind of subject are audited and announced."""

    domain: str
    subject_type: str
    subject_id: Callable[[T], object]
    entity: Callable[[T], tuple[str | None, str]]  # the (USCC, name) its events are about
    org_path: Callable[[T], str] = attrgetter("org_path")

    def audit(self, session: Session, actor: Actor, action: str, subject: T, **new) -> None:
        audit.record(session, actor=actor, action=f"{self.domain}.{action}", subject_type=self.subject_type,
                     subject_id=self.subject_id(subject), new=new or None)

    def publish(self, session: Session, payload: events.EventPayload, subject: T) -> events.DomainEvent:
        uscc, name = self.entity(subject)
        return publish_about_entity(session, payload, uscc=uscc, name=name, org_path=self.org_path(subject))
