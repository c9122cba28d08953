"""Writes of the enforcement domain (``do_*``). The caller owns the transaction.

Each step: authorise → load in scope → check the state machine → check the statutory
conditions (rules) → compute due dates with the work calendar → write → timeline step →
audit → document → publish events.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from operator import attrgetter

from sqlalchemy import select
from sqlalchemy.orm import Session

from marketreg.domains.enforcement import documents, events, flow, rules, service
from marketreg.domains.enforcement.enums import (
    CLUE_SOURCES,
    EVIDENCE_KINDS,
    OUTCOMES,
    PENALTY_KINDS,
    REVIEW_CHECKLIST,
    VIOLATION_TYPES,
    CaseStatus,
)
from marketreg.domains.enforcement.models import (
    Benchmark,
    Case,
    CaseStep,
    Clue,
    ConflictDeclaration,
    Evidence,
    FileReview,
    RuleOverride,
    Transfer,
)
from marketreg.domains.enforcement.schemas import (
    BenchmarkIn,
    ClueIn,
    ClueTransferIn,
    ConflictIn,
    DeclineIn,
    FeedbackIn,
    FilingIn,
    SimplifiedIn,
    StepIn,
    TransferIn,
)
from marketreg.domains.org import service as org
from marketreg.kernel import clock
from marketreg.kernel.codes import check_uscc
from marketreg.kernel.errors import Conflict, DomainError, NotFound
from marketreg.platform import audit
from marketreg.platform.authz import SYSTEM, Actor, ensure_visible
from marketreg.platform.calendar import DueDate, load_calendar
from marketreg.platform.trail import ActionTrail

S = CaseStatus
_trail: ActionTrail[Case] = ActionTrail("enforcement", "enforcement_case", attrgetter("case_no"),
                                        lambda case: (case.respondent_uscc, case.respondent_name))


# ----------------------------------------------------------------------------- helpers


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


# ----------------------------------------------------------------------------- clues


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
    clue = session.get(Clue, clue_id)
    if clue is None:
        raise NotFound("enforcement.clue_not_found", "线索不存在")
    ensure_visible(actor, clue.org_path, "线索")
    if clue.status != "checking":
        raise Conflict("enforcement.clue_decided", "该线索已作出立案或不予立案决定")
    return clue


def do_transfer_clue(session: Session, *, actor: Actor, clue_id: int, data: ClueTransferIn) -> Transfer:
    """Send a clue to the competent bureau (a new clue there, whose decision is the feedback) or to
    another department (feedback recorded by the sender); the receiver's check clock is Art. 18's."""
    actor.require("enforcement.transfer")
    clue = _open_clue(session, actor, clue_id)
    today = clock.today()
    calendar = load_calendar(session)
    if data.kind == "bureau":
        target = org.unit_by_code(session, code=data.target_code)
        if target is None or target.level == "police" or target.path == clue.org_path:
            raise DomainError("enforcement.transfer_target", "请选择接收线索的其他市场监管部门")
        target_path, target_name = target.path, target.name
    else:
        if not data.department.strip():
            raise DomainError("enforcement.transfer_target", "请填写接收线索的部门名称")
        target_path, target_name = "", data.department.strip()
    transfer = Transfer(clue_id=clue.id, kind=data.kind, from_org_path=clue.org_path, target_path=target_path,
                        target_name=target_name, reason=data.reason.strip(), sent_on=today,
                        receipt_due_on=today if data.kind == "bureau" else calendar.add_workdays(today, 1).due_on,
                        received_on=today if data.kind == "bureau" else None,
                        feedback_due_on=rules.clue_check_due(calendar, today).due_on)
    session.add(transfer)
    session.flush()
    if data.kind == "bureau":
        session.add(Clue(source="transfer", source_ref=f"transfer:{transfer.id}", respondent_uscc=clue.respondent_uscc,
                         respondent_name=clue.respondent_name, summary=f"{clue.summary}（{transfer.reason}）"[:2000],
                         org_path=target_path, received_on=today, check_due_on=transfer.feedback_due_on,
                         basis=rules.CLUE_CHECK_BASIS, created_at=clock.now()))
    clue.status, clue.decided_at, clue.decision_note = "transferred", clock.now(), f"移送{target_name}"
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
    transfer = service.get_transfer(session, actor=actor, transfer_id=transfer_id)
    if transfer.kind != "department":
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
    clue.status, clue.non_filing_ground, clue.decision_note = "not_filed", ground.code, data.note or None
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
    clue.status, clue.case_id, clue.decided_at = "filed", case.id, clock.now()
    _feedback_to_sender(session, clue, f"已立案：{case.case_no}")
    _step(case, action="file", label="立案", actor=actor, basis="程序规定第十九条、第六十四条",
          due_on=case.decision_due_on, note=f"线索来源：{CLUE_SOURCES.get(clue.source, clue.source)}")
    documents.issue(session, case, "filing")
    _refresh_next_due(case)
    _trail.audit(session, actor, "case_filed", case, clue_id=clue.id, officers=officers)
    _trail.publish(session, events.CaseFiled(case_no=case.case_no, filed_on=filed_on.isoformat(),
             violation_type=case.violation_type, violation_label=case.violation_label), case)
    return case


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


# ----------------------------------------------------------------------------- simplified procedure


def do_simplified_case(session: Session, *, actor: Actor, data: SimplifiedIn) -> Case:
    """Arts. 66–70: an on-the-spot decision within the limits; no publicity (not ordinary procedure)."""
    actor.require("enforcement.handle")
    on = _on(data.on)
    _check_kinds(data.penalty_kinds)
    if not rules.simplified_allowed(party_kind=data.party_kind, penalty_kinds=data.penalty_kinds, fine=data.fine,
                                    on=on):
        raise DomainError("enforcement.simplified_not_allowed",
                          "超出简易程序适用范围（自然人二百元以下、法人或者其他组织三千元以下罚款或者警告）",
                          basis="程序规定第六十六条；行政处罚法第五十一条")
    uscc = _clean_uscc(data.respondent_uscc)
    officers = _check_officers(session, actor, data.officers, _respondent_keys(uscc, data.respondent_name), on)
    case = _new_case(session, actor, org_path=actor.org_path, uscc=uscc, name=data.respondent_name.strip(),
                     party_kind=data.party_kind, violation_type=data.violation_type, facts=data.facts,
                     officers=officers, procedure="simplified", on=on)
    calendar = load_calendar(session)
    case.penalty_kinds, case.fine_amount, case.legal_basis = list(data.penalty_kinds), data.fine, data.legal_basis
    case.decided_on = case.delivered_on = on
    case.decision_no = documents.next_number(session, service.organ_for(session, org_path=case.org_path),
                                             "decision", on.year)
    case.status = S.executing if data.fine > 0 else S.closed
    if data.fine > 0:
        case.payment_due_on = _stamp(case, rules.payment_due(calendar, on))
    else:
        case.closed_on, case.outcome = on, "executed"
    _step(case, action="simplified", label="当场作出行政处罚决定", actor=actor, basis="程序规定第六十六条至第七十条",
          due_on=case.payment_due_on)
    documents.issue(session, case, "decision")
    _refresh_next_due(case)
    _trail.audit(session, actor, "simplified_decided", case, fine=str(data.fine), kinds=data.penalty_kinds)
    _publish_decided(session, case, serious_candidate=False)
    return case


def _check_kinds(kinds: list[str]) -> None:
    unknown = [k for k in kinds if k not in PENALTY_KINDS]
    if not kinds or unknown:
        raise DomainError("enforcement.penalty_kind_unknown", "请选择有效的处罚种类", unknown=unknown)


# ----------------------------------------------------------------------------- case steps


def do_step(session: Session, *, actor: Actor, case_id: int, step: str, data: StepIn) -> Case:
    """Dispatch one step of the case (the only write path of an open case)."""
    handler = _STEPS.get(step)
    if handler is None:
        raise NotFound("enforcement.step_unknown", "操作不存在")
    if step == "decide":
        _precheck_decision(session, actor, case_id)
    case = _load(session, actor, case_id, step, permission=STEP_PERMISSIONS.get(step, "enforcement.handle"))
    handler(session, actor, case, data)
    _refresh_next_due(case)
    session.flush()
    return case


def _add_evidence(session: Session, actor: Actor, case: Case, data: StepIn) -> None:
    if data.kind not in EVIDENCE_KINDS or not data.description.strip():
        raise DomainError("enforcement.evidence_invalid", "请选择证据种类并填写内容")
    on = _on(data.on)
    calendar = load_calendar(session)
    due = None
    if data.kind == "preservation":
        due = _stamp(case, rules.preservation_decision_due(calendar, on))
    elif data.kind == "seizure":
        due = _stamp(case, rules.seizure_due(calendar, on))
    case.evidence.append(Evidence(kind=data.kind, description=data.description.strip(), taken_on=on, due_on=due))
    _step(case, action="add_evidence", label=EVIDENCE_KINDS[data.kind], actor=actor, note=data.description,
          due_on=due,
          basis={"preservation": "程序规定第三十五条", "seizure": "行政强制法第二十五条"}.get(data.kind, ""))
    if data.kind == "questioning":
        documents.issue(session, case, "questioning", extra={"content": data.description})
    _trail.audit(session, actor, "evidence_added", case, kind=data.kind, due_on=due)


def _evidence(case: Case, evidence_id: int | None) -> Evidence:
    found = next((e for e in case.evidence if e.id == evidence_id), None)
    if found is None:
        raise NotFound("enforcement.evidence_not_found", "证据记录不存在")
    return found


def _extend_seizure(session: Session, actor: Actor, case: Case, data: StepIn) -> None:
    ev = _evidence(case, data.evidence_id)
    if ev.kind != "seizure" or ev.released_on is not None:
        raise Conflict("enforcement.not_a_seizure", "只能延长尚未解除的查封、扣押")
    if ev.extended:
        raise Conflict("enforcement.seizure_already_extended", "查封、扣押期限只能延长一次",
                       basis="行政强制法第二十五条")
    ev.extended = True
    ev.due_on = _stamp(case, rules.seizure_due(load_calendar(session), ev.taken_on, extended=True))
    _step(case, action="extend_seizure", label="延长查封扣押期限", actor=actor, due_on=ev.due_on,
          basis="行政强制法第二十五条")
    _trail.audit(session, actor, "seizure_extended", case, evidence_id=ev.id, due_on=ev.due_on)


def _release_evidence(session: Session, actor: Actor, case: Case, data: StepIn) -> None:
    ev = _evidence(case, data.evidence_id)
    ev.released_on = _on(data.on)
    _step(case, action="release_evidence", label=f"解除{EVIDENCE_KINDS[ev.kind]}", actor=actor, note=data.note)
    _trail.audit(session, actor, "evidence_released", case, evidence_id=ev.id)


def _end_investigation(session: Session, actor: Actor, case: Case, data: StepIn) -> None:
    on = _on(data.on)
    case.investigation_ended_on = on
    case.legal_review_due_on = _stamp(case, rules.legal_review_due(load_calendar(session), on))
    case.status = S.reviewing
    _step(case, action="end_investigation", label="调查终结报告，提交审核", actor=actor, note=data.note,
          due_on=case.legal_review_due_on, basis="程序规定第四十九条至第五十五条")
    _trail.audit(session, actor, "investigation_ended", case, review_due_on=case.legal_review_due_on)


def _complete_review(session: Session, actor: Actor, case: Case, data: StepIn) -> None:
    """Art. 49: the reviewer is not an investigator of the case."""
    if actor.username in case.officers:
        raise DomainError("enforcement.reviewer_is_investigator", "办案人员不得审核本人办理的案件",
                          basis="程序规定第四十九条")
    case.reviewed_on, case.review_opinion, case.status = _on(data.on), data.note or "同意", S.reviewed
    _step(case, action="complete_review", label="审核完毕", actor=actor, note=case.review_opinion,
          basis="程序规定第五十五条")
    _trail.audit(session, actor, "reviewed", case)


def _serve_notice(session: Session, actor: Actor, case: Case, data: StepIn) -> None:
    """Arts. 57, 59; 听证办法 Art. 5: the prior notice (with hearing rights when thresholds are met)."""
    _check_kinds(data.penalty_kinds)
    on = _on(data.on)
    fine, confiscated = data.fine or Decimal(0), data.confiscated or Decimal(0)
    calendar = load_calendar(session)
    case.proposed_kinds, case.proposed_fine, case.proposed_confiscation = list(data.penalty_kinds), fine, confiscated
    case.notice_served_on = on
    case.statement_due_on = _stamp(case, rules.statement_due(calendar, on))
    case.hearing_rights = rules.hearing_required(party_kind=case.party_kind, penalty_kinds=data.penalty_kinds,
                                                 fine=fine, confiscated=confiscated,
                                                 overrides=service.rule_overrides(session))
    case.hearing_request_due_on = _stamp(case, rules.hearing_request_due(calendar, on)) \
        if case.hearing_rights else None
    case.status = S.notified
    _step(case, action="serve_notice", label="送达行政处罚告知书" + ("（含听证告知）" if case.hearing_rights else ""),
          actor=actor, due_on=case.statement_due_on, basis="程序规定第五十七条" +
          ("；听证办法第五条；行政处罚法第六十四条" if case.hearing_rights else ""))
    documents.issue(session, case, "notice")
    if case.hearing_rights:
        documents.issue(session, case, "hearing_notice")
    _trail.audit(session, actor, "notice_served", case, hearing_rights=case.hearing_rights, fine=str(fine))


def _record_statement(session: Session, actor: Actor, case: Case, data: StepIn) -> None:
    if not data.note.strip():
        raise DomainError("enforcement.statement_empty", "请填写陈述申辩内容")
    case.statement = data.note.strip()
    _step(case, action="record_statement", label="记录陈述申辩", actor=actor, note=case.statement,
          basis="程序规定第五十七条、第五十八条")
    _trail.audit(session, actor, "statement_recorded", case)


def _request_hearing(session: Session, actor: Actor, case: Case, data: StepIn) -> None:
    """行政处罚法 Art. 64: only when the notice gave hearing rights, within 5 working days."""
    on = _on(data.on)
    if not case.hearing_rights:
        raise DomainError("enforcement.no_hearing_rights", "本案拟作出的处罚不属于听证范围", basis="听证办法第五条")
    if on > case.hearing_request_due_on:
        raise DomainError("enforcement.hearing_window_closed",
                          f"听证申请期限已于{case.hearing_request_due_on.isoformat()}届满，视为放弃听证权利",
                          due_on=case.hearing_request_due_on.isoformat(),
                          basis="行政处罚法第六十四条；程序规定第五十七条")
    if data.hearing_on is None or data.hearing_on < on or rules.hearing_notice_latest(data.hearing_on) < on:
        raise DomainError("enforcement.hearing_date", "听证日期应当在通知当事人七日之后", basis="行政处罚法第六十四条")
    case.hearing_requested_on, case.hearing_on, case.status = on, data.hearing_on, S.hearing
    _pause_clock(case, "hearing", on)
    _step(case, action="request_hearing", label=f"当事人申请听证，定于{data.hearing_on.isoformat()}举行", actor=actor,
          basis="行政处罚法第六十四条；程序规定第六十四条（听证期间不计入）")
    _trail.audit(session, actor, "hearing_requested", case, hearing_on=data.hearing_on)


def _hold_hearing(session: Session, actor: Actor, case: Case, data: StepIn) -> None:
    on = _on(data.on)
    if on < case.hearing_on:
        raise DomainError("enforcement.hearing_not_yet", "听证尚未到举行日期")
    if actor.username in case.officers:
        raise DomainError("enforcement.presider_is_investigator", "听证主持人不得由本案调查人员担任",
                          basis="行政处罚法第六十四条")
    case.hearing_held_on, case.status = on, S.notified
    _resume_clock(session, case, on)
    _step(case, action="hold_hearing", label="举行听证", actor=actor, note=data.note, basis="行政处罚法第六十四条")
    _trail.audit(session, actor, "hearing_held", case)


def _precheck_decision(session: Session, actor: Actor, case_id: int) -> None:
    """A decision needs the prior notice first (Art. 57): a clearer refusal than 'wrong state'."""
    case = service.get_case(session, actor=actor, case_id=case_id)
    if case.status in {S.investigating, S.reviewing, S.reviewed} and case.notice_served_on is None:
        raise DomainError("enforcement.notice_required",
                          "作出处罚决定前应当告知当事人拟作出的处罚及其陈述、申辩（听证）权利",
                          basis="行政处罚法第四十四条、第六十二条；程序规定第五十七条")


def _decide(session: Session, actor: Actor, case: Case, data: StepIn) -> None:
    """Arts. 57–62: after the notice window; no heavier than notified; collective for major cases;
    within the discretion benchmark or with a recorded reason."""
    on = _on(data.on)
    _check_kinds(data.penalty_kinds)
    fine, confiscated = data.fine or Decimal(0), data.confiscated or Decimal(0)
    if case.statement is None and case.hearing_held_on is None and on <= case.statement_due_on:
        raise DomainError("enforcement.statement_window_open",
                          f"陈述申辩期限至{case.statement_due_on.isoformat()}，期满或当事人陈述申辩后方可作出决定",
                          basis="程序规定第五十七条")
    if fine > (case.proposed_fine or 0) or confiscated > (case.proposed_confiscation or 0) or \
            set(data.penalty_kinds) - set(case.proposed_kinds or ()):
        raise DomainError("enforcement.heavier_than_notice", "处罚决定不得重于告知的拟处罚内容，如需加重应当重新告知",
                          basis="程序规定第五十八条")
    if case.major and not data.collective_discussed:
        raise DomainError("enforcement.collective_required", "重大复杂案件应当经负责人集体讨论决定",
                          basis="程序规定第六十条")
    if not data.legal_basis.strip():
        raise DomainError("enforcement.basis_required", "请填写处罚依据")
    _check_benchmark(session, case, data, fine)
    calendar = load_calendar(session)
    case.penalty_kinds, case.fine_amount, case.confiscated_amount = list(data.penalty_kinds), fine, confiscated
    case.legal_basis, case.benchmark_id = data.legal_basis.strip(), data.benchmark_id
    case.outside_range_reason = data.outside_range_reason.strip() or None
    case.collective_discussed = data.collective_discussed
    case.decided_on = on
    case.decision_no = documents.next_number(session, service.organ_for(session, org_path=case.org_path),
                                             "decision", on.year)
    case.delivery_due_on = _stamp(case, rules.delivery_due(calendar, on))
    case.publicity = rules.publicity_required(simplified=False, penalty_kinds=data.penalty_kinds)
    if case.publicity:
        case.publicity_due_on = _stamp(case, rules.publicity_due(calendar, on))
        case.publicity_period = rules.publicity_period(party_kind=case.party_kind, penalty_kinds=data.penalty_kinds,
                                                       fine=fine, overrides=service.rule_overrides(session))
    case.status = S.decided
    _step(case, action="decide", label=f"作出行政处罚决定 {case.decision_no}", actor=actor, due_on=case.delivery_due_on,
          basis="程序规定第六十条至第六十二条", note=case.outside_range_reason or "")
    documents.issue(session, case, "decision")
    _trail.audit(session, actor, "penalty_decided", case, decision_no=case.decision_no, fine=str(fine),
           outside_range_reason=case.outside_range_reason)
    _publish_decided(session, case, serious_candidate=data.serious_candidate)


def _check_benchmark(session: Session, case: Case, data: StepIn, fine: Decimal) -> None:
    if "fine" not in data.penalty_kinds:
        return
    if data.benchmark_id is None:
        raise DomainError("enforcement.benchmark_required", "请选择适用的裁量基准")
    bench = session.get(Benchmark, data.benchmark_id)
    if bench is None or bench.violation_type != case.violation_type:
        raise DomainError("enforcement.benchmark_mismatch", "裁量基准与本案违法行为类型不符")
    if not rules.within_range(fine, bench.fine_min, bench.fine_max) and not data.outside_range_reason.strip():
        raise DomainError("enforcement.outside_benchmark",
                          f"罚款金额超出裁量基准（{bench.fine_min}–{bench.fine_max}元），应当说明理由",
                          fine_min=str(bench.fine_min), fine_max=str(bench.fine_max))


def _yuan(amount: Decimal | None) -> str:
    """Money in event payloads: a decimal string in yuan with two places."""
    return str((amount or Decimal(0)).quantize(Decimal("0.01")))


def _publish_decided(session: Session, case: Case, *, serious_candidate: bool) -> None:
    """``serious_candidate``: the deciding officer's finding that the facts may meet the serious-list
    criteria (Order 44 Arts. 5–11, e.g. a fine at the heavier end of the benchmark); the heavier
    penalty kinds themselves are judged by the credit domain's rules."""
    until = rules.publicity_until(case.decided_on, case.publicity_period) if case.publicity_period else None
    _trail.publish(session, events.PenaltyDecided(case_no=case.case_no, decision_no=case.decision_no,
             decided_on=case.decided_on.isoformat(), organ_name=case.organ_name,
             violation_type=case.violation_type, violation_label=case.violation_label,
             penalty_kinds=list(case.penalty_kinds or ()), fine_amount=_yuan(case.fine_amount),
             confiscated_amount=_yuan(case.confiscated_amount), legal_basis=case.legal_basis or "",
             simplified=case.procedure == "simplified", publicity=case.publicity,
             publicity_period=case.publicity_period, publicity_until=until.isoformat() if until else None,
             serious_candidate=serious_candidate), case)


