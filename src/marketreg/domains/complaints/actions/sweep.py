"""The periodic deadline sweep: ODR fallback, warnings before and escalation after the due date."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from marketreg.domains.complaints.actions.common import _step
from marketreg.domains.complaints.actions.consumers import _fallback
from marketreg.domains.complaints.enums import Status
from marketreg.domains.complaints.models import Item, Supervision
from marketreg.kernel import clock
from marketreg.platform.authz import Actor
from marketreg.platform.notify import notify


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
