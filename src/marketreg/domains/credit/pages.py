"""Credit pages: the staff work (lists, proposals, objections, repairs, filing rates, classes,
dashboard), the enterprise's annual report / objection / repair pages, and public credit publicity.
A refused write raises a coded DomainError: the error page shows the reason and its article."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field

from marketreg.domains.credit import actions, rules, service, tasks
from marketreg.domains.credit.api import class_out, public_credit, public_report
from marketreg.domains.credit.enums import (
    ENTRY_STATUS_LABELS,
    ITEM7_FIELDS,
    LIST_LABELS,
    PUBLIC_ITEM_FIELDS,
    REPAIR_TARGET_LABELS,
    RISK_CLASS_LABELS,
    RISK_CLASSES,
)
from marketreg.domains.credit.schemas import CreditEventOut, EntryOut, MeasureOut, RepairOut
from marketreg.domains.reference import service as reference
from marketreg.domains.registry import service as registry
from marketreg.domains.registry.enums import ENTITY_TYPE_LABELS
from marketreg.domains.registry.schemas import PublicEntityOut
from marketreg.kernel import clock
from marketreg.kernel.errors import DomainError
from marketreg.platform import jobs
from marketreg.platform.db import RecordId
from marketreg.web.deps import EnterpriseActor, PostedForm, ReadSession, WriteSession, staff
from marketreg.web.nav import NavItem
from marketreg.web.pages import csv_download, page_action, render, xlsx_download
from marketreg.web.ratelimit import public_limit
from marketreg.web.templating import register_templates

register_templates(Path(__file__).parent / "templates")
staff_pages = APIRouter(prefix="/credit")
enterprise_pages = APIRouter(prefix="/enterprise/credit")
public_pages = APIRouter(prefix="/credit")

# This domain's entries in the portals' menus (web.nav; permissions come from the routes).
NAV = [
    NavItem("supervision", "信用监管", "/staff/credit"),
    NavItem("services", "年度报告", "/staff/credit/annual-reports"),
    NavItem("supervision", "信用任务", "/staff/credit/jobs"),
    NavItem("data", "信用统计", "/staff/credit/dashboard"),
]
PUBLIC_NAV = [
    NavItem("services", "年报与信用修复", "/enterprise/credit", "企业登录后补报年报、申请移出异常名录和信用修复"),
    NavItem("disclosure", "信用信息公示", "/credit", "经营异常名录、严重违法失信名单查询与下载"),
]
Filter = Annotated[str, Query(max_length=40)]
CLASS_COLORS = {"A": "#2e7d32", "B": "#1565c0", "C": "#ef6c00", "D": "#c62828"}


def _bar(labels: list[str], series: dict[str, list[int]], *, stack: bool = True) -> dict:
    return {"tooltip": {"trigger": "axis"}, "legend": {}, "grid": {"containLabel": True},
            "xAxis": {"type": "category", "data": labels, "axisLabel": {"rotate": 30}}, "yAxis": {"type": "value"},
            "series": [{"name": n, "type": "bar", "stack": "s" if stack else None, "data": v,
                        **({"itemStyle": {"color": CLASS_COLORS[n]}} if n in CLASS_COLORS else {})}
                       for n, v in series.items()]}


# ============================================================================ staff


@staff_pages.get("")
def entries_page(request: Request, session: ReadSession, actor: staff("credit.view"), list_type: Filter = "",
                 status: Filter = "", q: Filter = "") -> Response:
    filters = service.EntryFilter(list_type=list_type, status=status, q=q)
    today = clock.today()
    return render(request, "credit/staff_entries.html", {
        "entries": [EntryOut.of(e) for e in service.list_entries(session, actor=actor, filters=filters)],
        "list_type": list_type, "status": status, "q": q, "list_labels": LIST_LABELS,
        "status_labels": ENTRY_STATUS_LABELS, "grounds": rules.staff_grounds(today),
        "categories": rules.SERIOUS_CATEGORIES, "objections": service.pending_objections(session, actor=actor),
        "repairs": [RepairOut.of(r) for r in service.repairs(session, actor=actor)], "year": _due_year(today),
        "sweep_jobs": [j for j in jobs.list_jobs(session, actor=actor, limit=20) if j.kind.startswith("credit.")],
        "rule_version": rules.abnormal_rules_for(today),
        "reviews": [EntryOut.of(e) for e in service.pending_reviews(session, actor=actor)],
        "measures": [MeasureOut.of(p) for p in service.measure_proposals(session, actor=actor)],
        "art18_basis": rules.ART18_BASIS,
    })


def _due_year(today: dt.date) -> int:
    from marketreg.domains.credit.classify import due_report_year

    return due_report_year(today)


@staff_pages.get("/entries.xlsx")
def entries_export(session: ReadSession, actor: staff("credit.view"), list_type: Filter = "",
                   status: Filter = "") -> Response:
    rows = ((e.id, LIST_LABELS[e.list_type], e.entity_name, e.entity_uscc, ENTRY_STATUS_LABELS.get(e.status, ""),
              e.ground_label, e.basis, e.listed_on, e.removed_on, e.removal_reason or "")
            for e in service.list_entries(session, actor=actor, limit=50_000,
                                          filters=service.EntryFilter(list_type=list_type, status=status)))
    return xlsx_download("信用名录名单.xlsx", ["编号", "名录", "主体名称", "统一社会信用代码", "状态", "事由", "依据",
                                              "列入日期", "移出日期", "移出原因"], rows)


class ListForm(BaseModel):
    uscc: str = Field(max_length=18)
    ground_code: str = Field(max_length=40)
    evidence: str = Field("", max_length=4000)
    reason: str = Field("", max_length=2000)
    first_letter_on: dt.date | None = None
    second_letter_on: dt.date | None = None


@staff_pages.post("/list")
def list_page(session: WriteSession, actor: staff("credit.list"), form: Annotated[ListForm, Form()]) -> Response:
    letters = (form.first_letter_on, form.second_letter_on) if form.first_letter_on and form.second_letter_on else None
    return page_action(session, lambda: actions.do_list(session, actor=actor, uscc=form.uscc.strip().upper(),
                                                        ground_code=form.ground_code, evidence=form.evidence,
                                                        reason=form.reason, letters=letters),
                       done=lambda entry: f"/staff/credit/entities/{entry.entity_uscc}")


class DecideForm(BaseModel):
    approve: str = Field("", max_length=2)
    reason: str = Field("", max_length=2000)
    category: str = Field("", max_length=40)
    consent_ref: str = Field("", max_length=100)


@staff_pages.post("/entries/{entry_id:int}/decide")
def decide_page(session: WriteSession, actor: staff("credit.list"), entry_id: int,
                form: Annotated[DecideForm, Form()]) -> Response:
    return page_action(session, lambda: actions.do_decide_proposal(
        session, actor=actor, entry_id=entry_id, approve=form.approve == "1", reason=form.reason,
        category=form.category, consent_ref=form.consent_ref), done="/staff/credit?status=listed")


class VerdictForm(BaseModel):
    grant: str = Field("", max_length=2)
    note: str = Field("", max_length=2000)


@staff_pages.post("/entries/{entry_id:int}/review")
def review_page(session: WriteSession, actor: staff("credit.list"), entry_id: int,
                form: Annotated[VerdictForm, Form()]) -> Response:
    """RULES C1: settle a listing flagged because its rule was abolished (grant = remove)."""
    actions.do_settle_review(session, actor=actor, entry_id=entry_id, remove=form.grant == "1", note=form.note)
    return RedirectResponse("/staff/credit#reviews", status_code=303)


@staff_pages.post("/measures/false-information")
def false_information_page(session: WriteSession, actor: staff("credit.list"),
                           form: Annotated[ListForm, Form()]) -> Response:
    """RULES C1: propose the Art. 18(2) fine and serious list for an enterprise's falsified information."""
    actions.do_propose_false_information(session, actor=actor, uscc=form.uscc.strip().upper(), evidence=form.evidence,
                                         reason=form.reason)
    return RedirectResponse("/staff/credit#measures", status_code=303)


