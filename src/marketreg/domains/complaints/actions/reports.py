"""Reports (举报) and consultations: the filing decision, its extension, merging, answers."""

from __future__ import annotations

from sqlalchemy.orm import Session

from marketreg.domains.complaints import rules, service
from marketreg.domains.complaints.actions.common import (
    _audit,
    _close,
    _load,
    _publish,
    _refresh_next_due,
    _rules_for,
    _step,
)
from marketreg.domains.complaints.enums import Kind, Outcome, Status
from marketreg.domains.complaints.models import Item
from marketreg.domains.complaints.schemas import clean_text
from marketreg.kernel import clock
from marketreg.kernel.errors import DomainError
from marketreg.platform.authz import Actor, ensure_writable
from marketreg.platform.calendar import load_calendar


def do_decide_report(session: Session, *, actor: Actor, item_id: int, filed: bool, note: str = "") -> Item:
    item = _load(session, actor, item_id, "decide_report")
    outcome = Outcome.converted_to_clue if filed else Outcome.not_filed
    _close(session, actor, item, outcome, note=clean_text(note, "说明") or "",
           basis="行政处罚程序规定第十九条" if filed else "行政处罚程序规定第二十条")
    _publish(session, "report_decided", item, filed=filed)
    rule_set = _rules_for(session, item.received_on)
    if filed and "report_notice" in rule_set.figures and not item.anonymous:  # 2022 only (RULES 1.13 vs 1.34)
        notice = load_calendar(session).add_workdays(clock.today(), rule_set.figure("report_notice").value)
        _step(item, action="report_notice_due", label="告知实名举报人立案情况", actor=actor, due_on=notice.due_on,
              basis=rule_set.figure("report_notice").basis, public=False)
    return item


def do_extend_report(session: Session, *, actor: Actor, item_id: int, reason: str) -> Item:
    """+15 working days with the head's approval (程序规定第十八条)."""
    item = _load(session, actor, item_id, "extend_report", permission="complaints.supervise")
    if item.report_due_on is None or any(s.action == "report_extended" for s in item.steps):
        raise DomainError("complaints.already_extended", "核查期限只能延长一次")
    rule_set = _rules_for(session, item.received_on)
    steps = rules.clocks(load_calendar(session), kind=Kind.report, received_on=item.received_on, rules=rule_set)
    item.report_due_on = next(c for c in steps if c.step == "report_filing_decision_extended").due_on
    _refresh_next_due(item)
    _step(item, action="report_extended", label="经批准延长核查期限", actor=actor,
          note=clean_text(reason, "理由") or "", due_on=item.report_due_on,
          basis=rule_set.figure("report_filing_extension").basis)
    _audit(session, actor, "report_extended", item)
    return item


def do_merge_report(session: Session, *, actor: Actor, item_id: int, into_query_code: str) -> Item:
    """A report with new facts merged into the earlier one; the period restarts from the last
    report (办法第三十五条, RULES 1.33)."""
    item = _load(session, actor, item_id, "merge_report")
    target = service.by_query_code(session, query_code=into_query_code)
    ensure_writable(actor, target.org_path, "并入的举报")
    target = service.get_item(session, actor=actor, item_id=target.id, for_update=True)
    if target.id == item.id or target.kind != Kind.report or target.status != Status.verifying:
        raise DomainError("complaints.bad_merge_target", "只能并入正在核查的其他举报")
    rule_set = _rules_for(session, item.received_on)
    calendar = load_calendar(session)
    target.report_due_on = rules.due(calendar, item.received_on, rule_set.figure("report_filing_decision")).due_on
    _refresh_next_due(target)
    _step(target, action="report_merged", label=f"合并举报 {item.query_code}，核查期限重新计算", actor=actor,
          due_on=target.report_due_on, basis="办法第三十五条", public=False)
    item.merged_into_id = target.id
    _close(session, actor, item, Outcome.merged, note=f"并入举报 {target.query_code} 处理", basis="办法第三十五条")
    return item


def do_answer(session: Session, *, actor: Actor, item_id: int, answer: str) -> Item:
    item = _load(session, actor, item_id, "answer")
    if item.kind != Kind.consultation:
        raise DomainError("complaints.not_a_consultation", "只有咨询可以直接答复办结")
    _close(session, actor, item, Outcome.answered, note=clean_text(answer, "答复") or "")
    return item
