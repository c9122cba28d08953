"""Staff pages of the clue register (线索登记), with each clue's verification deadline."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from marketreg.domains.enforcement import service
from marketreg.domains.enforcement.api import STATUS_LABELS, ClueOut
from marketreg.domains.enforcement.rules import CLUE_CHECK_WORKDAYS
from marketreg.kernel import clock
from marketreg.web.deps import ReadSession, staff
from marketreg.web.pages import render, xlsx_download
from marketreg.web.templating import register_templates

register_templates(Path(__file__).parent / "templates")
staff_pages = APIRouter(prefix="/enforcement")
StatusQ = Annotated[str, Query(pattern="^(|checking|filed|not_filed)$")]


@staff_pages.get("/clues")
def clues_page(request: Request, session: ReadSession, actor: staff("enforcement.clues"),
               status: StatusQ = "") -> Response:
    today = clock.today()
    clues = [ClueOut.of(c, today=today) for c in service.list_clues(session, actor=actor, status=status)]
    return render(request, "enforcement/clues.html", {
        "clues": clues, "status": status, "status_labels": STATUS_LABELS, "today": today,
        "check_days": CLUE_CHECK_WORKDAYS,
    })


@staff_pages.get("/clues.xlsx")
def clues_export(session: ReadSession, actor: staff("enforcement.clues"), status: StatusQ = "") -> Response:
    today = clock.today()
    clues = (ClueOut.of(c, today=today) for c in service.list_clues(session, actor=actor, status=status, limit=20_000))
    rows = ((c.id, c.source_label, c.source_ref, c.respondent_name, c.respondent_uscc or "", c.summary,
             c.received_on.isoformat(), c.check_due_on.isoformat(), c.basis, c.status_label,
             "已超期" if c.overdue else "") for c in clues)
    header = ["编号", "来源", "来源编号", "当事人", "统一社会信用代码", "线索内容", "登记日期", "核查期限", "依据",
              "状态", "期限提示"]
    return xlsx_download("案件线索.xlsx", header, rows)
