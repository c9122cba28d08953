"""Reactions to every domain event about an entity: the credit file (应归尽归), proposals for the
lists, and publicity that stops when a penalty's publicity ends or a repair is granted.
Idempotent: a credit-file line is keyed by the event's id; proposals by their source."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from marketreg.domains.credit import actions, rules
from marketreg.domains.credit.enums import LIST_LABELS, REPAIR_TARGET_LABELS
from marketreg.domains.credit.models import CreditEvent
from marketreg.kernel import clock
from marketreg.kernel.labels import label
from marketreg.platform.events import DomainEvent, subscribe


def _day(value: str | None, event: DomainEvent) -> dt.date:
    return dt.date.fromisoformat(value[:10]) if value else clock.business_date(event.occurred_at)


# name → (category, public?, title builder, date key, ref key)
Describe = Callable[[dict], str]
_KINDS: dict[str, tuple[str, bool, Describe, str | None, str | None]] = {
    "complaints.item_received": ("complaint", False,
                                 lambda p: f"收到{'举报' if p.get('kind') == 'report' else '投诉'}"
                                           f"（{p.get('query_code', '')}）",
                                 "received_on", "query_code"),
    "complaints.item_closed": ("complaint", False,
                               lambda p: f"投诉举报办结（{p.get('query_code', '')}，"
                                         f"{label(p.get('outcome'), 'complaints.outcome')}）",
                               "closed_on", "query_code"),
    "complaints.clue_raised": ("complaint", False, lambda p: f"投诉举报中发现违法线索（{p.get('query_code', '')}）",
                               "received_on", "query_code"),
    "complaints.report_decided": ("complaint", False,
                                  lambda p: f"举报核查决定：{'立案' if p.get('filed') else '不予立案'}"
                                            f"（{p.get('query_code', '')}）",
                                  "decided_on", "query_code"),
    "complaints.police_transfer": ("complaint", False, lambda p: f"涉嫌犯罪移送公安机关（{p.get('query_code', '')}）",
                                   None, "query_code"),
    "complaints.item_reopened": ("complaint", False, lambda p: f"投诉举报重新办理（{p.get('query_code', '')}）", None,
                                 "query_code"),
    "enforcement.case_filed": ("case", False,
                               lambda p: f"立案调查：{p.get('violation_label', '')}（{p.get('case_no', '')}）",
                               "filed_on", "case_no"),
    "enforcement.penalty_decided": ("penalty", True,
                                    lambda p: f"行政处罚：{p.get('violation_label', '')}（{p.get('decision_no', '')}，"
                                              f"{p.get('organ_name', '')}）", "decided_on", "decision_no"),
    "enforcement.penalty_publicity_ended": ("penalty", False,
                                            lambda p: f"行政处罚信息停止公示（{p.get('decision_no', '')}）", "ended_on",
                                            "decision_no"),
    "enforcement.penalty_published": ("penalty", False,
                                      lambda p: f"行政处罚信息公示（{p.get('decision_no', '')}，"
                                                f"至{p.get('publicity_until', '')}）",
                                      "published_on", "decision_no"),
    "enforcement.case_closed": ("case", False,
                                lambda p: f"案件结案（{p.get('case_no', '')}，"
                                          f"{label(p.get('outcome'), 'enforcement.outcome')}）",
                                "closed_on", "case_no"),
    "inspections.result_recorded": ("inspection", False,
                                    lambda p: f"抽查检查：{p.get('item_name', '')} — {p.get('result_label', '')}"
                                              f"（{p.get('department', '')}）", "inspected_on", "task_no"),
    "inspections.result_published": ("inspection", True, lambda p: f"抽查检查结果公示（{p.get('task_no', '')}）",
                                     "published_on", "task_no"),
    "credit.listed": ("list", True, lambda p: f"列入{LIST_LABELS.get(p.get('list'), '')}：{p.get('ground_label', '')}",
                      "listed_on", "entry_id"),
    "credit.removed": ("list", True, lambda p: f"移出{LIST_LABELS.get(p.get('list'), '')}（{p.get('reason', '')}）",
                       "removed_on", "entry_id"),
    "credit.repair_granted": ("repair", False,
                              lambda p: f"信用修复：{REPAIR_TARGET_LABELS.get(p.get('target'), '')}"
                                        f"（{p.get('ref', '')}）",
                              "granted_on", "ref"),
    "credit.annual_report_filed": ("annual_report", True,
                                   lambda p: f"报送{p.get('report_year')}年度报告"
                                             f"{'（逾期补报）' if p.get('late') else ''}",
                                   "filed_on", "report_id"),
}


def record(session: Session, event: DomainEvent) -> CreditEvent | None:
    """One credit-file line per event (a replay of the same event id is a no-op)."""
    kind = _KINDS.get(event.name)
    if kind is None or not _is_uscc(event.subject_key):
        return None  # e.g. a complaint against a respondent known only by name
    if session.scalar(select(CreditEvent.id).where(CreditEvent.event_id == event.id)) is not None:
        return None
    category, public, describe, date_key, ref_key = kind
    payload = event.payload or {}
    occurred = _day(payload.get(date_key) if date_key else None, event)
    public_until = None
    if event.name == "enforcement.penalty_decided":
        public_until = rules.penalty_public_until(decided_on=occurred, penalty_kinds=payload.get("penalty_kinds") or [],
                                                  period=payload.get("publicity_period"),
                                                  until=payload.get("publicity_until"))
        public = False  # public once enforcement publishes it (enforcement.penalty_published, RULES 2.12)
    if event.name == "inspections.result_recorded":
        public = False  # published with inspections.result_published (RULES 5)
    line = CreditEvent(event_id=event.id, name=event.name, category=category, entity_uscc=event.subject_key,
                       flag=_flag(event.name, payload),
                       title=describe(payload)[:300], ref=str(payload.get(ref_key))[:80] if ref_key else None,
                       occurred_on=occurred, public=public, public_until=public_until, payload=payload,
                       org_path=event.org_path, recorded_at=clock.now())
    session.add(line)
    session.flush()
    return line


def _is_uscc(key: str | None) -> bool:
    return bool(key) and len(key) == 18 and key.isalnum()


def _flag(name: str, payload: dict) -> str | None:
    """The classification's per-line inputs, so the monthly run aggregates columns, not JSON."""
    if name == "enforcement.penalty_decided" and rules.is_heavier_penalty(payload.get("penalty_kinds") or [],
                                                                         bool(payload.get("serious_candidate"))):
        return "heavy"
    if name == "inspections.result_recorded":
        return "unreachable" if payload.get("unreachable") else "problem" if payload.get("problem") else None
    if name == "complaints.item_received":
        return "report" if payload.get("kind") == "report" else "complaint"
    return None


