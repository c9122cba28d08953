"""This domain's work on the collaborative-office workbench: listing proposals awaiting a
decision and credit-repair applications awaiting one."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from marketreg.domains.credit.enums import ENTRY_STATUS_LABELS, LIST_LABELS, REPAIR_STATUS_LABELS, REPAIR_TARGET_LABELS
from marketreg.domains.credit.models import ListEntry, RepairApplication
from marketreg.platform.authz import Actor, scope
from marketreg.platform.workitems import WorkItem, WorkItemKind, register


def proposals(session: Session, *, actor: Actor, limit: int) -> list[WorkItem]:
    stmt = scope(select(ListEntry), ListEntry.org_path, actor).where(ListEntry.status == "proposed")
    rows = session.scalars(stmt.order_by(ListEntry.listing_due_on.is_(None), ListEntry.listing_due_on, ListEntry.id)
                           .limit(limit))
    return [WorkItem(kind="credit.proposal", title=f"{e.entity_name} · 拟列入{LIST_LABELS.get(e.list_type, '')}",
                     org_path=e.org_path, link=f"/staff/credit/entities/{e.entity_uscc}",
                     status=ENTRY_STATUS_LABELS.get(e.status, ""), due_on=e.listing_due_on, due_label="列入决定期限")
            for e in rows]


def repairs(session: Session, *, actor: Actor, limit: int) -> list[WorkItem]:
    stmt = (scope(select(RepairApplication), RepairApplication.org_path, actor)
            .where(RepairApplication.status == "accepted"))
    rows = session.scalars(stmt.order_by(RepairApplication.decide_due_on.is_(None), RepairApplication.decide_due_on,
                                         RepairApplication.id).limit(limit))
    return [WorkItem(kind="credit.repair", title=f"{r.entity_uscc} · {REPAIR_TARGET_LABELS.get(r.target, '')}修复",
                     org_path=r.org_path, link="/staff/credit#repairs", status=REPAIR_STATUS_LABELS.get(r.status, ""),
                     due_on=r.decide_due_on, due_label="修复决定期限") for r in rows]


register(WorkItemKind("credit.proposal", "信用列入待决定", "credit.list", proposals))
register(WorkItemKind("credit.repair", "信用修复申请", "credit.repair", repairs))
