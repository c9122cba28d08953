"""This domain's work on the collaborative-office workbench: clues to check and open cases."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from marketreg.domains.enforcement.enums import CLUE_STATUS, OPEN_CLUE_STATUSES, STATUS_LABELS
from marketreg.domains.enforcement.models import Case, Clue, Officer
from marketreg.domains.enforcement.service import OPEN_STATES
from marketreg.platform.authz import Actor, scope
from marketreg.platform.workitems import WorkItem, WorkItemKind, register


def clues_to_check(session: Session, *, actor: Actor, limit: int) -> list[WorkItem]:
    """Clues still to decide: being checked, or a report decided 立案 waiting for its case (``filing``)."""
    stmt = scope(select(Clue), Clue.org_path, actor).where(Clue.status.in_(OPEN_CLUE_STATUSES))
    rows = session.scalars(stmt.order_by(Clue.check_due_on, Clue.id).limit(limit))
    return [WorkItem(kind="enforcement.clue", title=f"{c.respondent_name}：{c.summary[:60]}", org_path=c.org_path,
                     link=f"/staff/enforcement/clues/{c.id}", status=CLUE_STATUS.get(c.status, ""),
                     due_on=c.check_due_on, due_label="核查期限") for c in rows]


def open_cases(session: Session, *, actor: Actor, limit: int) -> list[WorkItem]:
    stmt = scope(select(Case), Case.org_path, actor).where(Case.status.in_(OPEN_STATES))
    rows = list(session.scalars(stmt.order_by(Case.next_due_on.is_(None), Case.next_due_on, Case.id).limit(limit)))
    usernames = {u for c in rows for u in c.officers or ()}
    names = dict(session.execute(select(Officer.username, Officer.display_name)
                                 .where(Officer.username.in_(usernames))).all()) if usernames else {}
    return [WorkItem(kind="enforcement.case", title=f"{c.case_no} {c.respondent_name}", org_path=c.org_path,
                     link=f"/staff/enforcement/cases/{c.id}", status=STATUS_LABELS.get(c.status, ""),
                     due_on=c.next_due_on, due_label=c.next_due_label or "",
                     assignee="、".join(names[u] for u in c.officers or () if u in names)) for c in rows]


register(WorkItemKind("enforcement.clue", "案件线索", "enforcement.clues", clues_to_check))
register(WorkItemKind("enforcement.case", "行政处罚案件", "enforcement.view", open_cases))