def _deliver(session: Session, actor: Actor, case: Case, data: StepIn) -> None:
    on = _on(data.on)
    case.delivered_on = on
    if case.fine_amount:
        case.payment_due_on = _stamp(case, rules.payment_due(load_calendar(session), on))
    case.status = S.executing
    _step(case, action="deliver", label="送达行政处罚决定书", actor=actor, due_on=case.payment_due_on,
          basis="程序规定第八十一条；第七十二条（十五日内缴纳罚款）")
    documents.issue(session, case, "delivery")
    _trail.audit(session, actor, "delivered", case, on=on)


def _record_payment(session: Session, actor: Actor, case: Case, data: StepIn) -> None:
    on = _on(data.on)
    if data.amount is None or data.amount <= 0:
        raise DomainError("enforcement.amount_required", "请填写缴款金额")
    late_days = (on - case.payment_due_on).days if case.payment_due_on else 0
    surcharge = rules.late_surcharge(case.fine_amount or Decimal(0), late_days)
    case.paid_amount = (case.paid_amount or Decimal(0)) + data.amount
    if case.paid_amount >= (case.fine_amount or 0):
        case.paid_on = on
        case.closure_due_on = _stamp(case, rules.closure_due(load_calendar(session), on))
    _step(case, action="record_payment", label=f"缴纳罚款 {data.amount} 元", actor=actor,
          note=f"加处罚款 {surcharge} 元" if surcharge else "", basis="程序规定第七十二条、第七十五条")
    _trail.audit(session, actor, "payment_recorded", case, amount=str(data.amount), surcharge=str(surcharge))


