"""Writes of random inspections (``do_*``): authorise → load in scope → check → write → audit →
publish events. The caller owns the transaction; a refusal raises before anything is written."""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from marketreg.domains.inspections import draw, rules, service
from marketreg.domains.inspections.enums import RESULTS, RISK_CLASSES, BatchStatus, TaskStatus
from marketreg.domains.inspections.models import (
    Batch,
    BatchSnapshot,
    CheckItem,
    InspectionEvidence,
    Inspector,
    InspectorRelation,
    Plan,
    Task,
    TaskInspector,
    TaskResult,
)
from marketreg.domains.org import service as org
from marketreg.domains.registry import service as registry
from marketreg.kernel import clock
from marketreg.kernel.codes import normalize_code
from marketreg.kernel.errors import Conflict, DomainError, PermissionDenied
from marketreg.platform import audit, events
from marketreg.platform.authz import Actor, ensure_visible
from marketreg.platform.calendar import load_calendar
from marketreg.platform.uploads import Upload
from marketreg.platform.uploads import store as store_upload

# ----------------------------------------------------------------------------- item list, inspectors


def do_upsert_item(session: Session, *, actor: Actor, code: str, department: str, name: str, basis: str = "",
                   method: str = "现场检查") -> CheckItem:
    item = session.scalar(select(CheckItem).where(CheckItem.code == code))
    old = None if item is None else {"department": item.department, "name": item.name}
    if item is None:
        item = CheckItem(code=code, department=department, name=name, basis=basis, method=method, active=True)
        session.add(item)
    else:
        item.department, item.name, item.basis, item.method = department, name, basis, method
    session.flush()
    audit.record(session, actor=actor, action="inspections.item_saved", subject_type="inspection_item",
                 subject_id=code, old=old, new={"department": department, "name": name})
    return item


def do_register_inspector(session: Session, *, actor: Actor, username: str, code: str, department: str,
                          qualifications: list[str], region_code: str | None = None) -> Inspector:
    """Add a staff user to the inspector database (or update their entry)."""
    user = org.get_user_by_username(session, username=username)
    if user is None or user.kind != "staff" or user.org_unit is None:
        raise DomainError("inspections.user_not_found", f"工作人员账号不存在：{username}")
    ensure_visible(actor, user.org_unit.path, "工作人员")
    unknown = set(qualifications) - set(service.items_by_code(session, codes=qualifications))
    if unknown:
        raise DomainError("inspections.unknown_item", f"抽查事项不存在：{'、'.join(sorted(unknown))}")
    inspector = service.inspector_for_user(session, user_id=user.id)
    region = region_code or user.org_unit.region_code or user.org_unit.code
    if inspector is None:
        inspector = Inspector(user_id=user.id, code=code, name=user.display_name, department=department,
                              region_code=region, org_path=user.org_unit.path, qualifications=sorted(qualifications),
                              active=True, created_at=clock.now())
        session.add(inspector)
    else:
        inspector.code, inspector.department, inspector.region_code = code, department, region
        inspector.qualifications = sorted(qualifications)
    session.flush()
    audit.record(session, actor=actor, action="inspections.inspector_saved", subject_type="inspection_inspector",
                 subject_id=inspector.id, new={"user": username, "department": department,
                                               "qualifications": sorted(qualifications)})
    return inspector


def do_declare_relation(session: Session, *, actor: Actor, inspector_id: int, uscc: str,
                        relation: str) -> InspectorRelation:
    """RULES 5.4: a declared interest makes the inspector step aside for that entity in every draw."""
    inspector = service.get_inspector(session, actor=actor, inspector_id=inspector_id)
    uscc = normalize_code(uscc)
    if not registry.existing_usccs(session, usccs=[uscc]):
        raise DomainError("inspections.entity_not_found", "未找到该市场主体")
    found = session.scalar(select(InspectorRelation).where(InspectorRelation.inspector_id == inspector.id,
                                                           InspectorRelation.entity_uscc == uscc))
    if found is None:
        found = InspectorRelation(inspector_id=inspector.id, entity_uscc=uscc, relation=relation[:100],
                                  declared_at=clock.now())
        session.add(found)
        session.flush()
        audit.record(session, actor=actor, action="inspections.relation_declared",
                     subject_type="inspection_inspector", subject_id=inspector.id,
                     new={"uscc": uscc, "relation": relation[:100]})
    return found


# ----------------------------------------------------------------------------- plans and batches


