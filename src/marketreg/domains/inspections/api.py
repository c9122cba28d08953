"""JSON API of random inspections (mounted under /api/v1).

Staff: item list, inspector database, plans and batches with commit → draw → publish-seed, the
inspector's work queue, results, publication and the targeting report. Public: filed plans,
batches (commitment before the draw; seed and record after), published results.
"""

from __future__ import annotations

import json
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Query, Request, Response

from marketreg.domains.inspections import actions, service
from marketreg.domains.inspections.schemas import (
    BatchCreateIn,
    BatchOut,
    ClassRateOut,
    InspectorIn,
    InspectorOut,
    ItemOut,
    PlanIn,
    PlanOut,
    PublicResultOut,
    PublishIn,
    RelationIn,
    ResultIn,
    TargetingOut,
    TaskOut,
)
from marketreg.kernel.errors import NotFound
from marketreg.platform.authz import SYSTEM
from marketreg.web.deps import ReadSession, WriteSession, staff
from marketreg.web.ratelimit import public_limit

staff_router = APIRouter(prefix="/inspections", tags=["inspections"])
public_router = APIRouter(prefix="/public/inspections", tags=["public"])


def batch_in(data: BatchCreateIn) -> actions.BatchIn:
    scope = {"region_code": data.region_code, "industry": data.industry, "entity_type": data.entity_type,
             "status": data.status, "licence_type": data.licence_type, "classes": data.classes}
    return actions.BatchIn(title=data.title, item_codes=data.item_codes, size=data.size, starts_on=data.starts_on,
                           ends_on=data.ends_on, scope=scope, class_weights=data.class_weights,
                           per_entity=data.per_entity, avoid_same_region=data.avoid_same_region,
                           avoid_previous_inspector=data.avoid_previous_inspector, exclusion_days=data.exclusion_days)


def inspector_codes(session, tasks) -> dict[int, str]:
    ids = {ti.inspector_id for t in tasks for ti in t.inspectors}
    return {i: service.get_inspector(session, actor=SYSTEM, inspector_id=i).code for i in ids}


def record_download(record: dict, batch_no: str) -> Response:
    return Response(json.dumps(record, ensure_ascii=False), media_type="application/json",
                    headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(batch_no)}-draw.json"})


def targeting_out(batch, report) -> TargetingOut:
    return TargetingOut(batch_no=batch.batch_no, inspected=report.inspected, found=report.found,
                        observed_rate=report.observed_rate, uniform_rate=report.uniform_rate, lift=report.lift,
                        classes=[ClassRateOut(risk_class=r.risk_class, directory=r.directory, drawn=r.drawn,
                                              inspected=r.inspected, found=r.found, rate=r.rate)
                                 for r in report.classes])


# ----------------------------------------------------------------------------- staff


@staff_router.get("/items", response_model=list[ItemOut])
def items(session: ReadSession, actor: staff("inspections.view")) -> list[ItemOut]:
    return [ItemOut(code=i.code, department=i.department, name=i.name, basis=i.basis, method=i.method)
            for i in service.list_items(session)]


@staff_router.get("/inspectors", response_model=list[InspectorOut])
def inspectors(session: ReadSession, actor: staff("inspections.view")) -> list[InspectorOut]:
    return [InspectorOut.of(i) for i in service.list_inspectors(session, actor=actor)]


@staff_router.post("/inspectors", response_model=InspectorOut, status_code=201)
def register_inspector(session: WriteSession, actor: staff("inspections.manage"), data: InspectorIn) -> InspectorOut:
    return InspectorOut.of(actions.do_register_inspector(
        session, actor=actor, username=data.username, code=data.code, department=data.department,
        qualifications=data.qualifications, region_code=data.region_code))


@staff_router.post("/inspectors/{inspector_id}/relations", status_code=201)
def declare_relation(session: WriteSession, actor: staff("inspections.manage"), inspector_id: int,
                     data: RelationIn) -> dict:
    relation = actions.do_declare_relation(session, actor=actor, inspector_id=inspector_id, uscc=data.uscc,
                                           relation=data.relation)
    return {"id": relation.id, "uscc": relation.entity_uscc}


@staff_router.get("/plans", response_model=list[PlanOut])
def plans(session: ReadSession, actor: staff("inspections.view")) -> list[PlanOut]:
    return [PlanOut.of(p) for p in service.list_plans(session, actor=actor)]


@staff_router.post("/plans", response_model=PlanOut, status_code=201)
def create_plan(session: WriteSession, actor: staff("inspections.plan"), data: PlanIn) -> PlanOut:
    return PlanOut.of(actions.do_create_plan(session, actor=actor, year=data.year, title=data.title,
                                             class_weights=data.class_weights))


@staff_router.post("/plans/{plan_id}/file", response_model=PlanOut)
def file_plan(session: WriteSession, actor: staff("inspections.plan"), plan_id: int) -> PlanOut:
    return PlanOut.of(actions.do_file_plan(session, actor=actor, plan_id=plan_id))


@staff_router.post("/plans/{plan_id}/batches", response_model=BatchOut, status_code=201)
def create_batch(session: WriteSession, actor: staff("inspections.plan"), plan_id: int,
                 data: BatchCreateIn) -> BatchOut:
    return BatchOut.of(actions.do_create_batch(session, actor=actor, plan_id=plan_id, data=batch_in(data)))


