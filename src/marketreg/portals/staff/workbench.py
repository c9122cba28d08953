"""工作台 (/staff/ and /api/v1/workbench): every open item of the user's jurisdiction across all
domains, nearest statutory deadline first, with due marks, counts per kind and the open alerts.

The items come only through ``platform.workitems`` (each domain registers its kinds); this module
adds the unit names and the alerts, and knows no domain table."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Annotated

from fastapi import Query
from sqlalchemy.orm import Session

from marketreg.domains.org import service as org
from marketreg.kernel import clock
from marketreg.kernel.errors import DomainError
from marketreg.platform import workitems
from marketreg.platform.alerts import open_alerts
from marketreg.platform.authz import Actor
from marketreg.platform.jobs import list_jobs

DUE_LABELS = {"overdue": "已超期", "soon": "即将到期"}
KindQ = Annotated[str, Query(max_length=40)]
DueQ = Annotated[str, Query(pattern="^(|overdue|soon)$")]


@dataclass(frozen=True, slots=True)
class Row:
    item: workitems.WorkItem
    mark: str
    unit: str

    def as_json(self) -> dict:
        return {**asdict(self.item), "due_mark": self.mark, "unit": self.unit}


@dataclass(frozen=True, slots=True)
class Notice:
    level: str  # warning | critical
    title: str
    detail: str = ""
    link: str = ""


@dataclass(frozen=True, slots=True)
class Board:
    rows: list[Row]
    counts: list[workitems.KindCount]
    notices: list[Notice]
    today: dt.date


def _notices(session: Session, actor: Actor, items: list[workitems.WorkItem]) -> list[Notice]:
    notices = [Notice("critical" if a.level == "critical" else "warning", a.title, a.detail)
               for a in open_alerts(session, actor=actor)]
    if actor.can("jobs.view"):
        failed = [j for j in list_jobs(session, actor=actor) if j.status == "failed"]
        if failed:
            notices.append(Notice("critical", f"{len(failed)} 个后台任务失败", failed[0].title, "/staff/sysadmin/jobs"))
    provisional = sum(1 for i in items if i.provisional)
    if provisional:
        notices.append(Notice("warning", f"{provisional} 项期限为暂定",
                              "期限跨入尚无国务院节假日安排的年度，按周一至周五暂算，日历载入后重新计算。"))
    return notices


def build(session: Session, *, actor: Actor, kind: str = "", due: str = "") -> Board:
    if kind and kind not in {k.kind for k in workitems.kinds_for(actor)}:
        raise DomainError("workbench.kind_unknown", "没有这一类待办事项，请从列表中选择")
    today = clock.today()
    found = workitems.collect(session, actor=actor, today=today, kind=kind, due=due)
    names = org.unit_names(session, paths={i.org_path for i in found.items})
    rows = [Row(i, workitems.due_mark(i.due_on, today), names.get(i.org_path, "")) for i in found.items]
    return Board(rows, found.counts, _notices(session, actor, found.items), today)
