"""执法办案统计 (/staff/enforcement/dashboard): open cases by stage and days left, overdue
cases, fines by violation type and city, transfer feedback — charts and exportable tables."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from marketreg.analytics.dashboard import bar_chart, pie_chart
from marketreg.domains.enforcement import service
from marketreg.kernel import clock
from marketreg.kernel.errors import NotFound
from marketreg.web.deps import ReadSession, staff
from marketreg.web.pages import render, xlsx_download

router = APIRouter(prefix="/enforcement")


def _charts(tables: dict[str, service.Table]) -> dict[str, dict]:
    def bar(name: str, col: int, series: str) -> dict:
        rows = tables[name].rows
        return bar_chart([str(r[0]) for r in rows], [r[col] for r in rows], series)

    return {
        "stages": bar("stages", 1, "案件数"), "days_left": bar("days_left", 1, "在办案件数"),
        "fines_by_type": bar("fines_by_type", 2, "罚款金额（元）"),
        "fines_by_city": bar("fines_by_city", 2, "罚款金额（元）"),
        "transfers": pie_chart([(r[0], r[1]) for r in tables["transfers"].rows]),
        "review_units": bar("review_units", 2, "平均分"), "review_officers": bar("review_officers", 2, "平均分"),
    }


def _tables(session, actor) -> dict[str, service.Table]:
    return {**service.dashboard_tables(session, actor=actor, today=clock.today()),
            **service.review_scores(session, actor=actor)}


@router.get("/dashboard")
def enforcement_dashboard(request: Request, session: ReadSession, actor: staff("enforcement.dashboard")) -> Response:
    tables = _tables(session, actor)
    return render(request, "staff/enforcement_dashboard.html", {"tables": tables, "charts": _charts(tables)})


@router.get("/dashboard.xlsx")
def enforcement_dashboard_export(session: ReadSession, actor: staff("enforcement.dashboard"),
                                 table: Annotated[str, Query(max_length=30)] = "stages") -> Response:
    tables = _tables(session, actor)
    if table not in tables:
        raise NotFound("enforcement.table_unknown", "统计表不存在")
    found = tables[table]
    return xlsx_download(f"执法办案统计-{found.title}.xlsx", found.header, found.rows)
