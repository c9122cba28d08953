"""Coordination across units: rerouting, taking over, supervision; unmasked identity; rule figures."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from marketreg.domains.complaints import rules, service
from marketreg.domains.complaints.actions.common import _audit, _basis, _load, _step
from marketreg.domains.complaints.enums import Status
from marketreg.domains.complaints.models import Item, RuleOverride, Supervision
from marketreg.domains.complaints.schemas import clean_text
from marketreg.domains.reference import service as reference
from marketreg.kernel import clock
from marketreg.kernel.errors import DomainError, PermissionDenied
from marketreg.kernel.regions import org_path_for_region
from marketreg.platform import audit
from marketreg.platform.authz import Actor, ensure_writable, require_province


def do_reroute(session: Session, *, actor: Actor, item_id: int, region_code: str, reason: str) -> Item:
    """Staff override of the automatic routing, with a reason."""
    item = _load(session, actor, item_id, "reroute", permission="complaints.supervise")
    if region_code not in reference.county_codes(session):
        raise DomainError("complaints.bad_region", "请选择山东省的县级行政区")
    ensure_writable(actor, org_path_for_region(region_code), "改派的目标单位")
    reason = clean_text(reason, "改派理由") or ""
    if not reason:
        raise DomainError("complaints.reason_required", "请填写改派理由")
    old = item.org_path
    item.region_code, item.org_path = region_code, org_path_for_region(region_code)
    item.routing_rule, item.routing_basis = "staff_override", reason[:120]
    _step(item, action="rerouted", label=f"改派至{service.org_name(session, item.org_path)}", actor=actor, note=reason)
    audit.record(session, actor=actor, action="complaints.rerouted", subject_type="complaint_item",
                 subject_id=item.query_code, old={"org_path": old}, new={"org_path": item.org_path})
    return item


def do_take_over(session: Session, *, actor: Actor, item_id: int, reason: str) -> Item:
    """A higher level takes an item over (暂行办法第十二条／办法第十四条)."""
    actor.require("complaints.supervise")
    item = service.get_item(session, actor=actor, item_id=item_id, for_update=True)
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
    item = service.get_item(session, actor=actor, item_id=item_id, for_update=True)
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
    _audit(session, actor, "supervised", item, due_on=due_on.isoformat())
    session.flush()
    return row


def do_view_identity(session: Session, *, actor: Actor, item_id: int) -> Item:
    """Unmasked complainant or reporter identity: a permission, and every read is audited (RULES 1.15)."""
    actor.require("complaints.view_identity")
    item = service.get_item(session, actor=actor, item_id=item_id)
    _audit(session, actor, "identity_viewed", item, kind=item.kind)
    return item


def do_set_rule_figure(session: Session, *, actor: Actor, version: str, key: str, value: int, note: str) -> None:
    """A province-wide statutory figure: only the province changes it."""
    actor.require("complaints.manage_rules")
    require_province(actor)
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
