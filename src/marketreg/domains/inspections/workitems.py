"""This domain's work on the collaborative-office workbench: inspections to carry out within the
batch's period, and recorded results to publish within the statutory 20 working days."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from marketreg.domains.inspections.enums import TASK_STATUS_LABELS
from marketreg.domains.inspections.models import Batch, Inspector, Task, TaskInspector
from marketreg.platform.authz import Actor, scope
from marketreg.platform.workitems import WorkItem, WorkItemKind, register


def tasks_to_inspect(session: Session, *, actor: Actor, limit: int) -> list[WorkItem]:
    stmt = scope(select(Task, Batch.ends_on).join(Batch, Batch.id == Task.batch_id), Task.org_path, actor)
    rows = session.execute(stmt.where(Task.status == "assigned").order_by(Batch.ends_on, Task.id).limit(limit)).all()
    names: dict[int, list[str]] = {}
    for task_id, name in session.execute(select(TaskInspector.task_id, Inspector.name)
                                         .join(Inspector, Inspector.id == TaskInspector.inspector_id)
                                         .where(TaskInspector.task_id.in_([t.id for t, _ in rows]))):
        names.setdefault(task_id, []).append(name)
    return [WorkItem(kind="inspections.task", title=f"{t.task_no} {t.entity_name}", org_path=t.org_path,
                     link=f"/staff/inspections/tasks/{t.id}", status=TASK_STATUS_LABELS.get(t.status, ""),
                     due_on=ends_on, due_label="抽查期限", assignee="、".join(names.get(t.id, ())))
            for t, ends_on in rows]


def results_to_publish(session: Session, *, actor: Actor, limit: int) -> list[WorkItem]:
    stmt = scope(select(Task), Task.org_path, actor).where(Task.status == "recorded")
    rows = session.scalars(stmt.order_by(Task.publish_due_on, Task.id).limit(limit))
    return [WorkItem(kind="inspections.publication", title=f"{t.task_no} {t.entity_name}", org_path=t.org_path,
                     link="/staff/inspections/publication", status=TASK_STATUS_LABELS.get(t.status, ""),
                     due_on=t.publish_due_on, due_label="公示期限") for t in rows]


register(WorkItemKind("inspections.task", "检查任务", "inspections.execute", tasks_to_inspect))
register(WorkItemKind("inspections.publication", "待公示结果", "inspections.publish", results_to_publish))
