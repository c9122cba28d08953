"""Helpers shared by the complaints writes: rule version and business date, timeline steps, audit,
events, notices to the filer, loading in scope and closing an item."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from marketreg.domains.complaints import flow, rules, service
from marketreg.domains.complaints.enums import KIND_LABELS, OUTCOME_LABELS, Outcome, Status
from marketreg.domains.complaints.models import Item, Step
from marketreg.kernel import clock
from marketreg.platform import audit, events
from marketreg.platform.authz import Actor
from marketreg.platform.notify import notify

RATING_WINDOW_DAYS = 15           # platform setting: consumers may rate / reopen within this window
OTHER_ROUTES = ("您可以依照《中华人民共和国消费者权益保护法》第三十九条，通过与经营者协商和解、"
                "请求消费者协会或者依法成立的其他调解组织调解、根据与经营者达成的仲裁协议提请仲裁机构仲裁、"
                "向人民法院提起诉讼等途径解决。")


def _now_today() -> tuple[dt.datetime, dt.date]:
    now = clock.now()
    return now, clock.business_date(now)


def _rules_for(session: Session, received_on: dt.date) -> rules.RuleSet:
    return rules.ruleset_for(received_on, service.rule_overrides(session))


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


def _audit(session: Session, actor: Actor, action: str, item: Item, **new) -> None:
    audit.record(session, actor=actor, action=f"complaints.{action}", subject_type="complaint_item",
                 subject_id=item.query_code, new=new or None)


def _publish(session: Session, name: str, item: Item, **payload) -> None:
    events.publish(session, name=f"complaints.{name}", subject_type="market_entity",
                   subject_key=item.respondent_uscc or item.respondent_name[:64], org_path=item.org_path,
                   payload={"item_id": item.id, "query_code": item.query_code, "kind": item.kind,
                            "respondent_uscc": item.respondent_uscc, "respondent_name": item.respondent_name,
                            **payload})


def _notify_filer(session: Session, item: Item, text: str) -> None:
    """SMS to the phone and, when given, e-mail; an anonymous reporter gets nothing."""
    if item.anonymous:
        return
    message = f"【12315】{text}（查询码 {item.query_code}）"
    for channel, recipient in (("sms", item.complainant_phone), ("email", item.complainant_email)):
        notify(session, channel=channel, recipient=recipient, subject_type="complaint_item",
               subject_id=item.query_code, text=message)


def _load(session: Session, actor: Actor, item_id: int, action: str, permission: str = "complaints.handle") -> Item:
    """The item in scope, locked until commit, in a state that allows ``action``: of two handlers
    acting at once, the second waits and then meets the state the first left (409)."""
    actor.require(permission)
    item = service.get_item(session, actor=actor, item_id=item_id, for_update=True)
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
    _audit(session, actor, "closed", item, outcome=outcome, ground=ground)
    _publish(session, "item_closed", item, outcome=outcome, ground=ground)
    _notify_filer(session, item, f"您的{KIND_LABELS[item.kind]}已办结：{OUTCOME_LABELS[outcome]}")


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
