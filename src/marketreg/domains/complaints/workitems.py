"""This domain's work on the collaborative-office workbench: open 12315 items and 督办."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from marketreg.domains.complaints.enums import KIND_LABELS, STATUS_LABELS, Status
from marketreg.domains.complaints.models import Item, Supervision
from marketreg.platform.authz import Actor, scope
from marketreg.platform.workitems import WorkItem, WorkItemKind, register


def open_items(session: Session, *, actor: Actor, limit: int) -> list[WorkItem]:
    stmt = scope(select(Item), Item.org_path, actor).where(Item.status != Status.closed)
    rows = session.scalars(stmt.order_by(Item.next_due_on.is_(None), Item.next_due_on, Item.id).limit(limit))
    return [WorkItem(kind="complaints.item", title=f"{KIND_LABELS.get(i.kind, '')} {i.query_code} {i.title}",
                     org_path=i.org_path, link=f"/staff/complaints/{i.id}", status=STATUS_LABELS.get(i.status, ""),
                     due_on=i.next_due_on, due_label="法定期限", provisional=i.provisional) for i in rows]


def open_supervisions(session: Session, *, actor: Actor, limit: int) -> list[WorkItem]:
    """督办 on items of the actor's jurisdiction (the supervised unit sees them; so do the levels above)."""
    stmt = scope(select(Supervision, Item).join(Item, Item.id == Supervision.item_id), Item.org_path, actor)
    rows = session.execute(stmt.where(Supervision.resolved_at.is_(None))
                           .order_by(Supervision.due_on, Supervision.id).limit(limit))
    return [WorkItem(kind="complaints.supervision", title=f"督办：{item.query_code} {row.instruction[:60]}",
                     org_path=item.org_path, link=f"/staff/complaints/{item.id}",
                     status="自动督办" if row.automatic else "上级督办", due_on=row.due_on, due_label="督办期限")
            for row, item in rows]


register(WorkItemKind("complaints.item", "投诉举报", "complaints.view", open_items))
register(WorkItemKind("complaints.supervision", "督办", "complaints.view", open_supervisions))