def _grant_deferral(session: Session, actor: Actor, case: Case, data: StepIn) -> None:
    """Art. 74: deferral or instalments on the party's written application, approved."""
    if data.until is None or (case.payment_due_on and data.until <= case.payment_due_on):
        raise DomainError("enforcement.deferral_date", "暂缓或分期缴纳的期限应当晚于原缴款期限")
    case.payment_due_on, case.instalments = data.until, max(data.instalments, 0)
    _step(case, action="grant_deferral", label="批准" + ("分期" if data.instalments else "延期") + "缴纳罚款",
          actor=actor, due_on=data.until, basis="程序规定第七十四条", note=data.note)
    _trail.audit(session, actor, "deferral_granted", case, until=data.until, instalments=data.instalments)


def _close(session: Session, actor: Actor, case: Case, data: StepIn) -> None:
    outcome = data.outcome or "executed"
    if outcome not in OUTCOMES:
        raise DomainError("enforcement.outcome_unknown", "结案情形不存在")
    if outcome == "executed" and case.fine_amount and case.paid_on is None:
        raise DomainError("enforcement.not_executed", "罚款尚未缴清，不能以执行完毕结案")
    case.closed_on, case.outcome, case.status = _on(data.on), outcome, S.closed
    _step(case, action="close", label=f"结案：{OUTCOMES[outcome]}", actor=actor, basis="程序规定第七十七条")
    documents.issue(session, case, "closure")
    _trail.audit(session, actor, "case_closed", case, outcome=outcome)
    _trail.publish(session, events.CaseClosed(case_no=case.case_no, closed_on=case.closed_on.isoformat(),
             outcome=outcome), case)


