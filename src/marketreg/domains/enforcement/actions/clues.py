"""Clues (线索): registration, transfer to another bureau or department, extension of the check,
not filing, and filing a case (程序规定第十八条至第二十条)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from marketreg.domains.enforcement import documents, rules, service
from marketreg.domains.enforcement.actions.common import (
    S,
    _audit,
    _check_officers,
    _clean_uscc,
    _new_case,
    _on,
    _publish,
    _refresh_next_due,
    _respondent_keys,
    _stamp,
    _step,
)
from marketreg.domains.enforcement.enums import CLUE_SOURCES, ClueStatus, TransferKind
from marketreg.domains.enforcement.models import Case, Clue, Transfer
from marketreg.domains.enforcement.schemas import ClueIn, ClueTransferIn, DeclineIn, FeedbackIn, FilingIn
from marketreg.domains.org import service as org
from marketreg.domains.org.enums import UnitLevel
from marketreg.kernel import clock
from marketreg.kernel.errors import Conflict, DomainError
from marketreg.platform import audit
from marketreg.platform.authz import Actor
from marketreg.platform.calendar import load_calendar


def do_register_clue(session: Session, *, actor: Actor, data: ClueIn, org_path: str | None = None) -> Clue:
    """Register a clue from any source (idempotent per source reference)."""
    actor.require("enforcement.clues")
    ref = data.source_ref or f"{data.source}:{clock.now().strftime('%Y%m%d%H%M%S%f')}"
    existing = service.clue_for(session, source_ref=ref)
    if existing is not None:
        return existing
    received = _on(data.received_on)
    calendar = load_calendar(session)
    clue = Clue(source=data.source, source_ref=ref, respondent_uscc=_clean_uscc(data.respondent_uscc),
                respondent_name=data.respondent_name.strip(), summary=data.summary.strip(),
                org_path=org_path or actor.org_path, received_on=received,
                check_due_on=rules.clue_check_due(calendar, received).due_on, basis=rules.CLUE_CHECK_BASIS,
                created_at=clock.now())
    session.add(clue)
    session.flush()
    audit.record(session, actor=actor, action="enforcement.clue_registered", subject_type="enforcement_clue",
                 subject_id=clue.id, new={"source": data.source, "ref": ref, "label": CLUE_SOURCES.get(data.source)})
    return clue


def _open_clue(session: Session, actor: Actor, clue_id: int) -> Clue:
    actor.require("enforcement.handle")
    clue = service.get_clue(session, actor=actor, clue_id=clue_id, for_update=True)
    if clue.status != ClueStatus.checking:
        raise Conflict("enforcement.clue_decided", "该线索已作出立案或不予立案决定")
    return clue


def do_transfer_clue(session: Session, *, actor: Actor, clue_id: int, data: ClueTransferIn) -> Transfer:
    """Send a clue to the competent bureau (a new clue there, whose decision is the feedback) or to
    another department (feedback recorded by the sender); the receiver's check clock is Art. 18's."""
    actor.require("enforcement.transfer")
    clue = _open_clue(session, actor, clue_id)
    today = clock.today()
    calendar = load_calendar(session)
    bureau = data.kind == TransferKind.bureau
    if bureau:
        target = org.unit_by_code(session, code=data.target_code)
        if target is None or target.level == UnitLevel.police or target.path == clue.org_path:
            raise DomainError("enforcement.transfer_target", "请选择接收线索的其他市场监管部门")
        target_path, target_name = target.path, target.name
    else:
        if not data.department.strip():
            raise DomainError("enforcement.transfer_target", "请填写接收线索的部门名称")
        target_path, target_name = "", data.department.strip()
    transfer = Transfer(clue_id=clue.id, kind=data.kind, from_org_path=clue.org_path, target_path=target_path,
                        target_name=target_name, reason=data.reason.strip(), sent_on=today,
                        receipt_due_on=today if bureau else calendar.add_workdays(today, 1).due_on,
                        received_on=today if bureau else None,
                        feedback_due_on=rules.clue_check_due(calendar, today).due_on)
    session.add(transfer)
    session.flush()
    if bureau:
        session.add(Clue(source="transfer", source_ref=f"transfer:{transfer.id}", respondent_uscc=clue.respondent_uscc,
                         respondent_name=clue.respondent_name, summary=f"{clue.summary}（{transfer.reason}）"[:2000],
                         org_path=target_path, received_on=today, check_due_on=transfer.feedback_due_on,
                         basis=rules.CLUE_CHECK_BASIS, created_at=clock.now()))
    clue.status, clue.decided_at, clue.decision_note = ClueStatus.transferred, clock.now(), f"移送{target_name}"
    session.flush()
    audit.record(session, actor=actor, action="enforcement.clue_transferred", subject_type="enforcement_clue",
                 subject_id=clue.id, new={"kind": data.kind, "target": target_name})
    return transfer


def _feedback_to_sender(session: Session, clue: Clue, text: str) -> None:
    """A transferred clue's decision is the feedback to the bureau that sent it."""
    if not clue.source_ref.startswith("transfer:"):
        return
    transfer = session.get(Transfer, int(clue.source_ref.split(":", 1)[1]))
    if transfer is not None and transfer.feedback_on is None:
        transfer.feedback_on, transfer.feedback = clock.today(), text


