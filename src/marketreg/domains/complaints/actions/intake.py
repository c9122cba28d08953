"""Intake: validation, respondent facts, routing (分流), attachments, duplicate links."""

from __future__ import annotations

import datetime as dt
import secrets
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from marketreg.domains.complaints import classify, rules, service
from marketreg.domains.complaints.actions.common import (
    OTHER_ROUTES,
    _audit,
    _close,
    _notify_filer,
    _now_today,
    _publish,
    _refresh_next_due,
    _routing_label,
    _rules_for,
    _step,
)
from marketreg.domains.complaints.enums import KIND_LABELS, Kind, Outcome, PlatformRole, Status
from marketreg.domains.complaints.models import Attachment, DuplicateLink, Item
from marketreg.domains.complaints.schemas import IntakeIn
from marketreg.domains.reference import service as reference
from marketreg.domains.registry import service as registry
from marketreg.kernel import clock
from marketreg.kernel.codes import check_resident_id, check_uscc
from marketreg.kernel.errors import DomainError
from marketreg.kernel.regions import SHANDONG, org_path_for_region
from marketreg.platform.authz import Actor
from marketreg.platform.calendar import WorkCalendar, load_calendar
from marketreg.platform.redact import without_author_traces
from marketreg.platform.uploads import Upload, stored_path
from marketreg.platform.uploads import store as store_upload

_QUERY_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


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
    if data.anonymous and uploads:  # before the first query, so no lock is held while images are re-encoded
        uploads = without_author_traces(uploads, code_prefix="complaints")
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
    anonymous = data.anonymous and kind != Kind.complaint
    item = Item(
        query_code=_query_code(), kind=kind, channel=data.channel, idempotency_key=key,
        parent_id=parent.id if parent else None, received_at=now, received_on=today,
        rule_version=rule_set.version, **_filer_identity(data, anonymous=anonymous), anonymous=anonymous,
        share_contact=data.share_contact and kind == Kind.complaint,
        respondent_uscc=respondent_uscc, respondent_name=data.respondent_name,
        respondent_address=data.respondent_address, platform_role=data.platform_role, platform_uscc=platform_uscc,
        platform_name=data.platform_name, seller_published_address=data.seller_published_address,
        title=data.title, facts=(data.report_facts or data.facts) if kind == Kind.report and parent else data.facts,
        request=data.request if kind == Kind.complaint else None,
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
    org_name = service.org_name(session, org_path)
    _step(item, action="received", label=f"收到{KIND_LABELS[kind]}", actor=actor, org_name=org_name,
          note=f"分流至{org_name}（{_routing_label(decision.rule)}）", basis=decision.basis,
          due_on=item.accept_due_on or item.report_due_on)
    if unit is not None:
        _step(item, action="odr_forwarded", label="转企业在线和解（ODR）", actor=actor, org_name=org_name,
              note=f"请{unit.name}在期限内与您协商和解；逾期未和解的，由市场监管部门处理。", due_on=item.odr_due_on)
    return item


def _filer_identity(data: IntakeIn, *, anonymous: bool) -> dict[str, str | None]:
    """The filer's contact data as stored: none at all for an anonymous report, so that nothing
    (phone, name, address, ID number, e-mail) can later link it to a named filing."""
    if anonymous:
        return dict.fromkeys(("complainant_name", "complainant_phone", "complainant_address",
                              "complainant_id_number", "complainant_email"))
    return {"complainant_name": data.complainant_name, "complainant_phone": data.complainant_phone,
            "complainant_address": data.complainant_address,
            "complainant_id_number": data.complainant_id_number.upper() if data.complainant_id_number else None,
            "complainant_email": data.complainant_email}


def _after_intake(session: Session, actor: Actor, item: Item, rule_set: rules.RuleSet, today: dt.date) -> None:
    _audit(session, actor, "received", item, kind=item.kind, org_path=item.org_path, rule=item.routing_rule)
    _publish(session, "item_received", item)
    _notify_filer(session, item, f"您的{KIND_LABELS[item.kind]}已登记，请凭查询码查询办理进度")
    if item.kind == Kind.report:
        _publish(session, "clue_raised", item, source="report", received_on=item.received_on.isoformat(),
                 summary=item.title)
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