@staff_pages.post("/measures/{proposal_id:int}/decide")
def measure_page(session: WriteSession, actor: staff("credit.list"), proposal_id: int,
                 form: Annotated[VerdictForm, Form()]) -> Response:
    """RULES C1: decide a measure proposed under 条例 (2024) Art. 18."""
    actions.do_decide_measure(session, actor=actor, proposal_id=proposal_id, accept=form.grant == "1",
                              note=form.note)
    return RedirectResponse("/staff/credit#measures", status_code=303)


@staff_pages.post("/objections/{objection_id:int}/decide")
def objection_page(session: WriteSession, actor: staff("credit.list"), objection_id: int,
                   form: Annotated[VerdictForm, Form()]) -> Response:
    return page_action(session, lambda: actions.do_decide_objection(session, actor=actor, objection_id=objection_id,
                                                                    upheld=form.grant == "1", note=form.note),
                       done="/staff/credit")


@staff_pages.post("/repairs/{repair_id:int}/decide")
def repair_page(session: WriteSession, actor: staff("credit.repair"), repair_id: int,
                form: Annotated[VerdictForm, Form()]) -> Response:
    return page_action(session, lambda: actions.do_decide_repair(session, actor=actor, repair_id=repair_id,
                                                                 grant=form.grant == "1", note=form.note),
                       done="/staff/credit")