def _archive(session: Session, actor: Actor, case: Case, data: StepIn) -> None:
    case.archived_on, case.status = _on(data.on), S.archived
    _step(case, action="archive", label="立卷归档", actor=actor, basis="程序规定第七十八条")
    _trail.audit(session, actor, "archived", case)


def _pause_clock(case: Case, reason: str, on: dt.date) -> None:
    if case.paused_since is not None:
        raise Conflict("enforcement.already_paused", "案件期限已暂停计算")
    case.paused_since, case.pause_reason = on, reason


def _resume_clock(session: Session, case: Case, on: dt.date) -> None:
    """Art. 64: the excluded period pushes the decision deadline back by its calendar days."""
    if case.paused_since is None:
        raise Conflict("enforcement.not_paused", "案件期限未暂停")
    case.paused_days += max((on - case.paused_since).days, 0)
    case.paused_since, case.pause_reason = None, None
    case.decision_due_on = _stamp(case, rules.decision_due(
        load_calendar(session), case.filed_on, extensions=case.decision_extensions, paused_days=case.paused_days,
        collective_until=case.collective_until))


def _pause(session: Session, actor: Actor, case: Case, data: StepIn) -> None:
    if data.reason not in rules.EXCLUDED_PERIODS:
        raise DomainError("enforcement.pause_reason", "请选择不计入办案期限的情形", basis="程序规定第六十四条")
    on = _on(data.on)
    _pause_clock(case, data.reason, on)
    _step(case, action="pause", label=f"期限暂停：{rules.EXCLUDED_PERIODS[data.reason]}", actor=actor, note=data.note,
          basis="程序规定第六十四条")
    _trail.audit(session, actor, "clock_paused", case, reason=data.reason)