@staff_router.get("/batches/{batch_id}", response_model=BatchOut)
def batch(session: ReadSession, actor: staff("inspections.view"), batch_id: int) -> BatchOut:
    return BatchOut.of(service.get_batch(session, actor=actor, batch_id=batch_id))


@staff_router.post("/batches/{batch_id}/commit", response_model=BatchOut)
def commit(session: WriteSession, actor: staff("inspections.plan"), batch_id: int) -> BatchOut:
    """Freeze directory and inspector snapshots and publish the commitment (seed stays secret)."""
    return BatchOut.of(actions.do_commit_batch(session, actor=actor, batch_id=batch_id))


@staff_router.post("/batches/{batch_id}/draw", response_model=BatchOut)
def run_draw(session: WriteSession, actor: staff("inspections.plan"), batch_id: int) -> BatchOut:
    return BatchOut.of(actions.do_draw_batch(session, actor=actor, batch_id=batch_id))


@staff_router.post("/batches/{batch_id}/publish-seed", response_model=BatchOut)
def publish_seed(session: WriteSession, actor: staff("inspections.plan"), batch_id: int) -> BatchOut:
    return BatchOut.of(actions.do_publish_seed(session, actor=actor, batch_id=batch_id))


@staff_router.get("/batches/{batch_id}/tasks", response_model=list[TaskOut])
def batch_tasks(session: ReadSession, actor: staff("inspections.view"), batch_id: int) -> list[TaskOut]:
    found = service.tasks_of(session, batch_id=service.get_batch(session, actor=actor, batch_id=batch_id).id)
    codes = inspector_codes(session, found)
    return [TaskOut.of(t, codes) for t in found]


@staff_router.get("/batches/{batch_id}/record")
def batch_record(session: ReadSession, actor: staff("inspections.view"), batch_id: int) -> Response:
    found = service.get_batch(session, actor=actor, batch_id=batch_id)
    return record_download(service.draw_record(session, batch=found), found.batch_no)


@staff_router.get("/batches/{batch_id}/targeting", response_model=TargetingOut)
def batch_targeting(session: ReadSession, actor: staff("inspections.report"), batch_id: int) -> TargetingOut:
    found = service.get_batch(session, actor=actor, batch_id=batch_id)
    return targeting_out(found, service.batch_targeting(session, batch=found))


@staff_router.get("/tasks", response_model=list[TaskOut])
def my_tasks(session: ReadSession, actor: staff("inspections.execute"),
             status: Annotated[str, Query(pattern="^(|assigned|recorded|published)$")] = "") -> list[TaskOut]:
    """The signed-in inspector's work queue."""
    found = service.work_queue(session, actor=actor, status=status)
    codes = inspector_codes(session, found)
    return [TaskOut.of(t, codes) for t in found]


@staff_router.post("/tasks/{task_id}/results", response_model=TaskOut)
def record_result(session: WriteSession, actor: staff("inspections.execute"), task_id: int,
                  data: ResultIn) -> TaskOut:
    results = {code: (result, data.notes.get(code, "")) for code, result in data.results.items()}
    return TaskOut.of(actions.do_record_result(session, actor=actor, task_id=task_id,
                                               inspected_on=data.inspected_on, results=results))


@staff_router.get("/publication", response_model=list[TaskOut])
def publication(session: ReadSession, actor: staff("inspections.publish")) -> list[TaskOut]:
    """Recorded results awaiting publication, nearest statutory deadline first."""
    return [TaskOut.of(t) for t in service.publication_tracker(session, actor=actor)]


@staff_router.post("/publication", response_model=list[TaskOut])
def publish(session: WriteSession, actor: staff("inspections.publish"), data: PublishIn) -> list[TaskOut]:
    return [TaskOut.of(t) for t in actions.do_publish_results(session, actor=actor, task_ids=data.task_ids)]


# ----------------------------------------------------------------------------- public


@public_router.get("/plans", response_model=list[PlanOut])
@public_limit
def public_plans(request: Request, session: ReadSession) -> list[PlanOut]:
    return [PlanOut.of(p).model_copy(update={"batches": [BatchOut.of(b) for b in p.batches if b.status != "draft"]})
            for p in service.public_plans(session)]


@public_router.get("/batches/{batch_no}", response_model=BatchOut)
@public_limit
def public_batch(request: Request, session: ReadSession, batch_no: str) -> BatchOut:
    return BatchOut.of(service.public_batch(session, batch_no=batch_no))


@public_router.get("/batches/{batch_no}/record")
@public_limit
def public_record(request: Request, session: ReadSession, batch_no: str) -> Response:
    """The draw record (inputs, commitment, seed, result), once the seed is public."""
    found = service.public_batch(session, batch_no=batch_no)
    if found.status != "published":
        raise NotFound("inspections.record_not_public", "随机种子公开后方可下载摇号记录")
    return record_download(service.draw_record(session, batch=found), found.batch_no)


@public_router.get("/results", response_model=list[PublicResultOut])
@public_limit
def public_results(request: Request, session: ReadSession,
                   uscc: Annotated[str, Query(max_length=18)] = "") -> list[PublicResultOut]:
    return [PublicResultOut.of(t) for t in service.published_tasks(session, uscc=uscc.strip().upper())]