def _unit(session: Session, actor: Actor):
    code = [p for p in actor.org_path.split("/") if p][-1:] or [""]
    unit = org.unit_by_code(session, code=code[0])
    if unit is None or unit.level not in ("province", "city", "county"):
        raise DomainError("inspections.unit_not_allowed", "只有省、市、县级市场监管部门可以制定抽查计划")
    return unit


def do_create_plan(session: Session, *, actor: Actor, year: int, title: str,
                   class_weights: dict | None = None) -> Plan:
    unit = _unit(session, actor)
    seq = (session.scalar(select(func.count()).select_from(Plan).where(Plan.org_path == unit.path,
                                                                       Plan.year == year)) or 0) + 1
    plan = Plan(plan_no=f"JH{unit.code}{year}{seq:02d}", year=year, title=title.strip()[:200], org_path=unit.path,
                org_name=unit.name, org_level=unit.level, class_weights=_weights(class_weights),
                filed_with_path=rules.filed_with(unit.path), created_by=actor.username, created_at=clock.now())
    session.add(plan)
    session.flush()
    audit.record(session, actor=actor, action="inspections.plan_created", subject_type="inspection_plan",
                 subject_id=plan.plan_no, new={"title": plan.title, "year": year})
    return plan


def _weights(weights: dict | None) -> dict | None:
    if not weights:
        return None
    bad = {k: v for k, v in weights.items() if k not in RISK_CLASSES or not 0 <= float(v) <= 100}
    if bad:
        raise DomainError("inspections.bad_weights", "抽查比例权重应为A–D类、0到100之间的数", weights=bad)
    return {k: float(v) for k, v in weights.items()}


def do_file_plan(session: Session, *, actor: Actor, plan_id: int) -> Plan:
    """RULES 5.5: file the plan with the next higher bureau (备案); then it is public."""
    plan = service.get_plan(session, actor=actor, plan_id=plan_id, for_update=True, own=True)
    if plan.filed_at is not None:
        raise Conflict("inspections.plan_already_filed", "该计划已备案")
    if not plan.batches:
        raise DomainError("inspections.plan_empty", "计划中还没有批次，请先明确各批次的范围、数量和时间安排")
    plan.filed_at = clock.now()
    audit.record(session, actor=actor, action="inspections.plan_filed", subject_type="inspection_plan",
                 subject_id=plan.plan_no, new={"filed_with": plan.filed_with_path})
    return plan


@dataclass(frozen=True, slots=True)
class BatchIn:
    title: str
    item_codes: list[str]
    size: int
    starts_on: dt.date
    ends_on: dt.date
    scope: dict
    class_weights: dict | None = None
    per_entity: int = rules.MIN_INSPECTORS_PER_ENTITY
    avoid_same_region: bool = False
    avoid_previous_inspector: bool = True
    exclusion_days: int = rules.DEFAULT_EXCLUSION_DAYS


SCOPE_KEYS = {"region_code", "industry", "entity_type", "status", "licence_type", "classes"}


def do_create_batch(session: Session, *, actor: Actor, plan_id: int, data: BatchIn) -> Batch:
    """A batch with its scope, number and timing; items from one or several departments
    (several = a joint task, 联合抽查)."""
    plan = service.get_plan(session, actor=actor, plan_id=plan_id, for_update=True, own=True)
    items = service.items_by_code(session, codes=data.item_codes)
    missing = set(data.item_codes) - set(items)
    if not data.item_codes or missing:
        raise DomainError("inspections.unknown_item", "请选择抽查事项清单中的事项" +
                          (f"（不存在：{'、'.join(sorted(missing))}）" if missing else ""))
    if data.size < 1:
        raise DomainError("inspections.bad_size", "抽取数量应大于0")
    if data.ends_on < data.starts_on:
        raise DomainError("inspections.bad_dates", "结束日期不能早于开始日期")
    if data.per_entity < rules.MIN_INSPECTORS_PER_ENTITY:
        raise DomainError("inspections.too_few_inspectors",
                          f"每户至少随机匹配{rules.MIN_INSPECTORS_PER_ENTITY}名执法检查人员（{rules.MIN_INSPECTORS_BASIS}）")
    if not 0 <= data.exclusion_days <= 3650:
        raise DomainError("inspections.bad_exclusion", "排除期限应在0到3650天之间")
    scope_ = {k: v for k, v in data.scope.items() if k in SCOPE_KEYS and v}
    if set(scope_.get("classes") or ()) - set(RISK_CLASSES):
        raise DomainError("inspections.bad_scope", "风险分类只能是A、B、C、D")
    seq = (session.scalar(select(func.count()).select_from(Batch).where(Batch.plan_id == plan.id)) or 0) + 1
    batch = Batch(batch_no=f"{plan.plan_no}-{seq:02d}", plan_id=plan.id, title=data.title.strip()[:200],
                  org_path=plan.org_path, departments=sorted({i.department for i in items.values()}),
                  item_codes=sorted(data.item_codes), scope=scope_, size=data.size, starts_on=data.starts_on,
                  ends_on=data.ends_on, class_weights=_weights(data.class_weights), per_entity=data.per_entity,
                  avoid_same_region=data.avoid_same_region, avoid_previous_inspector=data.avoid_previous_inspector,
                  exclusion_days=data.exclusion_days, status=BatchStatus.draft, created_at=clock.now())
    session.add(batch)
    session.flush()
    audit.record(session, actor=actor, action="inspections.batch_created", subject_type="inspection_batch",
                 subject_id=batch.batch_no, new={"size": data.size, "items": batch.item_codes, "scope": scope_})
    return batch