def do_record_department_feedback(session: Session, *, actor: Actor, transfer_id: int, data: FeedbackIn) -> Transfer:
    """The sender records a department's written reply (receipt and result)."""
    actor.require("enforcement.transfer")
    transfer = service.get_transfer(session, actor=actor, transfer_id=transfer_id, for_update=True)
    if transfer.kind != TransferKind.department:
        raise Conflict("enforcement.feedback_by_receiver", "该移送由接收单位在系统内反馈")
    if transfer.feedback_on is not None:
        raise Conflict("enforcement.feedback_given", "已反馈")
    transfer.received_on = transfer.received_on or _on(data.on)
    transfer.feedback_on, transfer.feedback = _on(data.on), data.feedback.strip()
    audit.record(session, actor=actor, action="enforcement.transfer_feedback", subject_type="enforcement_transfer",
                 subject_id=transfer.id, new={"feedback": transfer.feedback})
    return transfer


def do_extend_clue_check(session: Session, *, actor: Actor, clue_id: int) -> Clue:
    """Art. 18: +15 working days once, with the head's approval."""
    clue = _open_clue(session, actor, clue_id)
    if clue.extended:
        raise Conflict("enforcement.clue_already_extended", "核查期限只能延长一次")
    clue.extended = True
    clue.check_due_on = rules.clue_check_due(load_calendar(session), clue.received_on, extended=True).due_on
    audit.record(session, actor=actor, action="enforcement.clue_extended", subject_type="enforcement_clue",
                 subject_id=clue.id, new={"check_due_on": clue.check_due_on.isoformat()})
    return clue


def do_decline_clue(session: Session, *, actor: Actor, clue_id: int, data: DeclineIn) -> Clue:
    """Art. 20: not filing, on a stated ground."""
    clue = _open_clue(session, actor, clue_id)
    ground = rules.non_filing_ground(data.ground)
    if ground is None:
        raise DomainError("enforcement.ground_unknown", "请选择不予立案的理由", basis="程序规定第二十条")
    clue.status, clue.non_filing_ground, clue.decision_note = ClueStatus.not_filed, ground.code, data.note or None
    clue.decided_at = clock.now()
    _feedback_to_sender(session, clue, f"不予立案：{ground.label}")
    audit.record(session, actor=actor, action="enforcement.clue_not_filed", subject_type="enforcement_clue",
                 subject_id=clue.id, new={"ground": ground.code, "basis": ground.basis})
    return clue


def do_file_case(session: Session, *, actor: Actor, clue_id: int, data: FilingIn) -> Case:
    """Art. 19: file a case from a clue when all four conditions hold, naming ≥2 officers."""
    clue = _open_clue(session, actor, clue_id)
    missing = rules.missing_filing_conditions(data.conditions)
    if missing:
        raise DomainError("enforcement.filing_conditions", "不符合立案条件：" + "；".join(g.label for g in missing),
                          missing=[g.code for g in missing], basis="程序规定第十九条")
    filed_on = _on(data.filed_on)
    if filed_on < clue.received_on:
        raise DomainError("enforcement.filed_before_clue", "立案日期不能早于线索登记日期")
    officers = _check_officers(session, actor, data.officers, _respondent_keys(clue.respondent_uscc,
                                                                                clue.respondent_name), filed_on)
    calendar = load_calendar(session)
    case = _new_case(session, actor, org_path=clue.org_path, uscc=clue.respondent_uscc, name=clue.respondent_name,
                     party_kind=data.party_kind, violation_type=data.violation_type,
                     facts=data.facts or clue.summary, officers=officers, procedure="ordinary", on=filed_on)
    case.major = data.major
    case.status = S.investigating
    case.decision_due_on = _stamp(case, rules.decision_due(calendar, filed_on))
    clue.status, clue.case_id, clue.decided_at = ClueStatus.filed, case.id, clock.now()
    _feedback_to_sender(session, clue, f"已立案：{case.case_no}")
    _step(case, action="file", label="立案", actor=actor, basis="程序规定第十九条、第六十四条",
          due_on=case.decision_due_on, note=f"线索来源：{CLUE_SOURCES.get(clue.source, clue.source)}")
    documents.issue(session, case, "filing")
    _refresh_next_due(case)
    _audit(session, actor, "case_filed", case, clue_id=clue.id, officers=officers)
    _publish(session, "case_filed", case, case_no=case.case_no, filed_on=filed_on.isoformat(),
             violation_type=case.violation_type, violation_label=case.violation_label)
    return case
