"""Quality checks: follow-up visits (回访) and the review of suggested duplicate links."""

from __future__ import annotations

import datetime as dt
import hashlib

from sqlalchemy import select
from sqlalchemy.orm import Session

from marketreg.domains.complaints import service
from marketreg.domains.complaints.actions.common import _audit, _basis, _step
from marketreg.domains.complaints.enums import FOLLOW_UP_RESULTS, Kind, Status
from marketreg.domains.complaints.models import DuplicateLink, FollowUp, Item
from marketreg.domains.complaints.schemas import clean_text
from marketreg.kernel import clock
from marketreg.kernel.errors import Conflict, DomainError
from marketreg.platform.authz import Actor, ensure_writable, get_in_scope, not_found


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
    item = service.get_item(session, actor=actor, item_id=item_id, for_update=True)
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
    _audit(session, actor, "follow_up", item, result=result)
    session.flush()
    return follow_up


def do_resolve_duplicate_link(session: Session, *, actor: Actor, item_id: int, link_id: int, confirmed: bool) -> None:
    """Staff confirm or dismiss a suggested duplicate (closing as duplicate stays its own action)."""
    actor.require("complaints.handle")
    item = service.get_item(session, actor=actor, item_id=item_id, for_update=True)
    link = get_in_scope(session, DuplicateLink, link_id, actor=actor, what="疑似重复关联", for_update=True,
                        org_path=lambda _: item.org_path)
    if item.id not in (link.item_id, link.other_id):
        raise not_found("疑似重复关联")
    other = session.get(Item, link.other_id if link.item_id == item.id else link.item_id)
    ensure_writable(actor, other.org_path if other else None, "关联的投诉举报")
    link.status = "confirmed" if confirmed else "dismissed"
    _step(item, action="duplicate_link", label="确认疑似重复" if confirmed else "排除疑似重复", actor=actor,
          public=False)
    _audit(session, actor, "duplicate_link", item, link=link_id, confirmed=confirmed)