@staff_pages.post("/sweep")
def sweep_page(request: Request, actor: staff("credit.list"),
               year: Annotated[int, Form(ge=2000, le=2100)]) -> Response:
    """Queue the annual-report sweep of the actor's jurisdiction as a job run as the actor; progress
    shows in the job monitor. A year that cannot be swept is refused before any job exists."""
    actions.check_sweep(actor, year, clock.today())
    job_id = jobs.create_job(request.app.state.sessions, kind="credit.sweep",
                             title=f"{year}年度报告未报送列入经营异常名录（{actor.org_name or '全省'}）", actor=actor)
    tasks.sweep_annual_reports_task(job_id, year)
    return RedirectResponse(f"/staff/credit/jobs#job-{job_id}", status_code=303)


@staff_pages.post("/classify")
def classify_page(request: Request, actor: staff("credit.classify")) -> Response:
    with request.app.state.sessions.transaction() as session:
        actions.do_request_classification(session, actor=actor)
    job_id = jobs.create_job(request.app.state.sessions, kind="credit.classify", title="信用风险分类（全部主体）",
                             actor=actor)
    tasks.classify_task(job_id)
    return RedirectResponse(f"/staff/credit/jobs#job-{job_id}", status_code=303)


@staff_pages.get("/jobs")
def jobs_page(request: Request, session: ReadSession, actor: staff("credit.view")) -> Response:
    """The credit jobs with their progress (the page refreshes itself while one runs)."""
    found = [j for j in jobs.list_jobs(session, actor=actor, limit=50) if j.kind.startswith("credit.")]
    return render(request, "credit/staff_jobs.html", {"jobs": found,
                                                      "running": any(j.status in ("queued", "running") for j in found)})


@staff_pages.get("/entities/{uscc}")
def entity_page(request: Request, session: ReadSession, actor: staff("credit.view"), uscc: str) -> Response:
    """The full credit file (一户一档) of an entity in the actor's jurisdiction."""
    entity = registry.get_entity(session, actor=actor, uscc=uscc)
    from marketreg.domains.credit.classify import history_of

    return render(request, "credit/staff_entity.html", {
        "entity": entity, "events": [CreditEventOut.of(e) for e in service.timeline(session, uscc=entity.uscc)],
        "entries": [EntryOut.of(e) for e in service.entries_of(session, uscc=entity.uscc)],
        "reports": service.annual_reports(session, uscc=entity.uscc), "klass": class_out(session, entity.id),
        "history": history_of(session, entity.id), "classes": RISK_CLASSES, "class_labels": RISK_CLASS_LABELS,
    })


