"""The steps of an open case, dispatched by ``do_step`` (the only write path of an open case),
and the end of penalty publicity."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy.orm import Session

from marketreg.domains.enforcement import documents, rules, service
from marketreg.domains.enforcement.actions.common import (
    S,
    _audit,
    _check_kinds,
    _load,
    _on,
    _publish,
    _publish_decided,
    _refresh_next_due,
    _stamp,
    _step,
)
from marketreg.domains.enforcement.enums import EVIDENCE_KINDS, OUTCOMES
from marketreg.domains.enforcement.models import Benchmark, Case, Evidence
from marketreg.domains.enforcement.schemas import StepIn
from marketreg.kernel.errors import Conflict, DomainError, NotFound
from marketreg.platform.authz import SYSTEM, Actor
from marketreg.platform.calendar import load_calendar


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
    _audit(session, actor, "evidence_added", case, kind=data.kind, due_on=due)


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
    _audit(session, actor, "seizure_extended", case, evidence_id=ev.id, due_on=ev.due_on)


def _release_evidence(session: Session, actor: Actor, case: Case, data: StepIn) -> None:
    ev = _evidence(case, data.evidence_id)
    ev.released_on = _on(data.on)
    _step(case, action="release_evidence", label=f"解除{EVIDENCE_KINDS[ev.kind]}", actor=actor, note=data.note)
    _audit(session, actor, "evidence_released", case, evidence_id=ev.id)


def _end_investigation(session: Session, actor: Actor, case: Case, data: StepIn) -> None:
    on = _on(data.on)
    case.investigation_ended_on = on
    case.legal_review_due_on = _stamp(case, rules.legal_review_due(load_calendar(session), on))
    case.status = S.reviewing
    _step(case, action="end_investigation", label="调查终结报告，提交审核", actor=actor, note=data.note,
          due_on=case.legal_review_due_on, basis="程序规定第四十九条至第五十五条")
    _audit(session, actor, "investigation_ended", case, review_due_on=case.legal_review_due_on)


def _complete_review(session: Session, actor: Actor, case: Case, data: StepIn) -> None:
    """Art. 49: the reviewer is not an investigator of the case."""
    if actor.username in case.officers:
        raise DomainError("enforcement.reviewer_is_investigator", "办案人员不得审核本人办理的案件",
                          basis="程序规定第四十九条")
    case.reviewed_on, case.review_opinion, case.status = _on(data.on), data.note or "同意", S.reviewed
    _step(case, action="complete_review", label="审核完毕", actor=actor, note=case.review_opinion,
          basis="程序规定第五十五条")
    _audit(session, actor, "reviewed", case)


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
    _audit(session, actor, "notice_served", case, hearing_rights=case.hearing_rights, fine=str(fine))


def _record_statement(session: Session, actor: Actor, case: Case, data: StepIn) -> None:
    if not data.note.strip():
        raise DomainError("enforcement.statement_empty", "请填写陈述申辩内容")
    case.statement = data.note.strip()
    _step(case, action="record_statement", label="记录陈述申辩", actor=actor, note=case.statement,
          basis="程序规定第五十七条、第五十八条")
    _audit(session, actor, "statement_recorded", case)


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
    _audit(session, actor, "hearing_requested", case, hearing_on=data.hearing_on)


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
    _audit(session, actor, "hearing_held", case)


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
    _audit(session, actor, "penalty_decided", case, decision_no=case.decision_no, fine=str(fine),
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


def _deliver(session: Session, actor: Actor, case: Case, data: StepIn) -> None:
    on = _on(data.on)
    case.delivered_on = on
    if case.fine_amount:
        case.payment_due_on = _stamp(case, rules.payment_due(load_calendar(session), on))
    case.status = S.executing
    _step(case, action="deliver", label="送达行政处罚决定书", actor=actor, due_on=case.payment_due_on,
          basis="程序规定第八十一条；第七十二条（十五日内缴纳罚款）")
    documents.issue(session, case, "delivery")
    _audit(session, actor, "delivered", case, on=on)


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
    _audit(session, actor, "payment_recorded", case, amount=str(data.amount), surcharge=str(surcharge))


def _grant_deferral(session: Session, actor: Actor, case: Case, data: StepIn) -> None:
    """Art. 74: deferral or instalments on the party's written application, approved."""
    if data.until is None or (case.payment_due_on and data.until <= case.payment_due_on):
        raise DomainError("enforcement.deferral_date", "暂缓或分期缴纳的期限应当晚于原缴款期限")
    case.payment_due_on, case.instalments = data.until, max(data.instalments, 0)
    _step(case, action="grant_deferral", label="批准" + ("分期" if data.instalments else "延期") + "缴纳罚款",
          actor=actor, due_on=data.until, basis="程序规定第七十四条", note=data.note)
    _audit(session, actor, "deferral_granted", case, until=data.until, instalments=data.instalments)


def _close(session: Session, actor: Actor, case: Case, data: StepIn) -> None:
    outcome = data.outcome or "executed"
    if outcome not in OUTCOMES:
        raise DomainError("enforcement.outcome_unknown", "结案情形不存在")
    if outcome == "executed" and case.fine_amount and case.paid_on is None:
        raise DomainError("enforcement.not_executed", "罚款尚未缴清，不能以执行完毕结案")
    case.closed_on, case.outcome, case.status = _on(data.on), outcome, S.closed
    _step(case, action="close", label=f"结案：{OUTCOMES[outcome]}", actor=actor, basis="程序规定第七十七条")
    documents.issue(session, case, "closure")
    _audit(session, actor, "case_closed", case, outcome=outcome)
    _publish(session, "case_closed", case, case_no=case.case_no, closed_on=case.closed_on.isoformat(),
             outcome=outcome)


def _archive(session: Session, actor: Actor, case: Case, data: StepIn) -> None:
    case.archived_on, case.status = _on(data.on), S.archived
    _step(case, action="archive", label="立卷归档", actor=actor, basis="程序规定第七十八条")
    _audit(session, actor, "archived", case)


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
    _audit(session, actor, "clock_paused", case, reason=data.reason)


def _resume(session: Session, actor: Actor, case: Case, data: StepIn) -> None:
    if case.pause_reason == "hearing":
        raise Conflict("enforcement.resume_by_hearing", "听证期间的暂停在举行听证后自动恢复")
    _resume_clock(session, case, _on(data.on))
    _step(case, action="resume", label="期限恢复计算", actor=actor, due_on=case.decision_due_on,
          basis="程序规定第六十四条")
    _audit(session, actor, "clock_resumed", case, decision_due_on=case.decision_due_on)


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
    _audit(session, actor, "decision_extended", case, decision_due_on=case.decision_due_on)


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
    _audit(session, actor, "published", case, until=case.publicity_until, late=late)
    _publish(session, "penalty_published", case, case_no=case.case_no, decision_no=case.decision_no,
             published_on=on.isoformat(), publicity_until=case.publicity_until.isoformat())


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
    _audit(session, actor, "publicity_ended", case, reason=reason)
    _publish(session, "penalty_publicity_ended", case, decision_no=case.decision_no, ended_on=on.isoformat(),
             reason=reason)
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
