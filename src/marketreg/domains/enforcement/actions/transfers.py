"""Transfers of cases to the police (行刑衔接)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from marketreg.domains.enforcement import documents, rules, service
from marketreg.domains.enforcement.actions.common import S, _audit, _load, _on, _refresh_next_due, _step
from marketreg.domains.enforcement.enums import TransferKind
from marketreg.domains.enforcement.models import Transfer
from marketreg.domains.enforcement.schemas import FeedbackIn, TransferIn
from marketreg.domains.org import service as org
from marketreg.domains.org.enums import UnitLevel
from marketreg.kernel import clock
from marketreg.kernel.errors import Conflict, DomainError
from marketreg.platform import audit
from marketreg.platform.authz import Actor
from marketreg.platform.calendar import load_calendar


def do_transfer(session: Session, *, actor: Actor, case_id: int, data: TransferIn) -> Transfer:
    """Transfer a case that may meet criminal thresholds to the police, with a document package."""
    case = _load(session, actor, case_id, "transfer_police", permission="enforcement.transfer")
    target = org.unit_by_code(session, code=data.target_code)
    if target is None or target.level != UnitLevel.police:
        raise DomainError("enforcement.transfer_target", "请选择接收移送的公安机关")
    on = clock.today()
    calendar, overrides = load_calendar(session), service.rule_overrides(session)
    transfer = Transfer(case_id=case.id, kind=TransferKind.police, from_org_path=case.org_path, target_path=target.path,
                        target_name=target.name, reason=data.reason.strip(), sent_on=on,
                        receipt_due_on=rules.police_receipt_due(calendar, on, overrides).due_on,
                        feedback_due_on=rules.police_feedback_due(calendar, on, overrides).due_on)
    session.add(transfer)
    case.status, case.outcome = S.transferred, "transferred"
    _step(case, action="transfer_police", label=f"移送{target.name}", actor=actor, note=transfer.reason,
          due_on=transfer.feedback_due_on, basis=rules.FIGURES["police_acceptance"].basis)
    documents.issue(session, case, "transfer", extra={"target": target.name, "content": transfer.reason})
    session.flush()
    transfer.package = documents.transfer_package(case, transfer)
    _refresh_next_due(case)
    _audit(session, actor, "transferred_to_police", case, target=target.code)
    return transfer


def _police_transfer(session: Session, actor: Actor, transfer_id: int) -> Transfer:
    actor.require("enforcement.police")
    return service.get_transfer(session, actor=actor, transfer_id=transfer_id, for_update=True)


def do_acknowledge_transfer(session: Session, *, actor: Actor, transfer_id: int) -> Transfer:
    transfer = _police_transfer(session, actor, transfer_id)
    if transfer.received_on is not None:
        raise Conflict("enforcement.already_received", "已签收")
    transfer.received_on = clock.today()
    audit.record(session, actor=actor, action="enforcement.transfer_received", subject_type="enforcement_transfer",
                 subject_id=transfer.id)
    return transfer


def do_transfer_feedback(session: Session, *, actor: Actor, transfer_id: int, data: FeedbackIn) -> Transfer:
    transfer = _police_transfer(session, actor, transfer_id)
    if transfer.received_on is None:
        raise Conflict("enforcement.not_received", "请先签收移送材料")
    if transfer.feedback_on is not None:
        raise Conflict("enforcement.feedback_given", "已反馈")
    transfer.feedback_on, transfer.feedback = _on(data.on), data.feedback.strip()
    audit.record(session, actor=actor, action="enforcement.transfer_feedback", subject_type="enforcement_transfer",
                 subject_id=transfer.id, new={"feedback": transfer.feedback})
    return transfer


def do_download_transfer_package(session: Session, *, actor: Actor, transfer_id: int) -> Transfer:
    """The police case package (行刑衔接) holds the case's documents with every party's personal
    data unmasked: reading it is audited."""
    actor.require("enforcement.police")
    transfer = service.get_transfer(session, actor=actor, transfer_id=transfer_id)
    audit.record(session, actor=actor, action="enforcement.transfer_package_read", subject_type="enforcement_transfer",
                 subject_id=transfer.id, new={"case_id": transfer.case_id})
    return transfer