class OverrideForm(BaseModel):
    risk_class: str = Field("", pattern="^(|A|B|C|D)$")
    reason: str = Field("", max_length=1000)


@staff_pages.post("/entities/{uscc}/class")
def override_page(session: WriteSession, actor: staff("credit.classify"), uscc: str,
                  form: Annotated[OverrideForm, Form()]) -> Response:
    return page_action(session, lambda: actions.do_override_class(session, actor=actor, uscc=uscc,
                                                                  risk_class=form.risk_class, reason=form.reason),
                       done=f"/staff/credit/entities/{uscc}")


@staff_pages.get("/annual-reports")
def filing_rates_page(request: Request, session: ReadSession, actor: staff("credit.dashboard"),
                      year: Annotated[int | None, Query(ge=2000, le=2100)] = None) -> Response:
    year = year or clock.today().year - 1
    rates = service.filing_rates(session, actor=actor, report_year=year)
    cities = _cities(session)
    by_city: dict[str, list[int]] = {}
    for r in rates:
        totals = by_city.setdefault(cities.get(r.city_code, r.city_code), [0, 0])
        totals[0] += r.due
        totals[1] += r.filed
    labels = list(by_city)
    chart = {"tooltip": {"trigger": "axis"}, "xAxis": {"type": "category", "data": labels, "axisLabel": {"rotate": 30}},
             "yAxis": {"type": "value", "max": 100, "name": "%"},
             "series": [{"name": "报送率", "type": "bar",
                         "data": [round(v[1] * 100 / v[0], 1) if v[0] else 0 for v in by_city.values()]}]}
    return render(request, "credit/staff_filing_rates.html", {
        "year": year, "rates": rates, "cities": cities, "type_labels": ENTITY_TYPE_LABELS, "filing_chart": chart,
        "window": rules.report_window(year), "basis": rules.ANNUAL_REPORT_BASIS})


def _cities(session) -> dict[str, str]:
    """City code → name (济南市), from GB/T 2260."""
    return {code: name for code, name in reference.region_names(session).items() if code.endswith("00")}


def _dashboard_tables(session, actor) -> dict[str, tuple[list[str], list[tuple]]]:
    stats = service.entry_stats(session, actor=actor)
    dist = service.class_distribution(session, actor=actor)
    cities = _cities(session)
    today = clock.today()
    return {
        "entries_by_city": (["名录", "地市", "数量"], [(LIST_LABELS[t], cities.get(c, c), n)
                                                    for (t, c), n in sorted(stats["by_city"].items())]),
        "entries_by_reason": (["事由", "数量"], sorted(stats["by_reason"].items(), key=lambda r: -r[1])),
        "entries_by_month": (["月份", "数量"], list(stats["by_month"].items())),
        "class_by_city": (["地市", *RISK_CLASSES], _pivot(dist["by_city"], cities)),
        "class_by_industry": (["门类", *RISK_CLASSES], _pivot(dist["by_industry"],
                                                              dict(reference.section_choices(session)))),
        "deadlines": (["事项", "日期", "主体", "统一社会信用代码", "名录"],
                      [(what, day, e.entity_name, e.entity_uscc, LIST_LABELS[e.list_type])
                       for what, day, e in service.upcoming_deadlines(session, actor=actor, today=today)]),
    }


def _pivot(counts: Counter, names: dict[str, str]) -> list[tuple]:
    keys = sorted({k for k, _ in counts})
    return [(names.get(k, k), *(counts.get((k, c), 0) for c in RISK_CLASSES)) for k in keys]


TABLE_TITLES = {"entries_by_city": "名录名单（按地市）", "entries_by_reason": "名录名单（按事由）",
                "entries_by_month": "名录名单（按月份）", "class_by_city": "风险分类（按地市）",
                "class_by_industry": "风险分类（按行业门类）", "deadlines": "即将到期的名录期限"}


