"""Reactions to other domains' events: clues from complaints, reports and inspections; the end
of penalty publicity after credit repair. Every handler is idempotent (events can be replayed)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from marketreg.domains.enforcement import actions, rules, service
from marketreg.domains.enforcement.enums import ClueStatus
from marketreg.domains.enforcement.models import Clue
from marketreg.domains.registry import service as registry
from marketreg.kernel import clock
from marketreg.platform.authz import SYSTEM
from marketreg.platform.calendar import load_calendar
from marketreg.platform.events import DomainEvent, subscribe


def _add_clue(session: Session, *, source: str, ref: str, uscc: str | None, name: str, summary: str,
              org_path: str, received: dt.date) -> None:
    if service.clue_for(session, source_ref=ref) is not None:
        return
    session.add(Clue(
        source=source, source_ref=ref, respondent_uscc=uscc, respondent_name=name[:200], summary=summary[:2000],
        org_path=org_path, received_on=received,
        check_due_on=rules.clue_check_due(load_calendar(session), received).due_on,
        basis=rules.CLUE_CHECK_BASIS, created_at=clock.now(),
    ))
    session.flush()


@subscribe("complaints.clue_raised")
def register_clue(session: Session, event: DomainEvent) -> None:
    """One clue per source item and source kind."""
    payload = event.payload
    _add_clue(session, source=payload["source"], ref=f"{payload['source']}:{payload['query_code']}",
              uscc=payload.get("respondent_uscc"), name=payload["respondent_name"],
              summary=payload.get("summary", ""), org_path=event.org_path,
              received=dt.date.fromisoformat(payload["received_on"]))


@subscribe("complaints.report_decided")
def report_decided(session: Session, event: DomainEvent) -> None:
    clue = session.scalar(select(Clue).where(Clue.source_ref == f"report:{event.payload['query_code']}"))
    if clue is not None and clue.status == ClueStatus.checking:
        clue.status = ClueStatus.filed if event.payload["filed"] else ClueStatus.not_filed
        clue.decided_at = clock.now()


@subscribe("inspections.result_recorded")
def inspection_problem(session: Session, event: DomainEvent) -> None:
    """A problem found in an inspection becomes a clue (source ``inspection:<task_no>``)."""
    payload = event.payload
    if not payload.get("problem"):
        return
    summary = f"{payload.get('department', '')}检查（{payload.get('batch_no', '')}）发现问题：" \
              f"{payload.get('item_name', '')} — {payload.get('result_label', '')}"
    entity = registry.find_respondent(session, uscc=event.subject_key)
    _add_clue(session, source="inspection", ref=f"inspection:{payload['task_no']}", uscc=event.subject_key,
              name=entity.name if entity else event.subject_key, summary=summary, org_path=event.org_path,
              received=dt.date.fromisoformat(payload["inspected_on"]))


@subscribe("credit.repair_granted")
def publicity_repaired(session: Session, event: DomainEvent) -> None:
    """Credit repair of a penalty publicity ends the publication (公示规定 Art. 14 / 信用修复)."""
    payload = event.payload
    if payload.get("target") != "penalty_publicity":
        return
    case = service.case_by_decision(session, decision_no=payload["ref"])
    if case is not None:
        actions.end_publicity(session, actor=SYSTEM, case=case,
                              on=dt.date.fromisoformat(payload["granted_on"]), reason="repaired")
