"""Handling a complaint: acceptance, mediation, settlement, referral, transfer to the police,
duplicates and clues."""

from __future__ import annotations

from sqlalchemy.orm import Session

from marketreg.domains.complaints import rules, service
from marketreg.domains.complaints.actions.common import (
    OTHER_ROUTES,
    _audit,
    _basis,
    _close,
    _first_response,
    _load,
    _notify_filer,
    _now_today,
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


def do_accept(session: Session, *, actor: Actor, item_id: int) -> Item:
    item = _load(session, actor, item_id, "accept")
    if item.kind != Kind.complaint:
        raise DomainError("complaints.not_a_complaint", "只有投诉需要作出受理决定")
    now, today = _now_today()
    rule_set = _rules_for(session, item.received_on)
    calendar = load_calendar(session)
    item.status, item.accepted_at = Status.accepted, now
    mediation = rules.due(calendar, today, rule_set.figure("mediation_limit"))
    item.mediation_due_on, item.provisional = mediation.due_on, item.provisional or mediation.provisional
    _first_response(item)
    _refresh_next_due(item)
    _step(item, action="accepted", label="决定受理", actor=actor, basis=rule_set.figure("accept_decision").basis,
          due_on=item.mediation_due_on, note="调解期限届满日见右侧期限")
    _audit(session, actor, "accepted", item)
    _notify_filer(session, item, "您的投诉已受理")
    return item


def do_refuse(session: Session, *, actor: Actor, item_id: int, ground: str, note: str = "") -> Item:
    """不予受理 with a statutory ground; the notice gives reasons and other routes (办法第十五条)."""
    item = _load(session, actor, item_id, "refuse")
    rule_set = _rules_for(session, item.received_on)
    service.require_ground(rule_set.refusal_grounds, ground)
    chosen = rule_set.ground(ground)
    text = f"{chosen.label}。{clean_text(note, '说明') or ''}{OTHER_ROUTES}"
    _close(session, actor, item, Outcome.not_accepted, ground=ground, note=text, basis=chosen.basis)
    return item


def do_start_mediation(session: Session, *, actor: Actor, item_id: int, complainant_consents: bool,
                       respondent_consents: bool) -> Item:
    """Mediation only with both parties' consent (RULES 1.5, 1.25)."""
    item = _load(session, actor, item_id, "start_mediation")
    if not (complainant_consents and respondent_consents):
        raise DomainError("complaints.consent_required", "调解须经投诉人和被投诉人双方同意",
                          basis=_basis(item, "暂行办法第十六条", "办法第十八条"))
    item.status, item.mediation_started_at = Status.mediating, clock.now()
    _refresh_next_due(item)
    _step(item, action="mediation_started", label="双方同意，开始调解", actor=actor, due_on=item.mediation_due_on,
          basis=_basis(item, "暂行办法第十六条", "办法第十八条"))
    _audit(session, actor, "mediation_started", item)
    return item


def do_pause_mediation(session: Session, *, actor: Actor, item_id: int, reason: str) -> Item:
    """Testing, inspection or appraisal time does not count (RULES 1.7, 1.26)."""
    item = _load(session, actor, item_id, "pause_mediation")
    if item.paused_since is not None:
        raise DomainError("complaints.already_paused", "调解期限已中止计算")
    item.paused_since = clock.today()
    _step(item, action="mediation_paused", label="检测鉴定，调解期限中止计算", actor=actor,
          note=clean_text(reason, "原因") or "", basis=_basis(item, "暂行办法第二十条", "办法第二十二条"))
    _audit(session, actor, "mediation_paused", item, reason=reason)
    return item


def do_resume_mediation(session: Session, *, actor: Actor, item_id: int) -> Item:
    item = _load(session, actor, item_id, "resume_mediation")
    if item.paused_since is None:
        raise DomainError("complaints.not_paused", "调解期限未中止")
    today = clock.today()
    rule_set = _rules_for(session, item.received_on)
    calendar = load_calendar(session)
    figure = rule_set.figure("mediation_limit")
    paused = (calendar.working_days_between(item.paused_since, today) if figure.unit == "workdays"
              else (today - item.paused_since).days)
    item.mediation_paused_days += paused
    item.paused_since = None
    start = clock.business_date(item.accepted_at) if item.accepted_at else item.received_on
    item.mediation_due_on = rules.due(calendar, start, figure, paused_days=item.mediation_paused_days).due_on
    _refresh_next_due(item)
    _step(item, action="mediation_resumed", label=f"恢复调解（扣除检测鉴定时间{paused}天）", actor=actor,
          due_on=item.mediation_due_on)
    _audit(session, actor, "mediation_resumed", item, paused_days=paused)
    return item


def do_close_mediated(session: Session, *, actor: Actor, item_id: int, note: str) -> Item:
    item = _load(session, actor, item_id, "close_mediated")
    _close(session, actor, item, Outcome.mediated, note=clean_text(note, "调解结果") or "",
           basis=_basis(item, "暂行办法第二十二条", "办法第二十四条"))
    return item


def do_terminate_mediation(session: Session, *, actor: Actor, item_id: int, ground: str, note: str = "") -> Item:
    """终止调解 with a statutory ground; both parties are told within 7 working days."""
    item = _load(session, actor, item_id, "terminate_mediation")
    rule_set = _rules_for(session, item.received_on)
    service.require_ground(rule_set.termination_grounds, ground)
    chosen = rule_set.ground(ground)
    _close(session, actor, item, Outcome.mediation_terminated, ground=ground,
           note=f"{chosen.label}。{clean_text(note, '说明') or ''}", basis=chosen.basis)
    notice = load_calendar(session).add_workdays(clock.today(), rule_set.figure("termination_notice").value)
    _step(item, action="termination_notice_due", label="告知双方终止调解", actor=actor, due_on=notice.due_on,
          basis=rule_set.figure("termination_notice").basis, public=False)
    return item


def do_settle(session: Session, *, actor: Actor, item_id: int, note: str) -> Item:
    item = _load(session, actor, item_id, "settle")
    _close(session, actor, item, Outcome.settled, note=clean_text(note, "和解情况") or "")
    return item


def do_refer(session: Session, *, actor: Actor, item_id: int, to: str, note: str = "") -> Item:
    item = _load(session, actor, item_id, "refer")
    target = clean_text(to, "移送单位")
    if not target:
        raise DomainError("complaints.refer_target_required", "请填写移送或告知的部门")
    _close(session, actor, item, Outcome.referred, note=f"移送／告知：{target}。{clean_text(note, '说明') or ''}")
    return item


def do_transfer_to_police(session: Session, *, actor: Actor, item_id: int, note: str) -> Item:
    """Suspected extortion or fraudulent claims go to the police (办法第四十二条, RULES 1.36)."""
    item = _load(session, actor, item_id, "transfer_to_police")
    if not clean_text(note, "移送理由"):
        raise DomainError("complaints.reason_required", "请写明涉嫌违法索赔的事实")
    _close(session, actor, item, Outcome.transferred_to_police, note=note,
           basis="办法第四十二条、第二十三条第一款第（六）项")
    _publish(session, "police_transfer", item, note=note)
    return item


def do_mark_duplicate(session: Session, *, actor: Actor, item_id: int, of_query_code: str) -> Item:
    item = _load(session, actor, item_id, "mark_duplicate")
    original = service.by_query_code(session, query_code=of_query_code)
    ensure_writable(actor, original.org_path, "重复的原投诉举报")
    if original.id == item.id:
        raise DomainError("complaints.self_duplicate", "不能标记为与自身重复")
    item.duplicate_of_id = original.id
    _close(session, actor, item, Outcome.duplicate, note=f"与 {original.query_code} 重复")
    return item


def do_raise_clue(session: Session, *, actor: Actor, item_id: int, summary: str) -> Item:
    """A violation found during mediation becomes a clue (RULES 1.10, 1.30)."""
    item = _load(session, actor, item_id, "raise_clue")
    summary = clean_text(summary, "线索") or ""
    if not summary:
        raise DomainError("complaints.reason_required", "请描述发现的违法线索")
    _publish(session, "clue_raised", item, source="mediation", received_on=clock.today().isoformat(), summary=summary)
    _step(item, action="clue_raised", label="发现违法线索，移交核查", actor=actor, note=summary, public=False,
          basis=_basis(item, "暂行办法第二十三条", "办法第二十七条"))
    _audit(session, actor, "clue_raised", item)
    return item