def params_snapshot(batch: Batch) -> dict:
    """The batch parameters the draw depends on, in the record's canonical form."""
    return {"batch_no": batch.batch_no, "size": batch.size,
            "weights": rules.class_weights(batch.plan.class_weights, batch.class_weights),
            "per_entity": rules.inspectors_per_entity(batch.per_entity), "avoid_same_region": batch.avoid_same_region,
            "avoid_previous_inspector": batch.avoid_previous_inspector, "exclusion_days": batch.exclusion_days,
            "items": batch.item_codes, "departments": batch.departments, "scope": batch.scope,
            "starts_on": batch.starts_on.isoformat(), "ends_on": batch.ends_on.isoformat()}


@dataclass(frozen=True)
class Part:
    """One serialised part of a draw's record: canonical JSON, its digest and its stored form."""

    sha256: str
    content: bytes


def _part(value: dict) -> Part:
    """Serialise once; the digest is computed from the same bytes that are stored. Level 1: the
    columns are mostly base64, which a higher level barely shrinks at many times the cost."""
    data = draw.canonical(value)
    return Part(hashlib.sha256(data).hexdigest(), gzip.compress(data, 1, mtime=0))


def _store(session: Session, batch: Batch, kind: str, part: Part) -> str:
    session.add(BatchSnapshot(batch_id=batch.id, kind=kind, sha256=part.sha256, content=part.content,
                              created_at=clock.now()))
    return part.sha256


def _locked_batch(session: Session, actor: Actor, batch_id: int) -> Batch:
    return service.get_batch(session, actor=actor, batch_id=batch_id, for_update=True)


@dataclass(frozen=True)
class Frozen:
    """A batch's frozen inputs, serialised and digested, and the seed they were tried with."""

    batch_id: int
    seed: str
    parts: dict[str, Part]  # params, directory, inspectors
    directory_size: int


def prepare_freeze(session: Session, *, actor: Actor, batch_id: int,
                   progress: Callable[[int], None] | None = None) -> Frozen:
    """The expensive half of freezing, in a read transaction: extract the directory and the
    inspector pool, pick the secret seed, try the draw (a batch that cannot be drawn — too many
    requested, pool too small — is refused here) and serialise the three parts. Nothing is
    written; ``do_commit_batch`` stores the result in a short write transaction."""
    batch = service.get_batch(session, actor=actor, batch_id=batch_id)
    if batch.status != BatchStatus.draft:
        raise Conflict("inspections.already_committed", "该批次已公布承诺值，不能再次冻结")
    inputs = service.build_inputs(session, batch=batch, progress=progress)
    params = params_snapshot(batch)
    seed = secrets.token_hex(32)
    draw.run_draw(seed, inputs.directory, inputs.pool, draw.params_from_snapshot(params))
    parts = {"params": _part(params), "directory": _part(draw.directory_snapshot(inputs.directory, inputs.usccs)),
             "inspectors": _part(draw.pool_snapshot(inputs.pool, inputs.pool_codes))}
    return Frozen(batch.id, seed, parts, len(inputs.usccs))


