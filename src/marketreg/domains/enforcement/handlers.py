"""Reactions to other domains' events: clues from complaints and reports."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from marketreg.domains.enforcement import rules
from marketreg.domains.enforcement.models import Clue
from marketreg.kernel import clock
from marketreg.platform.calendar import load_calendar
from marketreg.platform.events import DomainEvent, subscribe


@subscribe("complaints.clue_raised")
def register_clue(session: Session, event: DomainEvent) -> None:
    """One clue per source item and source kind (idempotent if the event is replayed)."""
    payload = event.payload
    ref = f"{payload['source']}:{payload['query_code']}"
    if session.scalar(select(Clue.id).where(Clue.source_ref == ref)) is not None:
        return
    received = dt.date.fromisoformat(payload["received_on"])
    session.add(Clue(
        source=payload["source"], source_ref=ref, respondent_uscc=payload.get("respondent_uscc"),
        respondent_name=payload["respondent_name"], summary=payload.get("summary", "")[:2000],
        org_path=event.org_path, received_on=received,
        check_due_on=rules.clue_check_due(load_calendar(session), received).due_on,
        basis=rules.CLUE_CHECK_BASIS, created_at=clock.now(),
    ))


@subscribe("complaints.report_decided")
def report_decided(session: Session, event: DomainEvent) -> None:
    clue = session.scalar(select(Clue).where(Clue.source_ref == f"report:{event.payload['query_code']}"))
    if clue is not None and clue.status == "checking":
        clue.status = "filed" if event.payload["filed"] else "not_filed"
        clue.decided_at = clock.now()