def _resume(session: Session, actor: Actor, case: Case, data: StepIn) -> None:
    if case.pause_reason == "hearing":
        raise Conflict("enforcement.resume_by_hearing", "听证期间的暂停在举行听证后自动恢复")
    _resume_clock(session, case, _on(data.on))
    _step(case, action="resume", label="期限恢复计算", actor=actor, due_on=case.decision_due_on,
          basis="程序规定第六十四条")
    _trail.audit(session, actor, "clock_resumed", case, decision_due_on=case.decision_due_on)


def _extend_decision(session: Session, actor: Actor, case: Case, data: StepIn) -> None:
    """Art. 64: +30 days once with the head's approval; beyond that only by collective decision."""
    if case.decision_extensions == 0:
        case.decision_extensions = 1
        label, basis = "经负责人批准延长办案期限三十日", "程序规定第六十四条第一款"
    elif data.collective_discussed and data.until and data.until > (case.decision_due_on or case.filed_on):
        case.decision_extensions += 1
        case.collective_until = data.until
        label, basis = f"经集体讨论决定继续延长至{data.until.isoformat()}", "程序规定第六十四条第一款"
    else:
        raise DomainError("enforcement.extension_needs_collective", "再次延长应当由负责人集体讨论决定并确定合理期限",
                          basis="程序规定第六十四条")
    case.decision_due_on = _stamp(case, rules.decision_due(
        load_calendar(session), case.filed_on, extensions=case.decision_extensions, paused_days=case.paused_days,
        collective_until=case.collective_until))
    _step(case, action="extend_decision", label=label, actor=actor, due_on=case.decision_due_on, basis=basis,
          note=data.note)
    _trail.audit(session, actor, "decision_extended", case, decision_due_on=case.decision_due_on)