@staff_pages.get("/dashboard")
def dashboard_page(request: Request, session: ReadSession, actor: staff("credit.dashboard")) -> Response:
    tables = _dashboard_tables(session, actor)
    by_city = tables["class_by_city"][1]
    by_industry = tables["class_by_industry"][1]
    months = tables["entries_by_month"][1]
    charts = {
        "class_city": _bar([r[0] for r in by_city],
                           {c: [r[i + 1] for r in by_city] for i, c in enumerate(RISK_CLASSES)}),
        "class_industry": _bar([r[0] for r in by_industry],
                               {c: [r[i + 1] for r in by_industry] for i, c in enumerate(RISK_CLASSES)}),
        "month": _bar([m for m, _ in months], {"列入数量": [n for _, n in months]}, stack=False),
        "reason": {"tooltip": {"trigger": "item"}, "series": [{"type": "pie", "radius": "60%", "data": [
            {"name": k, "value": v} for k, v in tables["entries_by_reason"][1]]}]},
    }
    return render(request, "credit/staff_dashboard.html", {
        "tables": tables, "titles": TABLE_TITLES, "charts": charts, "run": service.latest_run(session)})


@staff_pages.get("/dashboard.xlsx")
def dashboard_export(session: ReadSession, actor: staff("credit.dashboard"),
                     table: Annotated[str, Query(pattern="^[a-z_]+$")] = "entries_by_city",
                     fmt: Annotated[str, Query(pattern="^(xlsx|csv)$")] = "xlsx") -> Response:
    tables = _dashboard_tables(session, actor)
    if table not in tables:
        raise DomainError("credit.table_unknown", "没有该统计表")
    header, rows = tables[table]
    name = f"信用监管统计-{TABLE_TITLES[table]}"
    return csv_download(f"{name}.csv", header, rows) if fmt == "csv" else xlsx_download(f"{name}.xlsx", header, rows)


# ============================================================================ enterprise


def _enterprise_page(request: Request, session, actor, *, done: str = "", error: DomainError | None = None,
                     values: dict | None = None) -> Response:
    uscc = actor.entity_uscc or ""
    today = clock.today()
    year = today.year - 1
    reports = service.annual_reports(session, uscc=uscc)
    entries = [EntryOut.of(e) for e in service.entries_of(session, uscc=uscc)]
    filed = next((r for r in reports if r.report_year == year), None)
    prefill = {**(filed.public_items if filed else {}),
               **{f"item7_{k}": v for k, v in (filed.item7 if filed else {}).items()}}
    return render(request, "credit/enterprise.html", {
        "values": values if values is not None else prefill, "error": error,
        "field_errors": (error.details.get("fields") or {}) if error else {},
        "statuses": rules.OPERATING_STATUSES, "correct_until": rules.report_window(year)[1],
        "year": year, "window": rules.report_window(year), "today": today, "reports": reports,
        "filed_years": {r.report_year for r in reports}, "entries": entries, "done": done,
        "late_years": sorted({y for y in (year, year - 1, year - 2) if y not in {r.report_year for r in reports}}),
        "repairs": [RepairOut.of(r) for r in service.own_repairs(session, uscc=uscc)],
        "penalties": [CreditEventOut.of(e) for e in service.penalties_in_publicity(session, uscc=uscc)],
        "public_fields": PUBLIC_ITEM_FIELDS, "item7_fields": ITEM7_FIELDS, "targets": REPAIR_TARGET_LABELS,
        "basis": rules.ANNUAL_REPORT_BASIS, "item7_basis": rules.ITEM7_BASIS,
    }, status_code=error.status if error else 200)


@enterprise_pages.get("")
def enterprise_page(request: Request, session: ReadSession, actor: EnterpriseActor,
                    done: Annotated[str, Query(max_length=20)] = "") -> Response:
    return _enterprise_page(request, session, actor, done=done)


