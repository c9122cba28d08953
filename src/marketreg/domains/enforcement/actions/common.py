"""Helpers shared by the enforcement writes: business dates, timeline steps, audit and events,
statutory clocks, officers and the new-case record."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy.orm import Session

from marketreg.domains.enforcement import documents, flow, rules, service
from marketreg.domains.enforcement.enums import PENALTY_KINDS, VIOLATION_TYPES, CaseStatus
from marketreg.domains.enforcement.models import Case, CaseStep
from marketreg.kernel import clock
from marketreg.kernel.codes import check_uscc
from marketreg.kernel.errors import DomainError
from marketreg.platform import audit, events
from marketreg.platform.authz import Actor, ensure_visible
from marketreg.platform.calendar import DueDate

S = CaseStatus


def _on(value: dt.date | None) -> dt.date:
    """The step's business date: given (back-dated paper work) or today; never in the future."""
    today = clock.today()
    if value is None:
        return today
    if value > today:
        raise DomainError("enforcement.future_date", "日期不能晚于今天")
    return value


def _step(case: Case, *, action: str, label: str, actor: Actor, note: str = "", basis: str = "",
          due_on: dt.date | None = None) -> None:
    case.steps.append(CaseStep(at=clock.now(), action=action, label=label, actor_name=actor.display_name,
                               note=note, basis=basis, due_on=due_on))
    case.updated_at = clock.now()


def _audit(session: Session, actor: Actor, action: str, case: Case, **new) -> None:
    audit.record(session, actor=actor, action=f"enforcement.{action}", subject_type="enforcement_case",
                 subject_id=case.case_no, new=new or None)


def _publish(session: Session, name: str, case: Case, **payload) -> None:
    events.publish(session, name=f"enforcement.{name}", subject_type="market_entity",
                   subject_key=case.respondent_uscc or case.respondent_name[:64], org_path=case.org_path,
                   payload=payload)


def _stamp(case: Case, due: DueDate) -> dt.date:
    """Record the calendar version (and provisional flag) the due date was computed with."""
    case.calendar_version = due.calendar_version
    case.provisional = case.provisional or due.provisional
    return due.due_on


def _refresh_next_due(case: Case) -> None:
    """The nearest open statutory clock, for the work queue."""
    candidates = {
        S.investigating: (case.decision_due_on, "处理决定期限"),
        S.reviewing: (case.legal_review_due_on, "审核期限"),
        S.reviewed: (case.decision_due_on, "处理决定期限"),
        S.notified: (case.statement_due_on, "陈述申辩期限"),
        S.hearing: (case.decision_due_on, "处理决定期限"),
        S.decided: (case.delivery_due_on, "送达期限"),
        S.executing: (case.payment_due_on, "缴款期限"),
        S.closed: (None, None),
    }
    due, label = candidates.get(case.status, (None, None))
    if case.publicity and case.published_on is None and case.publicity_due_on and \
            (due is None or case.publicity_due_on < due):
        due, label = case.publicity_due_on, "公示期限"
    if case.paused_since is not None and case.status in {S.investigating, S.reviewed, S.hearing}:
        due, label = None, "期限暂停计算"
    case.next_due_on, case.next_due_label = due, label


def _load(session: Session, actor: Actor, case_id: int, step: str, permission: str = "enforcement.handle") -> Case:
    actor.require(permission)
    case = service.get_case(session, actor=actor, case_id=case_id, for_update=True)
    flow.check(step, case.status)
    return case


def _respondent_keys(uscc: str | None, name: str) -> set[str]:
    return {k for k in (uscc, name) if k}


def _check_officers(session: Session, actor: Actor, officers: list[str], respondent: set[str],
                    on: dt.date) -> list[str]:
    """Art. 19: ≥2 credentialed officers; Art. 4: none with a declared relation to the party."""
    officers = sorted(set(officers))
    if len(officers) < rules.MIN_OFFICERS:
        raise DomainError("enforcement.too_few_officers", f"应当指定{rules.MIN_OFFICERS}名以上具有执法资格的办案人员",
                          basis="程序规定第十九条")
    credentialed = service.credentialed(session, actor=actor, usernames=officers, on=on)
    missing = [o for o in officers if o not in credentialed]
    if missing:
        raise DomainError("enforcement.officer_not_credentialed",
                          f"以下人员无有效执法证或不在本辖区：{'、'.join(missing)}",
                          officers=missing)
    conflicted = rules.conflicting_officers(officers, service.declarations(session, usernames=officers), respondent)
    if conflicted:
        raise DomainError("enforcement.conflict_of_interest",
                          f"以下办案人员已申报与当事人存在利害关系，应当回避：{'、'.join(conflicted)}",
                          officers=conflicted, basis="程序规定第四条")
    return officers


def _clean_uscc(value: str | None) -> str | None:
    if not value:
        return None
    result = check_uscc(value)
    if not result.valid:
        raise DomainError("enforcement.uscc_invalid", "统一社会信用代码无效", reason=result.reason or "")
    return result.code


def _violation_label(code: str) -> str:
    if code not in VIOLATION_TYPES:
        raise DomainError("enforcement.violation_unknown", "违法行为类型不存在", violation_type=code)
    return VIOLATION_TYPES[code]


def _new_case(session: Session, actor: Actor, *, org_path: str, uscc: str | None, name: str, party_kind: str,
              violation_type: str, facts: str, officers: list[str], procedure: str, on: dt.date) -> Case:
    ensure_visible(actor, org_path, "案件")
    organ = service.organ_for(session, org_path=org_path)
    now = clock.now()
    case = Case(case_no=documents.next_number(session, organ, "case", on.year), procedure=procedure,
                org_path=org_path, organ_name=organ.name, respondent_uscc=uscc, respondent_name=name,
                party_kind=party_kind, violation_type=violation_type,
                violation_label=_violation_label(violation_type), facts=facts, officers=officers,
                status=S.investigating, rule_version=rules.RULE_VERSION, calendar_version="", filed_on=on,
                created_at=now, updated_at=now, steps=[], evidence=[], documents=[])
    session.add(case)
    session.flush()
    return case


def _check_kinds(kinds: list[str]) -> None:
    unknown = [k for k in kinds if k not in PENALTY_KINDS]
    if not kinds or unknown:
        raise DomainError("enforcement.penalty_kind_unknown", "请选择有效的处罚种类", unknown=unknown)


def _yuan(amount: Decimal | None) -> str:
    """Money in event payloads: a decimal string in yuan with two places."""
    return str((amount or Decimal(0)).quantize(Decimal("0.01")))


def _publish_decided(session: Session, case: Case, *, serious_candidate: bool) -> None:
    """``serious_candidate``: the deciding officer's finding that the facts may meet the serious-list
    criteria (Order 44 Arts. 5–11, e.g. a fine at the heavier end of the benchmark); the heavier
    penalty kinds themselves are judged by the credit domain's rules."""
    until = rules.publicity_until(case.decided_on, case.publicity_period) if case.publicity_period else None
    _publish(session, "penalty_decided", case, case_no=case.case_no, decision_no=case.decision_no,
             decided_on=case.decided_on.isoformat(), organ_name=case.organ_name,
             violation_type=case.violation_type, violation_label=case.violation_label,
             penalty_kinds=list(case.penalty_kinds or ()), fine_amount=_yuan(case.fine_amount),
             confiscated_amount=_yuan(case.confiscated_amount), legal_basis=case.legal_basis or "",
             simplified=case.procedure == "simplified", publicity=case.publicity,
             publicity_period=case.publicity_period, publicity_until=until.isoformat() if until else None,
             serious_candidate=serious_candidate)