def _publish_penalty(session: Session, actor: Actor, case: Case, data: StepIn) -> None:
    """公示规定 Art. 9: published within 20 working days of the decision."""
    if not case.publicity or case.published_on is not None:
        raise Conflict("enforcement.no_publicity", "本决定无需公示或已公示")
    on = _on(data.on)
    case.published_on = on
    case.publicity_until = rules.publicity_until(on, case.publicity_period or "3y")
    late = case.publicity_due_on is not None and on > case.publicity_due_on
    _step(case, action="publish", label="行政处罚信息公示" + ("（已超期）" if late else ""), actor=actor,
          due_on=case.publicity_until, basis="市场监督管理行政处罚信息公示规定第九条、第十四条")
    _trail.audit(session, actor, "published", case, until=case.publicity_until, late=late)
    _trail.publish(session, events.PenaltyPublished(case_no=case.case_no, decision_no=case.decision_no,
             published_on=on.isoformat(), publicity_until=case.publicity_until.isoformat()), case)


def _end_publicity(session: Session, actor: Actor, case: Case, data: StepIn) -> None:
    """Art. 14(3): early stop when all four conditions hold (the facts are ticked by staff)."""
    ticked = set(data.penalty_kinds)  # the form's checklist reuses the multi-value field
    facts = rules.EarlyStopFacts(duties_performed="duties" in ticked, harm_removed="harm" in ticked,
                                 no_repeat="no_repeat" in ticked, not_on_lists="lists" in ticked)
    refusals = rules.early_stop_refusals(facts, case.penalty_kinds or ())
    if refusals:
        raise DomainError("enforcement.early_stop_refused", "不符合提前停止公示条件：" + "；".join(refusals),
                          basis="市场监督管理行政处罚信息公示规定第十四条")
    end_publicity(session, actor=actor, case=case, on=_on(data.on), reason="revoked")


