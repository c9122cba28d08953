"""投诉举报统计分析 (/staff/complaints/dashboard): charts and tables over the viewer's
jurisdiction, every table exportable to Excel."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from marketreg.analytics.complaints import CLUSTER_RULES, TABLE_NAMES, complaints_dashboard, dashboard_table
from marketreg.web.deps import ReadSession, staff
from marketreg.web.pages import render, xlsx_download

router = APIRouter(prefix="/complaints")
Months = Annotated[int, Query(ge=1, le=36)]
PERIODS = (6, 12, 18, 24)


@router.get("/dashboard")
def complaints_dashboard_page(request: Request, session: ReadSession, actor: staff("complaints.dashboard"),
                              months: Months = 12) -> Response:
    board = complaints_dashboard(session, actor=actor, months=months)
    return render(request, "staff/complaints_dashboard.html", {
        "board": board, "months": months, "periods": PERIODS, "rules": CLUSTER_RULES,
    })


@router.get("/dashboard.xlsx")
def complaints_dashboard_export(session: ReadSession, actor: staff("complaints.dashboard"),
                                table: Annotated[str, Query(max_length=30)] = TABLE_NAMES[0],
                                months: Months = 12) -> Response:
    found = dashboard_table(session, actor=actor, name=table, months=months)
    return xlsx_download(f"投诉举报统计-{found.title}.xlsx", found.header, found.rows)
