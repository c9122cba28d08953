"""Writes of the complaints domain (``do_*``). The caller owns the transaction.

Each action: authorise → load in scope → check the state machine → compute due dates with
the rule version of the receipt date and the work calendar → write → add a timeline step →
audit → publish events → notify.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from operator import attrgetter
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from marketreg.domains.complaints import classify, events, flow, rules, service
from marketreg.domains.complaints.enums import (
    FOLLOW_UP_RESULTS,
    KIND_LABELS,
    OUTCOME_LABELS,
    Kind,
    Outcome,
    PlatformRole,
    Status,
)
from marketreg.domains.complaints.models import (
    Attachment,
    DuplicateLink,
    FollowUp,
    Item,
    RuleOverride,
    Step,
    Supervision,
)
from marketreg.domains.complaints.schemas import IntakeIn, clean_text
from marketreg.domains.org import service as org
from marketreg.domains.reference import service as reference
from marketreg.domains.registry import service as registry
from marketreg.kernel import clock
from marketreg.kernel.codes import check_resident_id, check_uscc
from marketreg.kernel.errors import Conflict, DomainError, PermissionDenied
from marketreg.kernel.regions import SHANDONG, org_path_for_region
from marketreg.platform import audit
from marketreg.platform.authz import Actor, ensure_visible
from marketreg.platform.calendar import WorkCalendar, load_calendar
from marketreg.platform.notify import notify
from marketreg.platform.trail import ActionTrail
from marketreg.platform.uploads import Upload, stored_path
from marketreg.platform.uploads import store as store_upload

RATING_WINDOW_DAYS = 15           # platform setting: consumers may rate / reopen within this window
OTHER_ROUTES = ("您可以依照《中华人民共和国消费者权益保护法》第三十九条，通过与经营者协商和解、"
                "请求消费者协会或者依法成立的其他调解组织调解、根据与经营者达成的仲裁协议提请仲裁机构仲裁、"
                "向人民法院提起诉讼等途径解决。")
_QUERY_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


def _now_today() -> tuple[dt.datetime, dt.date]:
    now = clock.now()
    return now, clock.business_date(now)


def _rules_for(session: Session, received_on: dt.date) -> rules.RuleSet:
    return rules.ruleset_for(received_on, service.rule_overrides(session))


def _org_name(session: Session, org_path: str) -> str:
    code = org_path.rstrip("/").rsplit("/", 1)[-1]
    unit = org.unit_by_code(session, code=code)
    return unit.name if unit else "山东省12315指挥中心"


def _step(item: Item, *, action: str, label: str, actor: Actor, org_name: str = "", note: str = "",
          basis: str = "", due_on: dt.date | None = None, public: bool = True) -> None:
    item.steps.append(Step(at=clock.now(), action=action, label=label, actor_name=actor.display_name,
                           org_name=org_name or actor.org_name, note=note, basis=basis, due_on=due_on, public=public))
    item.updated_at = clock.now()


def _basis(item: Item, old: str, new: str) -> str:
    """The article of the rule version the item is judged by (暂行办法 before 2026-04-15, 办法 after)."""
    return new if item.rule_version == rules.SAMR121_2026.version else old


def _refresh_next_due(item: Item) -> None:
    item.next_due_on = {
        Status.received: item.accept_due_on,
        Status.odr_pending: item.odr_due_on,
        Status.accepted: item.mediation_due_on,
        Status.mediating: item.mediation_due_on,
        Status.verifying: item.report_due_on,
    }.get(item.status)


def _first_response(item: Item) -> None:
    if item.first_response_at is None:
        item.first_response_at = clock.now()


_trail: ActionTrail[Item] = ActionTrail("complaints", "complaint_item", attrgetter("query_code"),
                                        lambda item: (item.respondent_uscc, item.respondent_name))


def _about(item: Item) -> dict:
    """What every complaints event says about its item."""
    return {"item_id": item.id, "query_code": item.query_code, "kind": item.kind,
            "respondent_uscc": item.respondent_uscc, "respondent_name": item.respondent_name}


def _notify_filer(session: Session, item: Item, text: str) -> None:
    """SMS to the phone and, when given, e-mail; an anonymous reporter gets nothing."""
    if item.anonymous:
        return
    message = f"【12315】{text}（查询码 {item.query_code}）"
    for channel, recipient in (("sms", item.complainant_phone), ("email", item.complainant_email)):
        notify(session, channel=channel, recipient=recipient, subject_type="complaint_item",
               subject_id=item.query_code, text=message)


def _load(session: Session, actor: Actor, item_id: int, action: str, permission: str = "complaints.handle") -> Item:
    actor.require(permission)
    item = service.get_item(session, actor=actor, item_id=item_id)
    flow.check(action, item.status)
    return item


def _close(session: Session, actor: Actor, item: Item, outcome: Outcome, *, ground: str | None = None,
           note: str = "", basis: str = "") -> None:
    item.status, item.outcome, item.outcome_ground = Status.closed, outcome, ground
    item.outcome_note = note or None
    item.closed_at = clock.now()
    _first_response(item)
    _refresh_next_due(item)
    _step(item, action=f"close_{outcome}", label=f"办结：{OUTCOME_LABELS[outcome]}", actor=actor, note=note,
          basis=basis)
    _trail.audit(session, actor, "closed", item, outcome=outcome, ground=ground)
    _trail.publish(session, events.ItemClosed(**_about(item), outcome=outcome, ground=ground), item)
    _notify_filer(session, item, f"您的{KIND_LABELS[item.kind]}已办结：{OUTCOME_LABELS[outcome]}")


# ----------------------------------------------------------------------------- intake


def _validate_identity(data: IntakeIn, rule_set: rules.RuleSet, today: dt.date) -> None:
    """RULES 1.2 / 1.20 (complaints), 1.31 (reports: anonymous allowed, else real identity)."""
    needs_identity = data.kind == Kind.complaint or (data.kind == Kind.report and not data.anonymous)
    if data.kind == Kind.complaint and data.anonymous:
        raise DomainError("complaints.identity_required", "投诉不能匿名，请填写姓名、电话和通讯地址",
                          basis="办法第十条" if rule_set.identity_proof_may_be_required else "暂行办法第九条")
    if needs_identity:
        missing = [label for value, label in ((data.complainant_name, "姓名"), (data.complainant_phone, "电话"),
                                              (data.complainant_address, "通讯地址")) if not value]
        if data.kind == Kind.report:
            missing = [m for m in missing if m != "通讯地址"]
        if missing:
            raise DomainError("complaints.identity_required",
                              f"请填写{'、'.join(missing)}（实名{KIND_LABELS[data.kind]}必填）", missing=missing)
    if data.kind == Kind.complaint and not data.request:
        raise DomainError("complaints.request_required", "请填写具体的投诉请求", basis="暂行办法第九条／办法第十条")
    if data.complainant_id_number and not check_resident_id(data.complainant_id_number, today=today).valid:
        raise DomainError("complaints.id_number_invalid", "身份证号码无效")


def _respondent_facts(session: Session, data: IntakeIn) -> tuple[rules.Respondent, str | None, str | None]:
    """Look the respondent (and platform) up in the registry and resolve the given addresses."""
    uscc = None
    if data.respondent_uscc:
        check = check_uscc(data.respondent_uscc)
        if not check.valid:
            raise DomainError("complaints.respondent_uscc_invalid", "被投诉人统一社会信用代码无效",
                              reason=check.reason or "")
        uscc = check.code
    entity = registry.find_respondent(session, uscc=uscc, name=None if uscc else data.respondent_name)
    platform = registry.find_respondent(session, uscc=data.platform_uscc, name=data.platform_name) \
        if data.platform_role == PlatformRole.platform_seller and (data.platform_uscc or data.platform_name) else None

    def county(address: str | None) -> str | None:
        if not address:
            return None
        found = reference.resolve_address(session, text=address)
        return found.code if found.kind == "county" else None

    facts = rules.Respondent(
        region_code=entity.region_code if entity else None,
        address_region_code=county(data.respondent_address),
        platform_role=data.platform_role,
        platform_region_code=platform.region_code if platform else None,
        published_address_region_code=county(data.seller_published_address),
    )
    return facts, (entity.uscc if entity else uscc), (platform.uscc if platform else None)


def _query_code() -> str:
    return "".join(secrets.choice(_QUERY_ALPHABET) for _ in range(10))


def _store_attachments(item: Item, uploads: list[Upload]) -> None:
    for upload in uploads:
        digest = store_upload(upload.content)
        item.attachments.append(Attachment(filename=upload.filename[:200], mime=upload.mime, size=len(upload.content),
                                           sha256=digest, uploaded_at=clock.now()))


def attachment_path(sha256: str) -> Path:
    return stored_path(sha256)


def do_intake(session: Session, *, actor: Actor, data: IntakeIn, idempotency_key: str | None = None,
              uploads: list[Upload] | None = None) -> list[Item]:
    """Register a filing; returns its items (two when a complaint also reports a violation).

    Idempotent: the same key returns the items created the first time.
    """
    if actor.kind == "staff":
        actor.require("complaints.intake")
    if idempotency_key:
        existing = list(session.scalars(select(Item).where(
            Item.idempotency_key.in_([idempotency_key, f"{idempotency_key}:report"])).order_by(Item.id)))
        if existing:
            return existing
    now, today = _now_today()
    rule_set = _rules_for(session, today)
    _validate_identity(data, rule_set, today)
    respondent, respondent_uscc, platform_uscc = _respondent_facts(session, data)
    calendar = load_calendar(session)
    kinds = [data.kind] + ([Kind.report] if data.kind == Kind.complaint and data.also_report else [])
    items: list[Item] = []
    for index, kind in enumerate(kinds):
        item = _new_item(session, data, kind=kind, now=now, today=today, rule_set=rule_set, calendar=calendar,
                         respondent=respondent, respondent_uscc=respondent_uscc, platform_uscc=platform_uscc,
                         key=None if not idempotency_key else idempotency_key + (":report" if index else ""),
                         parent=items[0] if items else None, actor=actor)
        if uploads:
            _store_attachments(item, uploads)
        items.append(item)
    session.flush()
    for item in items:
        _after_intake(session, actor, item, rule_set, today)
    return items


def _new_item(session: Session, data: IntakeIn, *, kind: str, now: dt.datetime, today: dt.date,
              rule_set: rules.RuleSet, calendar: WorkCalendar, respondent: rules.Respondent,
              respondent_uscc: str | None, platform_uscc: str | None, key: str | None, parent: Item | None,
              actor: Actor) -> Item:
    decision = rules.route(rule_set, kind=kind, respondent=respondent)
    org_path = org_path_for_region(decision.region_code) if decision.region_code else f"/{SHANDONG}/"
    clocks = {c.step: c for c in rules.clocks(calendar, kind=kind, received_on=today, rules=rule_set)}
    provisional = any(c.provisional for c in clocks.values())
    item = Item(
        query_code=_query_code(), kind=kind, channel=data.channel, idempotency_key=key,
        parent_id=parent.id if parent else None, received_at=now, received_on=today,
        rule_version=rule_set.version, complainant_name=data.complainant_name, complainant_phone=data.complainant_phone,
        complainant_address=data.complainant_address,
        complainant_id_number=data.complainant_id_number.upper() if data.complainant_id_number else None,
        complainant_email=data.complainant_email, anonymous=data.anonymous and kind != Kind.complaint,
        respondent_uscc=respondent_uscc, respondent_name=data.respondent_name,
        respondent_address=data.respondent_address, platform_role=data.platform_role, platform_uscc=platform_uscc,
        platform_name=data.platform_name, seller_published_address=data.seller_published_address,
        title=data.title, facts=data.facts, request=data.request if kind == Kind.complaint else None,
        category_code=data.category_code, problem_code=data.problem_code, amount=data.amount,
        purchased_on=data.purchased_on, harm_known_on=data.harm_known_on, region_code=decision.region_code,
        org_path=org_path,
        routing_rule=decision.rule, routing_basis=decision.basis,
        status=Status.verifying if kind == Kind.report else Status.received,
        accept_due_on=clocks["accept_decision"].due_on if "accept_decision" in clocks else None,
        report_due_on=clocks["report_filing_decision"].due_on if kind == Kind.report else None,
        first_response_due_at=now + dt.timedelta(hours=rule_set.figure("first_response").value),
        provisional=provisional, calendar_version=calendar.version, created_at=now, updated_at=now,
    )
    unit = service.odr_unit(session, uscc=respondent_uscc) if kind == Kind.complaint else None
    if unit is not None:
        item.status = Status.odr_pending
        item.odr_due_on = calendar.add_workdays(today, unit.reply_workdays).due_on
    suggestion = classify.suggest(f"{data.title} {data.facts}")
    item.suggested_category, item.suggested_problem = suggestion.category_code, suggestion.problem_code
    _refresh_next_due(item)
    session.add(item)
    org_name = _org_name(session, org_path)
    _step(item, action="received", label=f"收到{KIND_LABELS[kind]}", actor=actor, org_name=org_name,
          note=f"分流至{org_name}（{_routing_label(decision.rule)}）", basis=decision.basis,
          due_on=item.accept_due_on or item.report_due_on)
    if unit is not None:
        _step(item, action="odr_forwarded", label="转企业在线和解（ODR）", actor=actor, org_name=org_name,
              note=f"请{unit.name}在期限内与您协商和解；逾期未和解的，由市场监管部门处理。", due_on=item.odr_due_on)
    return item


ROUTING_LABELS = {
    "domicile": "被投诉人住所地", "place_of_business": "实际经营地", "place_of_act": "违法行为发生地",
    "platform_domicile": "平台经营者住所地", "seller_place_of_business": "平台内经营者实际经营地",
    "seller_published_address": "平台内经营者在平台公示的地址",
    "platform_domicile_fallback": "平台经营者住所地（未公示地址或无法联系）",
    "platform_domicile_first_received": "平台经营者住所地（先收到）", "manual_triage": "待人工分流",
    "staff_override": "人工改派", "taken_over": "上级提级办理",
}


def _routing_label(rule: str) -> str:
    return ROUTING_LABELS.get(rule, rule)


def _after_intake(session: Session, actor: Actor, item: Item, rule_set: rules.RuleSet, today: dt.date) -> None:
    _trail.audit(session, actor, "received", item, kind=item.kind, org_path=item.org_path, rule=item.routing_rule)
    _trail.publish(session, events.ItemReceived(**_about(item)), item)
    _notify_filer(session, item, f"您的{KIND_LABELS[item.kind]}已登记，请凭查询码查询办理进度")
    if item.kind == Kind.report:
        _trail.publish(session, events.ClueRaised(**_about(item), source="report", received_on=item.received_on,
                                                 summary=item.title), item)
    _link_duplicates(session, actor, item, rule_set)
    if item.kind == Kind.complaint and item.status != Status.closed \
            and rules.is_time_barred(rule_set, harm_known_on=item.harm_known_on, received_on=today):
        ground = rule_set.ground("time_barred")
        _close(session, actor, item, Outcome.not_accepted, ground="time_barred",
               note=f"{ground.label}。{OTHER_ROUTES}", basis=ground.basis)


def _link_duplicates(session: Session, actor: Actor, item: Item, rule_set: rules.RuleSet) -> None:
    """Suggest links to similar earlier filings; a repeated report of the same facts under
    Order 121 is not handled again (办法第三十五条)."""
    for other, score in service.similar_earlier(session, item=item):
        session.add(DuplicateLink(item_id=item.id, other_id=other.id, score=round(score, 3)))
        if item.kind == Kind.report and rule_set.version == rules.SAMR121_2026.version \
                and score >= service.SAME and item.status != Status.closed:
            _close(session, actor, item, Outcome.duplicate, basis="办法第三十五条",
                   note=f"与举报 {other.query_code} 为同一涉嫌违法事实，不再另行处理")


# ----------------------------------------------------------------------------- complaints


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
    _trail.audit(session, actor, "accepted", item)
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
    _trail.audit(session, actor, "mediation_started", item)
    return item


def do_pause_mediation(session: Session, *, actor: Actor, item_id: int, reason: str) -> Item:
    """Testing, inspection or appraisal time does not count (RULES 1.7, 1.26)."""
    item = _load(session, actor, item_id, "pause_mediation")
    if item.paused_since is not None:
        raise DomainError("complaints.already_paused", "调解期限已中止计算")
    item.paused_since = clock.today()
    _step(item, action="mediation_paused", label="检测鉴定，调解期限中止计算", actor=actor,
          note=clean_text(reason, "原因") or "", basis=_basis(item, "暂行办法第二十条", "办法第二十二条"))
    _trail.audit(session, actor, "mediation_paused", item, reason=reason)
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
    _trail.audit(session, actor, "mediation_resumed", item, paused_days=paused)
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
    _trail.publish(session, events.PoliceTransfer(**_about(item), note=note), item)
    return item


def do_mark_duplicate(session: Session, *, actor: Actor, item_id: int, of_query_code: str) -> Item:
    item = _load(session, actor, item_id, "mark_duplicate")
    original = service.by_query_code(session, query_code=of_query_code)
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
    _trail.publish(session, events.ClueRaised(**_about(item), source="mediation", received_on=clock.today(),
                                             summary=summary), item)
    _step(item, action="clue_raised", label="发现违法线索，移交核查", actor=actor, note=summary, public=False,
          basis=_basis(item, "暂行办法第二十三条", "办法第二十七条"))
    _trail.audit(session, actor, "clue_raised", item)
    return item


# ----------------------------------------------------------------------------- reports & consultations


def do_decide_report(session: Session, *, actor: Actor, item_id: int, filed: bool, note: str = "") -> Item:
    item = _load(session, actor, item_id, "decide_report")
    outcome = Outcome.converted_to_clue if filed else Outcome.not_filed
    _close(session, actor, item, outcome, note=clean_text(note, "说明") or "",
           basis="行政处罚程序规定第十九条" if filed else "行政处罚程序规定第二十条")
    _trail.publish(session, events.ReportDecided(**_about(item), filed=filed), item)
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
    _trail.audit(session, actor, "report_extended", item)
    return item


def do_merge_report(session: Session, *, actor: Actor, item_id: int, into_query_code: str) -> Item:
    """A report with new facts merged into the earlier one; the period restarts from the last
    report (办法第三十五条, RULES 1.33)."""
    item = _load(session, actor, item_id, "merge_report")
    target = service.by_query_code(session, query_code=into_query_code)
    ensure_visible(actor, target.org_path, "举报")
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


# ----------------------------------------------------------------------------- coordination


def do_reroute(session: Session, *, actor: Actor, item_id: int, region_code: str, reason: str) -> Item:
    """Staff override of the automatic routing, with a reason."""
    item = _load(session, actor, item_id, "reroute", permission="complaints.supervise")
    if region_code not in reference.county_codes(session):
        raise DomainError("complaints.bad_region", "请选择山东省的县级行政区")
    reason = clean_text(reason, "改派理由") or ""
    if not reason:
        raise DomainError("complaints.reason_required", "请填写改派理由")
    old = item.org_path
    item.region_code, item.org_path = region_code, org_path_for_region(region_code)
    item.routing_rule, item.routing_basis = "staff_override", reason[:120]
    _step(item, action="rerouted", label=f"改派至{_org_name(session, item.org_path)}", actor=actor, note=reason)
    audit.record(session, actor=actor, action="complaints.rerouted", subject_type="complaint_item",
                 subject_id=item.query_code, old={"org_path": old}, new={"org_path": item.org_path})
    return item


def do_take_over(session: Session, *, actor: Actor, item_id: int, reason: str) -> Item:
    """A higher level takes an item over (暂行办法第十二条／办法第十四条)."""
    actor.require("complaints.supervise")
    item = service.get_item(session, actor=actor, item_id=item_id)
    if item.status == Status.closed or item.org_path == actor.org_path:
        raise DomainError("complaints.cannot_take_over", "已办结或已由本级办理")
    old = item.org_path
    item.org_path, item.routing_rule = actor.org_path, "taken_over"
    item.routing_basis = _basis(item, "暂行办法第十二条", "办法第十四条")
    _step(item, action="taken_over", label=f"{actor.org_name}提级办理", actor=actor,
          note=clean_text(reason, "理由") or "")
    audit.record(session, actor=actor, action="complaints.taken_over", subject_type="complaint_item",
                 subject_id=item.query_code, old={"org_path": old}, new={"org_path": item.org_path})
    return item


def do_supervise(session: Session, *, actor: Actor, item_id: int, instruction: str, due_on: dt.date) -> Supervision:
    """督办: only a level above the handling unit may urge it."""
    actor.require("complaints.supervise")
    item = service.get_item(session, actor=actor, item_id=item_id)
    if item.org_path == actor.org_path:
        raise PermissionDenied("complaints.supervise_own", "不能督办本级办理的事项")
    text = clean_text(instruction, "督办意见")
    if not text:
        raise DomainError("complaints.reason_required", "请填写督办意见")
    if due_on < clock.today():
        raise DomainError("complaints.bad_due", "督办期限不能早于今天")
    row = Supervision(item_id=item.id, org_path=actor.org_path, instruction=text, due_on=due_on,
                      created_by=actor.username, created_at=clock.now())
    session.add(row)
    _step(item, action="supervised", label=f"{actor.org_name}督办", actor=actor, note=text, due_on=due_on, public=False)
    _trail.audit(session, actor, "supervised", item, due_on=due_on.isoformat())
    session.flush()
    return row


def do_view_identity(session: Session, *, actor: Actor, item_id: int) -> Item:
    """Unmasked complainant or reporter identity: a permission, and every read is audited (RULES 1.15)."""
    actor.require("complaints.view_identity")
    item = service.get_item(session, actor=actor, item_id=item_id)
    _trail.audit(session, actor, "identity_viewed", item, kind=item.kind)
    return item


def do_set_rule_figure(session: Session, *, actor: Actor, version: str, key: str, value: int, note: str) -> None:
    actor.require("complaints.manage_rules")
    rule_set = next((r for r in rules.RULESETS if r.version == version), None)
    if rule_set is None or key not in rule_set.figures:
        raise DomainError("complaints.unknown_rule", "规则参数不存在")
    if not rule_set.figures[key].editable:
        raise DomainError("complaints.rule_confirmed", "该参数已经两处权威来源确认，不能修改")
    if not 0 < value <= 365:
        raise DomainError("complaints.bad_value", "参数值应在1到365之间")
    row = session.get(RuleOverride, (version, key)) or RuleOverride(version=version, key=key)
    old = row.value
    row.value, row.note, row.updated_by, row.updated_at = value, (note or "")[:200], actor.username, clock.now()
    session.add(row)
    audit.record(session, actor=actor, action="complaints.rule_figure_set", subject_type="rule",
                 subject_id=f"{version}:{key}", old={"value": old}, new={"value": value})


# ----------------------------------------------------------------------------- consumer & enterprise


def do_rate(session: Session, *, actor: Actor, query_code: str, phone: str, rating: int, resolved: bool,
            comment: str = "") -> Item:
    """The filer rates a closed item; "not resolved" reopens it within the window."""
    item = service.by_query_code(session, query_code=query_code)
    if item.anonymous or not item.complainant_phone or item.complainant_phone != phone.strip():
        raise PermissionDenied("complaints.not_owner", "查询码与手机号不匹配")
    if item.status != Status.closed or item.closed_at is None:
        raise DomainError("complaints.not_closed", "办结后才能评价")
    if clock.now() - item.closed_at > dt.timedelta(days=RATING_WINDOW_DAYS):
        raise DomainError("complaints.rating_window_passed", f"评价须在办结后{RATING_WINDOW_DAYS}日内进行")
    if not 1 <= rating <= 5:
        raise DomainError("complaints.bad_rating", "评分应为1至5分")
    item.rating, item.rating_comment, item.rated_at = rating, clean_text(comment, "评价") or None, clock.now()
    _step(item, action="rated", label=f"消费者评价：{rating}分" + ("" if resolved else "（未解决）"), actor=actor,
          note=item.rating_comment or "")
    _trail.audit(session, actor, "rated", item, rating=rating, resolved=resolved)
    reopenable = {Outcome.settled, Outcome.mediated, Outcome.answered}
    if not resolved and item.outcome in reopenable:
        _reopen(session, actor, item)
    return item


def _reopen(session: Session, actor: Actor, item: Item) -> None:
    today = clock.today()
    calendar = load_calendar(session)
    rule_set = _rules_for(session, item.received_on)
    item.reopened_count += 1
    item.outcome, item.outcome_ground, item.closed_at = None, None, None
    if item.accepted_at is not None:
        item.status = Status.accepted
        item.mediation_due_on = rules.due(calendar, today, rule_set.figure("mediation_limit")).due_on
    else:  # settled before acceptance (e.g. through ODR): the bureau decides on acceptance now
        item.status = Status.received
        item.accept_due_on = rules.due(calendar, today, rule_set.figure("accept_decision")).due_on
    _refresh_next_due(item)
    _step(item, action="reopened", label="消费者反映未解决，重新办理", actor=actor, due_on=item.next_due_on)
    _trail.audit(session, actor, "reopened", item)
    _trail.publish(session, events.ItemReopened(**_about(item)), item)


def do_odr_reply(session: Session, *, actor: Actor, item_id: int, reply: str, settled: bool) -> Item:
    """An ODR enterprise answers a complaint against itself; settling closes it, declining
    hands it to the bureau at once."""
    if actor.kind != "enterprise":
        raise PermissionDenied("complaints.enterprise_only", "仅限企业用户")
    item = session.get(Item, item_id)
    if item is None or item.kind != Kind.complaint or item.respondent_uscc != actor.entity_uscc:
        raise DomainError("complaints.not_found", "未找到该投诉", status=404)
    flow.check("odr_reply", item.status)
    text = clean_text(reply, "答复")
    if not text:
        raise DomainError("complaints.reply_required", "请填写答复内容")
    item.enterprise_reply, item.enterprise_replied_at = text, clock.now()
    _step(item, action="odr_reply", label="企业答复", actor=actor, org_name=item.respondent_name, note=text)
    _trail.audit(session, actor, "odr_reply", item, settled=settled)
    if settled:
        _close(session, actor, item, Outcome.settled, note=f"企业答复：{text}",
               basis=_basis(item, "暂行办法第十六条（自行和解）", "办法第十八条（自行和解）"))
    else:
        _fallback(session, actor, item, "企业表示无法和解，转市场监管部门处理")
    return item


def _fallback(session: Session, actor: Actor, item: Item, label: str) -> None:
    item.status = Status.received
    _refresh_next_due(item)
    _step(item, action="odr_fallback", label=label, actor=actor, due_on=item.accept_due_on)


# ----------------------------------------------------------------------------- periodic sweep


@dataclass(slots=True)
class SweepResult:
    warned: int = 0
    escalated: int = 0
    odr_returned: int = 0


def sweep(session: Session, *, actor: Actor, today: dt.date, lead_days: int = 2) -> SweepResult:
    """Warn before deadlines, escalate overdue items to the next level up, and hand unanswered
    ODR items to the bureau. Idempotent: flags on the row make a rerun do nothing new."""
    result = SweepResult()
    open_items = select(Item).where(Item.status != Status.closed, Item.next_due_on.is_not(None))
    for item in session.scalars(open_items.where(Item.status == Status.odr_pending, Item.odr_due_on < today)):
        _fallback(session, actor, item, "企业未在期限内和解，转市场监管部门处理")
        result.odr_returned += 1
    for item in session.scalars(open_items.where(Item.warned_at.is_(None),
                                                 Item.next_due_on <= today + dt.timedelta(days=lead_days))):
        item.warned_at = clock.now()
        notify(session, channel="staff", recipient=item.org_path, subject_type="complaint_item",
               subject_id=item.query_code, text=f"{item.query_code} 将于 {item.next_due_on} 到期")
        result.warned += 1
    for item in session.scalars(open_items.where(Item.escalated_at.is_(None), Item.next_due_on < today)):
        parent = item.org_path.rstrip("/").rsplit("/", 1)[0] + "/"
        parent = parent if parent != "/" else item.org_path
        item.escalated_at = clock.now()
        session.add(Supervision(item_id=item.id, org_path=parent, due_on=today + dt.timedelta(days=3),
                                instruction=f"已超过法定期限（{item.next_due_on}），请尽快办理", automatic=True,
                                created_by="system", created_at=clock.now()))
        _step(item, action="escalated", label="超期，自动提请上级督办", actor=actor, public=False)
        result.escalated += 1
    session.flush()
    return result


# ----------------------------------------------------------------------------- quality checks

def select_follow_ups(session: Session, *, closed_on: dt.date, share: float) -> int:
    """Pick ``share`` of the items closed on a business date for a follow-up visit (回访).

    Optional under Order 121 Art. 26 (RULES 1.29): a platform setting, not a statutory step.
    The pick is a stable hash of the query code, so a rerun selects the same items again and
    creates nothing new.
    """
    if not 0 < share <= 1:
        return 0
    start = dt.datetime.combine(closed_on, dt.time(), tzinfo=clock.BUSINESS_TZ)
    closed = session.scalars(select(Item).where(
        Item.status == Status.closed, Item.closed_at >= start, Item.closed_at < start + dt.timedelta(days=1),
        Item.kind != Kind.consultation, Item.anonymous.is_(False)))
    existing = set(session.scalars(select(FollowUp.item_id).where(FollowUp.kind == "visit")))
    created = 0
    for item in closed:
        digest = int(hashlib.sha256(item.query_code.encode()).hexdigest()[:8], 16)
        if item.id not in existing and digest / 0xFFFFFFFF < share:
            session.add(FollowUp(item_id=item.id, org_path=item.org_path, kind="visit", selected_at=clock.now()))
            created += 1
    session.flush()
    return created


def do_record_follow_up(session: Session, *, actor: Actor, item_id: int, result: str, note: str = "") -> FollowUp:
    actor.require("complaints.handle")
    item = service.get_item(session, actor=actor, item_id=item_id)
    if result not in FOLLOW_UP_RESULTS:
        raise DomainError("complaints.bad_follow_up_result", "请选择回访结果")
    follow_up = session.scalar(select(FollowUp).where(FollowUp.item_id == item.id, FollowUp.kind == "visit"))
    if follow_up is None:
        follow_up = FollowUp(item_id=item.id, org_path=item.org_path, kind="visit", selected_at=clock.now())
        session.add(follow_up)
    if follow_up.status == "done":
        raise Conflict("complaints.follow_up_done", "该事项已完成回访")
    follow_up.status, follow_up.result = "done", result
    follow_up.note, follow_up.done_at, follow_up.done_by = clean_text(note, "回访记录"), clock.now(), actor.username
    _step(item, action="follow_up", label=f"回访：{FOLLOW_UP_RESULTS[result]}", actor=actor,
          note=follow_up.note or "", basis=_basis(item, "平台质量检查", "办法第二十六条"), public=False)
    _trail.audit(session, actor, "follow_up", item, result=result)
    session.flush()
    return follow_up


def do_resolve_duplicate_link(session: Session, *, actor: Actor, item_id: int, link_id: int, confirmed: bool) -> None:
    """Staff confirm or dismiss a suggested duplicate (closing as duplicate stays its own action)."""
    actor.require("complaints.handle")
    item = service.get_item(session, actor=actor, item_id=item_id)
    link = session.get(DuplicateLink, link_id)
    if link is None or item.id not in (link.item_id, link.other_id):
        raise DomainError("complaints.not_found", "未找到该关联", status=404)
    link.status = "confirmed" if confirmed else "dismissed"
    _step(item, action="duplicate_link", label="确认疑似重复" if confirmed else "排除疑似重复", actor=actor,
          public=False)
    _trail.audit(session, actor, "duplicate_link", item, link=link_id, confirmed=confirmed)