def end_publicity(session: Session, *, actor: Actor, case: Case, on: dt.date, reason: str) -> bool:
    """End the publication (expired, repaired or stopped early); idempotent."""
    if case.published_on is None or case.publicity_ended_on is not None:
        return False
    case.publicity_ended_on, case.publicity_end_reason = on, reason
    label = {"expired": "公示期满", "repaired": "信用修复，停止公示", "revoked": "提前停止公示"}[reason]
    _step(case, action="end_publicity", label=label, actor=actor, basis="市场监督管理行政处罚信息公示规定第十四条")
    _trail.audit(session, actor, "publicity_ended", case, reason=reason)
    _trail.publish(session, events.PenaltyPublicityEnded(decision_no=case.decision_no, ended_on=on.isoformat(),
             reason=reason), case)
    return True


def do_expire_publicity(session: Session, *, today: dt.date) -> int:
    """Periodic sweep over stored ``publicity_until``: idempotent, catches up after a missed run."""
    ended = 0
    for case in service.publicity_expired(session, today=today):
        ended += end_publicity(session, actor=SYSTEM, case=case, on=case.publicity_until, reason="expired")
    return ended


# steps reserved to the reviewer (法制审核, hearing presided by a non-investigator) and the head
STEP_PERMISSIONS = {"complete_review": "enforcement.review", "hold_hearing": "enforcement.review",
                    "decide": "enforcement.decide", "extend_decision": "enforcement.decide"}

_STEPS = {
    "add_evidence": _add_evidence, "extend_seizure": _extend_seizure, "release_evidence": _release_evidence,
    "end_investigation": _end_investigation, "complete_review": _complete_review, "serve_notice": _serve_notice,
    "record_statement": _record_statement, "request_hearing": _request_hearing, "hold_hearing": _hold_hearing,
    "decide": _decide, "deliver": _deliver, "record_payment": _record_payment, "grant_deferral": _grant_deferral,
    "close": _close, "archive": _archive, "pause": _pause, "resume": _resume, "extend_decision": _extend_decision,
    "publish": _publish_penalty, "end_publicity": _end_publicity,
}


# ----------------------------------------------------------------------------- transfers (行刑衔接)