@enterprise_pages.post("/annual-report")
def annual_report_page(request: Request, form: PostedForm, session: WriteSession,
                       actor: EnterpriseActor) -> Response:
    year = _int(form.get("report_year"))
    public_items = {k: str(form.get(k, "")) for k in PUBLIC_ITEM_FIELDS}
    item7 = {k: str(form.get(f"item7_{k}", "")) for k in ITEM7_FIELDS}
    do = actions.do_correct_annual_report if form.get("correct") == "1" else actions.do_file_annual_report
    values = {**public_items, **{f"item7_{k}": v for k, v in item7.items()}}
    return page_action(session, lambda: do(session, actor=actor, report_year=year, public_items=public_items,
                                           item7=item7, item7_public=form.get("item7_public") == "1"),
                       # item 16: re-render with each field's message and the values entered
                       refused=lambda exc: _enterprise_page(request, session, actor, error=exc, values=values),
                       done="/enterprise/credit?done=report")


def _int(value) -> int:
    try:
        return int(str(value))
    except ValueError:
        raise DomainError("credit.report_year_invalid", "请选择报告年度") from None


class ObjectionForm(BaseModel):
    entry_id: RecordId
    reason: str = Field("", max_length=2000)


@enterprise_pages.post("/objection")
def objection_form(session: WriteSession, actor: EnterpriseActor, form: Annotated[ObjectionForm, Form()]) -> Response:
    return page_action(session, lambda: actions.do_object(session, actor=actor, entry_id=form.entry_id,
                                                          reason=form.reason),
                       done="/enterprise/credit?done=objection")


class RepairForm(BaseModel):
    target: str = Field(max_length=20)
    ref: str = Field(max_length=80)
    duties_performed: str = Field("", max_length=2)
    harm_removed: str = Field("", max_length=2)
    pledge: str = Field("", max_length=2)
    statement: str = Field("", max_length=2000)


@enterprise_pages.post("/repair")
def repair_form(session: WriteSession, actor: EnterpriseActor, form: Annotated[RepairForm, Form()]) -> Response:
    decl = actions.Declarations(duties_performed=form.duties_performed == "1", harm_removed=form.harm_removed == "1",
                                pledge=form.pledge == "1", statement=form.statement)
    return page_action(session, lambda: actions.do_apply_repair(session, actor=actor, target=form.target, ref=form.ref,
                                                                decl=decl),
                       done="/enterprise/credit?done=repair")


# ============================================================================ public


@public_pages.get("")
@public_limit
def search_page(request: Request, session: ReadSession, q: Annotated[str, Query(max_length=100)] = "") -> Response:
    results, error = [], None
    if q.strip():
        try:
            results = registry.public_lookup(session, q=q)
        except DomainError as exc:
            error = exc
    return render(request, "credit/public_search.html", {"q": q, "results": results, "error": error},
                  status_code=error.status if error else 200)


@public_pages.get("/entities/{uscc}")
@public_limit
def public_entity_page(request: Request, session: ReadSession, uscc: str) -> Response:
    credit = public_credit(session, uscc)
    entity = registry.find_respondent(session, uscc=uscc)
    today = clock.today()
    return render(request, "credit/public_entity.html", {
        "credit": credit, "entity": PublicEntityOut.of(entity), "today": today,
        "reports": [public_report(r) for r in service.annual_reports(session, uscc=entity.uscc)],
        "public_fields": PUBLIC_ITEM_FIELDS, "item7_fields": ITEM7_FIELDS,
    })


@public_pages.get("/lists.csv")
@public_limit
def lists_csv(request: Request, session: ReadSession,
              list_type: Annotated[str, Query(alias="list", pattern="^(abnormal|serious)$")] = "abnormal") -> Response:
    rows = ((e.entity_name, e.entity_uscc, e.ground_label, e.basis, e.listed_on, "")
            for e in service.public_entries(session, list_type=list_type))
    return csv_download(f"{LIST_LABELS[list_type]}.csv", ["主体名称", "统一社会信用代码", "列入事由", "依据",
                                                          "列入日期", "备注"], rows)
