"""The consumer's rating (and reopening) and the enterprise's online settlement (ODR) reply."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from marketreg.domains.complaints import flow, rules, service
from marketreg.domains.complaints.actions.common import (
    RATING_WINDOW_DAYS,
    _audit,
    _basis,
    _close,
    _publish,
    _refresh_next_due,
    _rules_for,
    _step,
)
from marketreg.domains.complaints.enums import Kind, Outcome, Status
from marketreg.domains.complaints.models import Item
from marketreg.domains.complaints.schemas import OdrComplaintOut, clean_text
from marketreg.kernel import clock
from marketreg.kernel.errors import DomainError, PermissionDenied
from marketreg.platform.authz import SYSTEM, Actor, get_in_scope, not_found
from marketreg.platform.calendar import load_calendar


def do_rate(session: Session, *, actor: Actor, query_code: str, phone: str, rating: int, resolved: bool,
            comment: str = "") -> Item:
    """The filer rates a closed item; "not resolved" reopens it within the window."""
    item = service.by_query_code(session, query_code=query_code, for_update=True)
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
    _audit(session, actor, "rated", item, rating=rating, resolved=resolved)
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
    _audit(session, actor, "reopened", item)
    _publish(session, "item_reopened", item)


def do_odr_view(session: Session, *, actor: Actor) -> list[Item]:
    """The complaints an ODR enterprise sees; each one shown with the consumer's contact is an
    audited read of personal data (RULES 1.15 / 1.35; what is shown: ``schemas.OdrComplaintOut``)."""
    if actor.kind != "enterprise" or not actor.entity_uscc:
        raise PermissionDenied("complaints.enterprise_only", "仅限企业用户")
    items = service.odr_items(session, uscc=actor.entity_uscc)
    for item in items:
        if OdrComplaintOut.shows_contact(item):
            _audit(session, actor, "contact_shown_to_enterprise", item, fields=["complainant_name_masked",
                                                                                "complainant_phone"])
    return items


def do_odr_reply(session: Session, *, actor: Actor, item_id: int, reply: str, settled: bool) -> Item:
    """An ODR enterprise answers a complaint against itself; settling closes it, declining
    hands it to the bureau at once."""
    if actor.kind != "enterprise":
        raise PermissionDenied("complaints.enterprise_only", "仅限企业用户")
    item = get_in_scope(session, Item, item_id, actor=SYSTEM, what="投诉", for_update=True)
    if item.kind != Kind.complaint or item.respondent_uscc != actor.entity_uscc:
        raise not_found("投诉")
    flow.check("odr_reply", item.status)
    text = clean_text(reply, "答复")
    if not text:
        raise DomainError("complaints.reply_required", "请填写答复内容")
    item.enterprise_reply, item.enterprise_replied_at = text, clock.now()
    _step(item, action="odr_reply", label="企业答复", actor=actor, org_name=item.respondent_name, note=text)
    _audit(session, actor, "odr_reply", item, settled=settled)
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