def do_transfer(session: Session, *, actor: Actor, case_id: int, data: TransferIn) -> Transfer:
    """Transfer a case that may meet criminal thresholds to the police, with a document package."""
    case = _load(session, actor, case_id, "transfer_police", permission="enforcement.transfer")
    target = org.unit_by_code(session, code=data.target_code)
    if target is None or target.level != "police":
        raise DomainError("enforcement.transfer_target", "请选择接收移送的公安机关")
    on = clock.today()
    calendar, overrides = load_calendar(session), service.rule_overrides(session)
    transfer = Transfer(case_id=case.id, kind="police", from_org_path=case.org_path, target_path=target.path,
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
    _trail.audit(session, actor, "transferred_to_police", case, target=target.code)
    return transfer


def _police_transfer(session: Session, actor: Actor, transfer_id: int) -> Transfer:
    actor.require("enforcement.police")
    transfer = service.get_transfer(session, actor=actor, transfer_id=transfer_id)
    return transfer


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


# ----------------------------------------------------------------------------- benchmarks, conflicts


def do_save_benchmark(session: Session, *, actor: Actor, data: BenchmarkIn) -> Benchmark:
    """Create or change a discretion benchmark; the old and new ranges go to the audit log."""
    actor.require("enforcement.benchmarks")
    _violation_label(data.violation_type)
    if data.fine_min > data.fine_max:
        raise DomainError("enforcement.range_invalid", "罚款下限不能高于上限")
    row = session.scalar(select(Benchmark).where(Benchmark.violation_type == data.violation_type,
                                                 Benchmark.circumstance == data.circumstance))
    old = None
    if row is None:
        row = Benchmark(violation_type=data.violation_type, circumstance=data.circumstance)
        session.add(row)
    else:
        old = {"fine_min": str(row.fine_min), "fine_max": str(row.fine_max), "legal_basis": row.legal_basis}
    row.violation_label, row.fine_min, row.fine_max = data.violation_label, data.fine_min, data.fine_max
    row.legal_basis, row.updated_at, row.updated_by = data.legal_basis, clock.now(), actor.username
    session.flush()
    audit.record(session, actor=actor, action="enforcement.benchmark_saved", subject_type="enforcement_benchmark",
                 subject_id=row.id, old=old, new=data.model_dump(mode="json"))
    return row


def do_declare_conflict(session: Session, *, actor: Actor, data: ConflictIn) -> ConflictDeclaration:
    """An officer (or the unit head for them) declares a relation to a party (Art. 4)."""
    actor.require("enforcement.handle")
    if data.username != actor.username:
        actor.require("enforcement.decide")
    existing = session.scalar(select(ConflictDeclaration).where(ConflictDeclaration.username == data.username,
                                                                ConflictDeclaration.party == data.party))
    if existing is not None:
        return existing
    row = ConflictDeclaration(username=data.username, party=data.party.strip(), relation=data.relation.strip(),
                              declared_at=clock.now())
    session.add(row)
    session.flush()
    audit.record(session, actor=actor, action="enforcement.conflict_declared", subject_type="enforcement_conflict",
                 subject_id=row.id, new=data.model_dump())
    return row



# ----------------------------------------------------------------------------- case-file review (案卷评查)


def do_sample_reviews(session: Session, *, actor: Actor, share: float, seed: int | None = None) -> list[FileReview]:
    """Draw a random share of the closed cases in the actor's jurisdiction not yet reviewed."""
    actor.require("enforcement.review")
    if not 0 < share <= 1:
        raise DomainError("enforcement.share_invalid", "抽取比例应在0到1之间")
    pool = service.unreviewed_closed_cases(session, actor=actor)
    if not pool:
        return []
    rng = random.Random(seed)
    picked = rng.sample(pool, max(1, round(len(pool) * share)))
    now = clock.now()
    reviews = [FileReview(case_id=case_id, sampled_at=now) for case_id in sorted(picked)]
    session.add_all(reviews)
    session.flush()
    audit.record(session, actor=actor, action="enforcement.reviews_sampled", subject_type="enforcement_file_review",
                 new={"share": share, "cases": sorted(picked)})
    return reviews


def do_score_review(session: Session, *, actor: Actor, review_id: int, scores: dict[str, int]) -> FileReview:
    """Score one sampled case file against the checklist; the reviewer must not have handled it."""
    actor.require("enforcement.review")
    review = service.get_review(session, actor=actor, review_id=review_id)
    case = session.get(Case, review.case_id)
    if actor.username in case.officers:
        raise DomainError("enforcement.reviewer_is_investigator", "办案人员不得评查本人办理的案卷")
    unknown = set(scores) - set(REVIEW_CHECKLIST)
    missing = set(REVIEW_CHECKLIST) - set(scores)
    if unknown or missing:
        raise DomainError("enforcement.review_items", "请按评查标准逐项打分", missing=sorted(missing))
    for key, value in scores.items():
        if not 0 <= value <= REVIEW_CHECKLIST[key][1]:
            raise DomainError("enforcement.review_score", f"“{REVIEW_CHECKLIST[key][0]}”得分应在0到"
                              f"{REVIEW_CHECKLIST[key][1]}之间", item=key)
    old = review.scores
    review.scores, review.total = dict(scores), sum(scores.values())
    review.reviewer, review.reviewed_on = actor.username, clock.today()
    session.flush()
    audit.record(session, actor=actor, action="enforcement.review_scored", subject_type="enforcement_file_review",
                 subject_id=review.id, old=old, new={"scores": scores, "total": review.total})
    return review


def do_set_rule_figure(session: Session, *, actor: Actor, key: str, value: Decimal, note: str) -> RuleOverride:
    """Enter the in-force value of a figure RULES.md does not confirm (e.g. a Shandong amount)."""
    actor.require("enforcement.benchmarks")
    fig = rules.FIGURES.get(key)
    if fig is None:
        raise NotFound("enforcement.rule_unknown", "规则参数不存在")
    if not fig.editable:
        raise DomainError("enforcement.rule_confirmed", "该参数已经两处权威来源确认，不能修改")
    if value <= 0 or (fig.unit != "yuan" and (value != int(value) or value > 365)):
        raise DomainError("enforcement.rule_value", "参数值无效")
    row = session.get(RuleOverride, key) or RuleOverride(key=key)
    old = None if row.value is None else str(row.value)
    row.value, row.note, row.updated_by, row.updated_at = value, (note or "")[:200], actor.username, clock.now()
    session.add(row)
    session.flush()
    audit.record(session, actor=actor, action="enforcement.rule_figure_set", subject_type="rule", subject_id=key,
                 old={"value": old}, new={"value": str(value), "note": note})
    return row
