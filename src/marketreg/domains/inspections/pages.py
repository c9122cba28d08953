"""Pages of random inspections: staff (plans, batches and their draw, work queue, result form,
publication tracker, inspector database, targeting report) and public (plans, batches with
commitment / seed / draw record, published results)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from marketreg.domains.inspections import actions, rules, service, tasks
from marketreg.domains.inspections.api import batch_in, inspector_codes
from marketreg.domains.inspections.enums import (
    BATCH_STATUS_LABELS,
    ORG_LEVEL_LABELS,
    RESULTS,
    RISK_CLASS_LABELS,
    RISK_CLASSES,
    TASK_STATUS_LABELS,
)
from marketreg.domains.inspections.schemas import BatchCreateIn, PublicResultOut
from marketreg.kernel import clock
from marketreg.kernel.errors import DomainError
from marketreg.platform import jobs
from marketreg.platform.uploads import ACCEPT, MAX_BYTES, RawFile, check_files
from marketreg.web.deps import PostedForm, ReadSession, WriteSession, staff
from marketreg.web.nav import NavItem
from marketreg.web.pages import page_action, render
from marketreg.web.ratelimit import public_limit
from marketreg.web.templating import register_templates

register_templates(Path(__file__).parent / "templates")
staff_pages = APIRouter(prefix="/inspections")
public_pages = APIRouter(prefix="/inspections")

# This domain's entries in the portals' menus (web.nav; permissions come from the routes).
NAV = [
    NavItem("supervision", "双随机抽查", "/staff/inspections"),
    NavItem("office", "检查任务", "/staff/inspections/tasks"),
    NavItem("supervision", "结果公示", "/staff/inspections/publication"),
    NavItem("supervision", "执法检查人员库", "/staff/inspections/inspectors"),
]
PUBLIC_NAV = [
    NavItem("disclosure", "双随机抽查公示", "/inspections", "抽查计划、批次与检查结果；摇号记录人人可复核"),
    NavItem("disclosure", "抽查结果查询", "/inspections/results", "按企业查询随机抽查结果"),
]


def _labels() -> dict:
    return {"batch_status": BATCH_STATUS_LABELS, "task_status": TASK_STATUS_LABELS, "result_codes": RESULTS,
            "classes": RISK_CLASS_LABELS, "levels": ORG_LEVEL_LABELS, "publication_days":
            rules.RESULT_PUBLICATION_WORKDAYS, "publication_basis": rules.RESULT_PUBLICATION_BASIS,
            "plan_basis": rules.PLAN_FILING_BASIS, "min_inspectors_basis": rules.MIN_INSPECTORS_BASIS,
            "weights_basis": rules.CLASS_WEIGHTS_BASIS, "default_weights": rules.DEFAULT_CLASS_WEIGHTS}


# ----------------------------------------------------------------------------- staff: plans and batches


@staff_pages.get("")
def plans_page(request: Request, session: ReadSession, actor: staff("inspections.view")) -> Response:
    return render(request, "inspections/plans.html", {"plans": service.list_plans(session, actor=actor),
                                                      "year": clock.today().year, **_labels()})


@staff_pages.post("/plans")
def create_plan(session: WriteSession, actor: staff("inspections.plan"),
                year: Annotated[int, Form(ge=2015, le=2100)], title: Annotated[str, Form(min_length=1, max_length=200)],
                weight_A: Annotated[float | None, Form(ge=0, le=100)] = None,  # noqa: N803 - class codes
                weight_B: Annotated[float | None, Form(ge=0, le=100)] = None,  # noqa: N803
                weight_C: Annotated[float | None, Form(ge=0, le=100)] = None,  # noqa: N803
                weight_D: Annotated[float | None, Form(ge=0, le=100)] = None,  # noqa: N803
                ) -> Response:
    """A plan; the optional weights override the default class weights for all its batches."""
    given = dict(zip(RISK_CLASSES, (weight_A, weight_B, weight_C, weight_D), strict=True))
    weights = {c: w for c, w in given.items() if w is not None}
    return page_action(session, lambda: actions.do_create_plan(session, actor=actor, year=year, title=title,
                                                               class_weights=weights or None),
                       done=lambda plan: f"/staff/inspections/plans/{plan.id}")


@staff_pages.get("/plans/{plan_id}")
def plan_page(request: Request, session: ReadSession, actor: staff("inspections.view"), plan_id: int) -> Response:
    plan = service.get_plan(session, actor=actor, plan_id=plan_id)
    today = clock.today()
    return render(request, "inspections/plan.html", {
        "plan": plan, "items": service.list_items(session), "own": actor.sees(plan.org_path) or actor.org_path == "/",
        "starts_on": today, "ends_on": today + dt.timedelta(days=60), "risk_classes": RISK_CLASSES, **_labels()})


@staff_pages.post("/plans/{plan_id}/file")
def file_plan(session: WriteSession, actor: staff("inspections.plan"), plan_id: int) -> Response:
    return page_action(session, lambda: actions.do_file_plan(session, actor=actor, plan_id=plan_id),
                       done=f"/staff/inspections/plans/{plan_id}")


@staff_pages.post("/plans/{plan_id}/batches")
def create_batch(session: WriteSession, actor: staff("inspections.plan"), plan_id: int,
                 form: Annotated[BatchCreateIn, Form()]) -> Response:
    return page_action(session, lambda: actions.do_create_batch(session, actor=actor, plan_id=plan_id,
                                                                data=batch_in(form)),
                       done=lambda batch: f"/staff/inspections/batches/{batch.id}")


@staff_pages.get("/batches/{batch_id}")
def batch_page(request: Request, session: ReadSession, actor: staff("inspections.view"), batch_id: int) -> Response:
    batch = service.get_batch(session, actor=actor, batch_id=batch_id)
    tasks = service.tasks_of(session, batch_id=batch.id)
    digests = service.digests(session, batch_id=batch.id) if batch.status != "draft" else None
    return render(request, "inspections/batch.html", {"freezing": _freezing(session, actor, batch),
        "batch": batch, "tasks": tasks, "codes": inspector_codes(session, tasks),
        "digests": digests, "items": service.items_by_code(session, codes=batch.item_codes),
        **_labels()})


def _freezing(session, actor, batch):
    """The freeze job of a draft batch still queued or running (its progress for the page)."""
    if batch.status != "draft":
        return None
    return next((j for j in jobs.list_jobs(session, actor=actor, limit=20) if j.kind == "inspections.freeze"
                 and j.title.endswith(f"（{batch.batch_no}）") and j.status in ("queued", "running")), None)


def _batch_step(name: str, action) -> None:
    def endpoint(session: WriteSession, actor: staff("inspections.plan"), batch_id: int) -> Response:
        return page_action(session, lambda: action(session, actor=actor, batch_id=batch_id),
                           done=f"/staff/inspections/batches/{batch_id}")

    endpoint.__name__ = f"batch_{name.replace('-', '_')}"
    staff_pages.post(f"/batches/{{batch_id}}/{name}")(endpoint)


@staff_pages.post("/batches/{batch_id}/commit")
def batch_commit(request: Request, actor: staff("inspections.plan"), batch_id: int) -> Response:
    """Freeze the batch as a job (a province-wide directory takes a while); its progress shows in
    the job monitor, and the batch page shows the commitment when it is done. The batch is looked
    up in scope (404 outside it) in a read that ends before the job starts."""
    with request.app.state.sessions.read() as session:
        batch = service.get_batch(session, actor=actor, batch_id=batch_id)
    job_id = jobs.create_job(request.app.state.sessions, kind="inspections.freeze",
                             title=f"冻结抽查名录（{batch.batch_no}）", actor=actor)
    tasks.freeze_batch_task(job_id, batch.id, actor.user_id)
    return RedirectResponse(f"/staff/inspections/batches/{batch_id}", status_code=303)


_batch_step("draw", actions.do_draw_batch)
_batch_step("publish-seed", actions.do_publish_seed)


def targeting_chart(report: service.Targeting) -> dict:
    """Bar chart: problem-finding rate by class, with the uniform-draw expectation as a line."""
    labels = [f"{r.risk_class}类" for r in report.classes]
    rates = [None if r.rate is None else round(100 * r.rate, 1) for r in report.classes]
    uniform = None if report.uniform_rate is None else round(100 * report.uniform_rate, 1)
    return {"tooltip": {"trigger": "axis"}, "legend": {"data": ["按类别发现问题率", "等量均匀随机抽取（估计）"]},
            "xAxis": {"type": "category", "data": labels}, "yAxis": {"type": "value", "name": "%"},
            "series": [{"name": "按类别发现问题率", "type": "bar", "data": rates},
                       {"name": "等量均匀随机抽取（估计）", "type": "line", "data": [uniform] * len(labels)}]}


@staff_pages.get("/batches/{batch_id}/targeting")
def targeting_page(request: Request, session: ReadSession, actor: staff("inspections.report"),
                   batch_id: int) -> Response:
    batch = service.get_batch(session, actor=actor, batch_id=batch_id)
    report = service.batch_targeting(session, batch=batch)
    return render(request, "inspections/targeting.html", {"batch": batch, "report": report,
                                                          "chart_option": targeting_chart(report), **_labels()})


# ----------------------------------------------------------------------------- staff: execution


@staff_pages.get("/tasks")
def queue_page(request: Request, session: ReadSession, actor: staff("inspections.execute"),
               status: Annotated[str, Query(pattern="^(|assigned|recorded|published)$")] = "") -> Response:
    return render(request, "inspections/queue.html", {
        "tasks": service.work_queue(session, actor=actor, status=status), "status": status,
        "inspector": service.inspector_for_user(session, user_id=actor.user_id), **_labels()})


@staff_pages.get("/tasks/{task_id}")
def task_page(request: Request, session: ReadSession, actor: staff("inspections.view"), task_id: int) -> Response:
    task = service.get_task(session, actor=actor, task_id=task_id)
    return render(request, "inspections/task.html", {
        "task": task, "items": service.items_by_code(session, codes=task.batch.item_codes),
        "codes": inspector_codes(session, [task]), "assigned": service.is_assigned(session, actor=actor, task=task),
        "today": clock.today(), "accept": ACCEPT, **_labels()})


def _files(form) -> list[RawFile]:
    return [RawFile(filename=f.filename or "", content=f.file.read(MAX_BYTES + 1))
            for f in form.getlist("files") if not isinstance(f, str)]


@staff_pages.post("/tasks/{task_id}")
def record_result(form: PostedForm, session: WriteSession, actor: staff("inspections.execute"),
                  task_id: int) -> Response:
    """The on-site record form: one result per item, notes, evidence attachments."""
    try:
        inspected_on = dt.date.fromisoformat(str(form.get("inspected_on", "")))
    except ValueError:
        raise DomainError("inspections.bad_inspected_on", "请填写检查日期") from None
    results = {key.removeprefix("result_"): (str(value), str(form.get(f"note_{key.removeprefix('result_')}", "")))
               for key, value in form.items() if key.startswith("result_")}
    uploads = check_files(_files(form), code_prefix="inspections")
    return page_action(session, lambda: actions.do_record_result(session, actor=actor, task_id=task_id,
                                                                 inspected_on=inspected_on, results=results,
                                                                 uploads=uploads),
                       done=f"/staff/inspections/tasks/{task_id}")


@staff_pages.get("/publication")
def publication_page(request: Request, session: ReadSession, actor: staff("inspections.publish")) -> Response:
    return render(request, "inspections/publication.html", {
        "tasks": service.publication_tracker(session, actor=actor), "today": clock.today(), **_labels()})


@staff_pages.post("/publication")
def publish(session: WriteSession, actor: staff("inspections.publish"),
            task_ids: Annotated[list[int], Form(min_length=1)]) -> Response:
    return page_action(session, lambda: actions.do_publish_results(session, actor=actor, task_ids=task_ids),
                       done="/staff/inspections/publication")


# ----------------------------------------------------------------------------- staff: the two databases


@staff_pages.get("/inspectors")
def inspectors_page(request: Request, session: ReadSession, actor: staff("inspections.view")) -> Response:
    return render(request, "inspections/inspectors.html", {
        "inspectors": service.list_inspectors(session, actor=actor), "items": service.list_items(session)})


@staff_pages.post("/inspectors")
def register_inspector(session: WriteSession, actor: staff("inspections.manage"),
                       username: Annotated[str, Form(min_length=1, max_length=40)],
                       code: Annotated[str, Form(min_length=1, max_length=20)],
                       department: Annotated[str, Form(min_length=1, max_length=60)],
                       qualifications: Annotated[list[str], Form(min_length=1)]) -> Response:
    return page_action(session, lambda: actions.do_register_inspector(
        session, actor=actor, username=username, code=code, department=department, qualifications=qualifications),
        done="/staff/inspections/inspectors")


@staff_pages.post("/inspectors/{inspector_id}/relations")
def declare_relation(session: WriteSession, actor: staff("inspections.manage"), inspector_id: int,
                     uscc: Annotated[str, Form(min_length=18, max_length=18)],
                     relation: Annotated[str, Form(min_length=1, max_length=100)]) -> Response:
    return page_action(session, lambda: actions.do_declare_relation(session, actor=actor, inspector_id=inspector_id,
                                                                    uscc=uscc, relation=relation),
                       done="/staff/inspections/inspectors")


# ----------------------------------------------------------------------------- public


@public_pages.get("")
@public_limit
def public_index(request: Request, session: ReadSession) -> Response:
    return render(request, "inspections/public_index.html", {
        "plans": service.public_plans(session), "batches": service.public_batches(session), **_labels()})


@public_pages.get("/batches/{batch_no}")
@public_limit
def public_batch_page(request: Request, session: ReadSession, batch_no: str) -> Response:
    batch = service.public_batch(session, batch_no=batch_no)
    results = [PublicResultOut.of(t) for t in service.published_tasks(session, batch_id=batch.id)]
    return render(request, "inspections/public_batch.html", {"batch": batch, "results": results, **_labels()})


@public_pages.get("/results")
@public_limit
def public_results_page(request: Request, session: ReadSession,
                        uscc: Annotated[str, Query(max_length=18)] = "") -> Response:
    results = [PublicResultOut.of(t) for t in service.published_tasks(session, uscc=uscc.strip().upper(), limit=200)]
    return render(request, "inspections/public_results.html", {"results": results, "uscc": uscc, **_labels()})