def do_commit_batch(session: Session, *, actor: Actor, batch_id: int, frozen: Frozen | None = None) -> Batch:
    """Store the frozen snapshots, keep the secret seed and publish the commitment. ``frozen``
    comes from ``prepare_freeze`` in a read transaction before (the freeze job); without it the
    preparation runs here, inside the caller's transaction (small batches, the API)."""
    batch = _locked_batch(session, actor, batch_id)
    if batch.status != BatchStatus.draft:
        raise Conflict("inspections.already_committed", "该批次已公布承诺值，不能再次冻结")
    if frozen is None or frozen.batch_id != batch.id:
        frozen = prepare_freeze(session, actor=actor, batch_id=batch_id)
    digests = {kind: _store(session, batch, kind, part) for kind, part in frozen.parts.items()}
    batch.commitment = draw.commitment(seed_hex=frozen.seed, params_sha256=digests["params"],
                                       directory_sha256=digests["directory"], inspectors_sha256=digests["inspectors"])
    batch.seed_secret = frozen.seed
    batch.directory_size = frozen.directory_size
    batch.status, batch.committed_at = BatchStatus.committed, clock.now()
    audit.record(session, actor=actor, action="inspections.batch_committed", subject_type="inspection_batch",
                 subject_id=batch.batch_no, new={"commitment": batch.commitment, **digests,
                                                 "directory_size": batch.directory_size})
    return batch


def do_draw_batch(session: Session, *, actor: Actor, batch_id: int) -> Batch:
    """Run the draw over the frozen snapshots and create one task per drawn entity (in bulk)."""
    batch = _locked_batch(session, actor, batch_id)
    if batch.status in (BatchStatus.drawn, BatchStatus.published):
        raise Conflict("inspections.already_drawn", "该批次已摇号，不能重复抽取")
    if batch.status != BatchStatus.committed:
        raise DomainError("inspections.not_committed", "请先冻结名录并公布承诺值，再进行摇号")
    inputs = service.inputs(session, batch_id=batch.id)
    directory, usccs = draw.directory_from_snapshot(inputs["directory"])
    pool, codes = draw.pool_from_snapshot(inputs["inspectors"])
    result = draw.run_draw(batch.seed_secret, directory, pool, draw.params_from_snapshot(inputs["params"]))
    rows = draw.result_rows(result, directory, usccs, dict(zip(pool.inspector_ids.tolist(), codes, strict=True)))
    _create_tasks(session, batch, rows)
    _store(session, batch, "record", _part({"format": draw.RECORD_FORMAT, "batch_no": batch.batch_no,
                                            "title": batch.title, "org_path": batch.org_path,
                                            "commitment": batch.commitment, "result": rows,
                                            "per_class": result.per_class}))
    batch.status, batch.drawn_at = BatchStatus.drawn, clock.now()
    session.flush()
    audit.record(session, actor=actor, action="inspections.batch_drawn", subject_type="inspection_batch",
                 subject_id=batch.batch_no, new={"drawn": len(rows), "per_class": result.per_class})
    return batch


def _create_tasks(session: Session, batch: Batch, rows: list[dict]) -> None:
    """One task per drawn entity and its inspectors, as two bulk inserts."""
    names = registry.entity_names(session, ids=[r["entity_id"] for r in rows])
    tasks = []
    for n, row in enumerate(rows, start=1):
        name, org_path = names.get(row["entity_id"], ("", batch.org_path))
        tasks.append({"task_no": f"{batch.batch_no}-{n:05d}", "batch_id": batch.id, "entity_id": row["entity_id"],
                      "entity_uscc": row["uscc"], "entity_name": name, "risk_class": row["class"],
                      "org_path": org_path, "status": TaskStatus.assigned})
    if not tasks:
        return
    session.execute(Task.__table__.insert(), tasks)  # Core executemany: one bulk statement, no per-row RETURNING
    ids = dict(session.execute(select(Task.task_no, Task.id).where(Task.batch_id == batch.id)).all())
    session.execute(TaskInspector.__table__.insert(), [{"task_id": ids[task["task_no"]], "inspector_id": i}
                                                       for task, row in zip(tasks, rows, strict=True)
                                                       for i in row["inspectors"]])


def do_publish_seed(session: Session, *, actor: Actor, batch_id: int) -> Batch:
    """Reveal the seed: from now on anyone can download the record and rerun the draw."""
    batch = _locked_batch(session, actor, batch_id)
    if batch.status == BatchStatus.published:
        raise Conflict("inspections.seed_already_published", "该批次的随机种子已公开")
    if batch.status != BatchStatus.drawn:
        raise DomainError("inspections.not_drawn", "请先完成摇号，再公开随机种子")
    batch.status, batch.seed_published_at = BatchStatus.published, clock.now()
    audit.record(session, actor=actor, action="inspections.seed_published", subject_type="inspection_batch",
                 subject_id=batch.batch_no, new={"seed": batch.seed_secret})
    return batch