def _withdraw(session: Session, *, uscc: str, ref: str, on: dt.date) -> None:
    session.execute(update(CreditEvent).where(
        CreditEvent.entity_uscc == uscc, CreditEvent.ref == ref, CreditEvent.name == "enforcement.penalty_decided",
        CreditEvent.withdrawn_on.is_(None)).values(withdrawn_on=on))


def _register(name: str) -> None:
    subscribe(name)(record_only)


def record_only(session: Session, event: DomainEvent) -> None:
    record(session, event)


for _name in _KINDS:
    if _name not in {"inspections.result_recorded", "inspections.result_published", "enforcement.penalty_decided",
                     "enforcement.penalty_published", "enforcement.penalty_publicity_ended", "credit.repair_granted"}:
        _register(_name)


@subscribe("enforcement.penalty_decided")
def penalty_decided(session: Session, event: DomainEvent) -> None:
    """Penalty publicity in the file, and the serious-list check (RULES 2.12, 3.11–3.13)."""
    if record(session, event) is not None:
        actions.propose_serious(session, uscc=event.subject_key, payload=event.payload)


@subscribe("enforcement.penalty_published")
def penalty_published(session: Session, event: DomainEvent) -> None:
    """The decision's line becomes public from its publication, until the period enforcement set
    (公示规定 Arts. 9, 14): the public page and the repair waiting time count from here."""
    if record(session, event) is None:
        return
    published_on = _day(event.payload.get("published_on"), event)
    decided = session.scalar(select(CreditEvent).where(
        CreditEvent.entity_uscc == event.subject_key, CreditEvent.ref == str(event.payload["decision_no"]),
        CreditEvent.name == "enforcement.penalty_decided"))
    if decided is not None and decided.public_until is not None:
        decided.public = decided.withdrawn_on is None
        decided.public_until = _day(event.payload.get("publicity_until"), event)
        decided.payload = {**decided.payload, "published_on": published_on.isoformat()}


@subscribe("enforcement.penalty_publicity_ended")
def penalty_publicity_ended(session: Session, event: DomainEvent) -> None:
    record(session, event)
    ended_on = _day(event.payload.get("ended_on"), event)
    _withdraw(session, uscc=event.subject_key, ref=str(event.payload["decision_no"]), on=ended_on)
    if event.payload.get("reason") == "revoked":
        actions.revoke_for_penalty(session, decision_no=str(event.payload["decision_no"]), on=ended_on)


@subscribe("inspections.result_recorded")
def inspection_result(session: Session, event: DomainEvent) -> None:
    """An unreachable result proposes an abnormal-list listing for staff decision (contract)."""
    if record(session, event) is not None and event.payload.get("unreachable"):
        actions.propose_unreachable(session, uscc=event.subject_key, task_no=str(event.payload["task_no"]),
                                    inspected_on=_day(event.payload.get("inspected_on"), event),
                                    org_path=event.org_path)


@subscribe("inspections.result_published")
def inspection_published(session: Session, event: DomainEvent) -> None:
    """The published result makes the task's recorded results public in the file."""
    if record(session, event) is not None:
        session.execute(update(CreditEvent).where(
            CreditEvent.entity_uscc == event.subject_key, CreditEvent.name == "inspections.result_recorded",
            CreditEvent.ref == str(event.payload.get("task_no"))).values(public=True))


@subscribe("credit.repair_granted")
def repair_granted(session: Session, event: DomainEvent) -> None:
    """A granted penalty-publicity repair stops the penalty's publicity in the file at once."""
    if record(session, event) is not None and event.payload.get("target") == "penalty_publicity":
        _withdraw(session, uscc=event.subject_key, ref=str(event.payload["ref"]),
                  on=_day(event.payload.get("granted_on"), event))