# ----------------------------------------------------------------------------- execution and publication


def _assigned(session: Session, actor: Actor, task: Task) -> Inspector:
    inspector = service.inspector_for_user(session, user_id=actor.user_id)
    if inspector is None or inspector.id not in {ti.inspector_id for ti in task.inspectors}:
        raise PermissionDenied("inspections.not_assigned", "您不是该检查任务的执法检查人员，不能录入结果")
    return inspector


def do_record_result(session: Session, *, actor: Actor, task_id: int, inspected_on: dt.date,
                     results: dict[str, tuple[str, str]], uploads: list[Upload] | None = None) -> Task:
    """Record the on-site result of every item of the task (by an assigned inspector), start the
    publication clock (RULES 5.1) and publish ``inspections.result_recorded`` per item."""
    task = service.get_task(session, actor=actor, task_id=task_id, for_update=True)
    _assigned(session, actor, task)
    if task.status != TaskStatus.assigned:
        raise Conflict("inspections.already_recorded", "该任务的检查结果已录入")
    batch = task.batch
    if set(results) != set(batch.item_codes):
        raise DomainError("inspections.results_incomplete", "请为本批次的每个抽查事项选择检查结果",
                          expected=batch.item_codes)
    unknown = [code for code, _ in results.values() if code not in RESULTS]
    if unknown:
        raise DomainError("inspections.bad_result", f"检查结果不在标准结果列表中：{unknown[0]}")
    today = clock.today()
    if inspected_on > today or inspected_on < batch.starts_on:
        raise DomainError("inspections.bad_inspected_on", "检查日期应在批次开始之后且不晚于今天")
    due = rules.publication_due(load_calendar(session), inspected_on)
    now = clock.now()
    task.inspected_on, task.publish_due_on, task.calendar_version = inspected_on, due.due_on, due.calendar_version
    task.recorded_at, task.status = now, TaskStatus.recorded
    task.problem = any(RESULTS[code].problem for code, _ in results.values())
    for upload in uploads or ():
        task.evidence.append(InspectionEvidence(filename=upload.filename, mime=upload.mime, size=len(upload.content),
                                      sha256=store_upload(upload.content), uploaded_at=now))
    items = service.items_by_code(session, codes=list(results))
    for item_code in sorted(results):
        code, note = results[item_code]
        task.results.append(TaskResult(item_code=item_code, result_code=code, note=note[:2000],
                                       recorded_by=actor.username, recorded_at=now))
        outcome = RESULTS[code]
        events.publish(session, name="inspections.result_recorded", subject_type="market_entity",
                       subject_key=task.entity_uscc, org_path=task.org_path, payload={
                           "batch_no": batch.batch_no, "task_no": task.task_no, "item_code": item_code,
                           "item_name": items[item_code].name, "department": items[item_code].department,
                           "result_code": code, "result_label": outcome.label, "problem": outcome.problem,
                           "unreachable": outcome.unreachable, "inspected_on": inspected_on.isoformat()})
    session.flush()
    audit.record(session, actor=actor, action="inspections.result_recorded", subject_type="inspection_task",
                 subject_id=task.task_no, new={"results": {k: v[0] for k, v in results.items()},
                                               "inspected_on": inspected_on, "evidence": len(uploads or ())})
    return task


def do_publish_results(session: Session, *, actor: Actor, task_ids: list[int]) -> list[Task]:
    """Publish recorded results on the public portal (一公开); each task once."""
    tasks = [service.get_task(session, actor=actor, task_id=i, for_update=True) for i in sorted(set(task_ids))]
    if not tasks:
        raise DomainError("inspections.nothing_selected", "请选择要公示的检查结果")
    not_ready = [t.task_no for t in tasks if t.status != TaskStatus.recorded]
    if not_ready:
        raise Conflict("inspections.not_publishable", f"任务{not_ready[0]}尚未录入结果或已公示")
    today = clock.today()
    for task in tasks:
        task.status, task.published_on = TaskStatus.published, today
        events.publish(session, name="inspections.result_published", subject_type="market_entity",
                       subject_key=task.entity_uscc, org_path=task.org_path,
                       payload={"batch_no": task.batch.batch_no, "task_no": task.task_no,
                                "published_on": today.isoformat()})
    audit.record(session, actor=actor, action="inspections.results_published", subject_type="inspection_task",
                 subject_id=tasks[0].task_no, new={"tasks": [t.task_no for t in tasks]})
    return tasks
