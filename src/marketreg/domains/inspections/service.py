"""Reads of random inspections, and the extraction that turns the registry, the credit classes
and the inspector database into the draw's frozen arrays."""

from __future__ import annotations

import datetime as dt
import gzip
import json
from dataclasses import dataclass

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from marketreg.domains.credit import service as credit
from marketreg.domains.inspections import draw
from marketreg.domains.inspections.enums import RISK_CLASSES
from marketreg.domains.inspections.models import (
    Batch,
    BatchSnapshot,
    CheckItem,
    Inspector,
    InspectorRelation,
    Plan,
    Task,
    TaskInspector,
)
from marketreg.domains.registry import service as registry
from marketreg.domains.registry.enums import EntityStatus
from marketreg.kernel.errors import NotFound
from marketreg.platform.authz import Actor, ensure_visible, scope

# ----------------------------------------------------------------------------- item list, inspectors


def list_items(session: Session, *, departments: list[str] | None = None) -> list[CheckItem]:
    stmt = select(CheckItem).where(CheckItem.active.is_(True)).order_by(CheckItem.department, CheckItem.code)
    if departments:
        stmt = stmt.where(CheckItem.department.in_(departments))
    return list(session.scalars(stmt))


def items_by_code(session: Session, *, codes: list[str]) -> dict[str, CheckItem]:
    return {i.code: i for i in session.scalars(select(CheckItem).where(CheckItem.code.in_(codes)))}


def list_inspectors(session: Session, *, actor: Actor) -> list[Inspector]:
    stmt = scope(select(Inspector), Inspector.org_path, actor).order_by(Inspector.org_path, Inspector.code)
    return list(session.scalars(stmt))


def inspector_for_user(session: Session, *, user_id: int | None) -> Inspector | None:
    if user_id is None:
        return None
    return session.scalar(select(Inspector).where(Inspector.user_id == user_id))


def get_inspector(session: Session, *, actor: Actor, inspector_id: int) -> Inspector:
    inspector = session.get(Inspector, inspector_id)
    if inspector is None:
        raise NotFound("inspections.inspector_not_found", "执法检查人员不存在")
    ensure_visible(actor, inspector.org_path, "执法检查人员")
    return inspector


# ----------------------------------------------------------------------------- plans, batches, tasks


def list_plans(session: Session, *, actor: Actor) -> list[Plan]:
    """Own plans and the plans filed with the actor's unit (备案)."""
    own = scope(select(Plan), Plan.org_path, actor)
    plans = list(session.scalars(own.order_by(Plan.year.desc(), Plan.id.desc()).limit(200)))
    if actor.org_path != "/":
        filed = select(Plan).where(Plan.filed_with_path == actor.org_path, Plan.filed_at.is_not(None))
        seen = {p.id for p in plans}
        plans += [p for p in session.scalars(filed) if p.id not in seen]
    return plans


def get_plan(session: Session, *, actor: Actor, plan_id: int) -> Plan:
    plan = session.get(Plan, plan_id)
    if plan is None or not (actor.org_path == "/" or actor.sees(plan.org_path)
                            or (plan.filed_at and plan.filed_with_path == actor.org_path)):
        raise NotFound("inspections.plan_not_found", "抽查计划不存在或不在您的管辖范围内")
    return plan


def get_batch(session: Session, *, actor: Actor, batch_id: int) -> Batch:
    batch = session.get(Batch, batch_id)
    if batch is None:
        raise NotFound("inspections.batch_not_found", "抽查批次不存在")
    ensure_visible(actor, batch.org_path, "抽查批次")
    return batch


def public_batch(session: Session, *, batch_no: str) -> Batch:
    batch = session.scalar(select(Batch).where(Batch.batch_no == batch_no))
    if batch is None or batch.status == "draft":
        raise NotFound("inspections.batch_not_found", "抽查批次不存在")
    return batch


def public_batches(session: Session, *, limit: int = 100) -> list[Batch]:
    return list(session.scalars(select(Batch).where(Batch.status != "draft")
                                .order_by(Batch.committed_at.desc()).limit(limit)))


def public_plans(session: Session, *, limit: int = 100) -> list[Plan]:
    """Plans are public once filed with the next level up."""
    return list(session.scalars(select(Plan).where(Plan.filed_at.is_not(None))
                                .order_by(Plan.year.desc(), Plan.id.desc()).limit(limit)))


def tasks_of(session: Session, *, batch_id: int) -> list[Task]:
    return list(session.scalars(select(Task).where(Task.batch_id == batch_id).order_by(Task.task_no)))


def published_tasks(session: Session, *, batch_id: int | None = None, uscc: str = "", limit: int = 500) -> list[Task]:
    stmt = select(Task).where(Task.status == "published")
    if batch_id is not None:
        stmt = stmt.where(Task.batch_id == batch_id)
    if uscc:
        stmt = stmt.where(Task.entity_uscc == uscc)
    return list(session.scalars(stmt.order_by(Task.published_on.desc(), Task.task_no).limit(limit)))


def get_task(session: Session, *, actor: Actor, task_id: int) -> Task:
    """A task in the actor's jurisdiction, or one the actor is assigned to inspect (a city batch
    sends county inspectors across county lines)."""
    task = session.get(Task, task_id)
    if task is None:
        raise NotFound("inspections.task_not_found", "检查任务不存在")
    if not is_assigned(session, actor=actor, task=task):
        ensure_visible(actor, task.org_path, "检查任务")
    return task


def is_assigned(session: Session, *, actor: Actor, task: Task) -> bool:
    inspector = inspector_for_user(session, user_id=actor.user_id)
    return inspector is not None and inspector.id in {ti.inspector_id for ti in task.inspectors}


def work_queue(session: Session, *, actor: Actor, status: str = "") -> list[Task]:
    """The signed-in inspector's tasks, earliest deadline first."""
    inspector = inspector_for_user(session, user_id=actor.user_id)
    if inspector is None:
        return []
    stmt = (select(Task).join(TaskInspector, TaskInspector.task_id == Task.id)
            .where(TaskInspector.inspector_id == inspector.id))
    if status:
        stmt = stmt.where(Task.status == status)
    return list(session.scalars(stmt.order_by(Task.publish_due_on.nulls_first(), Task.id).limit(500)))


def publication_tracker(session: Session, *, actor: Actor, limit: int = 500) -> list[Task]:
    """Recorded, unpublished results in scope, nearest publication deadline first (RULES 5.1)."""
    stmt = scope(select(Task), Task.org_path, actor).where(Task.status == "recorded")
    return list(session.scalars(stmt.order_by(Task.publish_due_on, Task.id).limit(limit)))


def snapshot(session: Session, *, batch_id: int, kind: str) -> dict | None:
    row = session.get(BatchSnapshot, (batch_id, kind))
    return None if row is None else json.loads(gzip.decompress(row.content))


def draw_record(session: Session, *, batch: Batch) -> dict:
    """The downloadable draw record: the frozen inputs, the digests, the commitment, the seed
    (once published) and the result."""
    record = snapshot(session, batch_id=batch.id, kind="record")
    if record is None:
        raise NotFound("inspections.record_not_found", "该批次尚未摇号")
    record["seed"] = batch.seed_secret if batch.status == "published" else None
    return record


# ----------------------------------------------------------------------------- extraction for the draw


@dataclass(frozen=True)
class DrawInputs:
    directory: draw.Directory
    usccs: list[str]
    pool: draw.Pool
    pool_codes: list[str]


def _class_arrays(session: Session) -> tuple[np.ndarray, np.ndarray]:
    """All current risk classes as sorted (ids, codes) arrays, streamed from the credit domain."""
    ids: list[int] = []
    codes = bytearray()
    for entity_id, code in credit.risk_classes(session):
        ids.append(entity_id)
        codes.append(ord(code) - ord("A"))
    id_arr = np.asarray(ids, np.int64)
    code_arr = np.frombuffer(bytes(codes), np.uint8) if codes else np.zeros(0, np.uint8)
    order = np.argsort(id_arr, kind="stable")
    return id_arr[order], code_arr[order]


def classes_for(entity_ids: np.ndarray, class_ids: np.ndarray, class_codes: np.ndarray) -> np.ndarray:
    """Each entity's class code (0..3); entities without a class count as B (1)."""
    out = np.ones(len(entity_ids), np.uint8)
    if len(class_ids):
        pos = np.minimum(np.searchsorted(class_ids, entity_ids), len(class_ids) - 1)
        hit = class_ids[pos] == entity_ids
        out[hit] = class_codes[pos[hit]]
    return out


def recently_checked(session: Session, *, item_codes: list[str], since: dt.date) -> np.ndarray:
    """Entity ids drawn for any of these items in a batch starting on or after ``since``."""
    batches = [b for b in session.scalars(select(Batch).where(Batch.starts_on >= since,
                                                              Batch.status.in_(("drawn", "published"))))
               if set(b.item_codes) & set(item_codes)]
    if not batches:
        return np.zeros(0, np.int64)
    ids = session.scalars(select(Task.entity_id).where(Task.batch_id.in_([b.id for b in batches])))
    return np.unique(np.fromiter(ids, np.int64))


def build_directory(session: Session, *, batch: Batch) -> tuple[draw.Directory, list[str]]:
    """Stream the batch's scope from the registry into arrays; mark exclusions; join classes."""
    scope_ = batch.scope or {}
    filters = registry.DirectoryFilter(
        org_path=batch.org_path, region_code=scope_.get("region_code", ""), industry=scope_.get("industry", ""),
        entity_type=scope_.get("entity_type", ""), status=scope_.get("status", ""),
        licence_type=scope_.get("licence_type", ""))
    ids, usccs, regions, active = [], [], [], []
    for chunk in registry.stream_directory(session, filters=filters):
        for entity_id, uscc, region, status in chunk:
            ids.append(entity_id)
            usccs.append(uscc)
            regions.append(int(region))
            active.append(status == EntityStatus.active)
    entity_ids = np.asarray(ids, np.int64)
    class_ids, class_codes = _class_arrays(session)
    classes = classes_for(entity_ids, class_ids, class_codes)
    wanted = scope_.get("classes") or []
    if wanted:
        keep = np.isin(classes, [RISK_CLASSES.index(c) for c in wanted])
        entity_ids, classes = entity_ids[keep], classes[keep]
        usccs = [u for u, k in zip(usccs, keep.tolist(), strict=True) if k]
        regions = [r for r, k in zip(regions, keep.tolist(), strict=True) if k]
        active = [a for a, k in zip(active, keep.tolist(), strict=True) if k]
    since = batch.starts_on - dt.timedelta(days=batch.exclusion_days)
    recent = recently_checked(session, item_codes=batch.item_codes, since=since)
    excluded = ~np.asarray(active, bool) | np.isin(entity_ids, recent)
    return draw.Directory(entity_ids, classes, excluded.astype(bool), np.asarray(regions, np.int32)), usccs


def build_pool(session: Session, *, batch: Batch, directory: draw.Directory,
               usccs: list[str]) -> tuple[draw.Pool, list[str]]:
    """Active inspectors of the batch's departments in its jurisdiction, qualified for at least one
    of its items; conflicts: declared relations and (if configured) the previous check's inspectors."""
    candidates = session.scalars(select(Inspector).where(
        Inspector.active.is_(True), Inspector.department.in_(batch.departments),
        Inspector.org_path.startswith(batch.org_path, autoescape=True)).order_by(Inspector.id))
    inspectors = [i for i in candidates if set(i.qualifications or ()) & set(batch.item_codes)]
    ids = np.asarray([i.id for i in inspectors], np.int64)
    position = {u: n for n, u in enumerate(usccs)}
    pairs: set[tuple[int, int]] = set()
    if len(ids):
        relations = session.execute(select(InspectorRelation.entity_uscc, InspectorRelation.inspector_id)
                                    .where(InspectorRelation.inspector_id.in_(ids.tolist())))
        pairs |= {(int(directory.entity_ids[position[u]]), i) for u, i in relations if u in position}
        if batch.avoid_previous_inspector:
            pairs |= previous_inspectors(session, entity_ids=directory.entity_ids, inspector_ids=ids)
    conflicts = np.asarray(sorted(pairs), np.int64).reshape(-1, 2)
    pool = draw.Pool(ids, np.asarray([int(i.region_code) for i in inspectors], np.int32),
                     conflicts[:, 0].copy(), conflicts[:, 1].copy())
    return pool, [i.code for i in inspectors]


def previous_inspectors(session: Session, *, entity_ids: np.ndarray, inspector_ids: np.ndarray) -> set[tuple[int, int]]:
    """(entity id, inspector id) of each entity's most recent task (RULES 5.4, configured practice)."""
    latest = select(func.max(Task.id).label("task_id")).group_by(Task.entity_id).subquery()
    rows = session.execute(select(Task.entity_id, TaskInspector.inspector_id)
                           .join(latest, latest.c.task_id == Task.id)
                           .join(TaskInspector, TaskInspector.task_id == Task.id))
    wanted_entities, wanted_inspectors = set(entity_ids.tolist()), set(inspector_ids.tolist())
    return {(e, i) for e, i in rows if e in wanted_entities and i in wanted_inspectors}


def build_inputs(session: Session, *, batch: Batch) -> DrawInputs:
    directory, usccs = build_directory(session, batch=batch)
    pool, codes = build_pool(session, batch=batch, directory=directory, usccs=usccs)
    return DrawInputs(directory, usccs, pool, codes)


def count_eligible(session: Session, *, batch: Batch) -> int:
    directory, _ = build_directory(session, batch=batch)
    return int((~directory.excluded).sum())


# ----------------------------------------------------------------------------- measured targeting


@dataclass(frozen=True, slots=True)
class ClassRate:
    risk_class: str
    directory: int      # eligible entities of the class in the frozen directory
    drawn: int
    inspected: int
    found: int

    @property
    def rate(self) -> float | None:
        return self.found / self.inspected if self.inspected else None


@dataclass(frozen=True, slots=True)
class Targeting:
    classes: list[ClassRate]
    inspected: int
    found: int
    observed_rate: float | None
    uniform_rate: float | None
    lift: float | None


def targeting(directory_counts: dict[str, int], inspected: dict[str, int], found: dict[str, int],
              drawn: dict[str, int] | None = None) -> Targeting:
    """Problem-finding rate per inspected entity, by class, against a uniform draw of the same size.

    A uniform draw would hit each class in proportion to its share of the directory, so its
    expected rate is the post-stratified mean Σ share_c × rate_c (classes with no inspected entity
    are left out and the shares renormalised). Lift = observed rate / that rate.
    """
    rows = [ClassRate(c, directory_counts.get(c, 0), (drawn or {}).get(c, 0), inspected.get(c, 0), found.get(c, 0))
            for c in RISK_CLASSES]
    total_inspected = sum(r.inspected for r in rows)
    total_found = sum(r.found for r in rows)
    observed = total_found / total_inspected if total_inspected else None
    known = [r for r in rows if r.inspected and r.directory]
    weight = sum(r.directory for r in known)
    uniform = sum(r.directory * (r.rate or 0.0) for r in known) / weight if weight else None
    lift = observed / uniform if observed is not None and uniform else None
    return Targeting(rows, total_inspected, total_found, observed, uniform, lift)


def batch_targeting(session: Session, *, batch: Batch) -> Targeting:
    inputs = snapshot(session, batch_id=batch.id, kind="inputs")
    counts: dict[str, int] = {}
    if inputs is not None:
        directory, _ = draw.directory_from_snapshot(inputs["directory"])
        eligible = directory.classes[~directory.excluded]
        counts = {c: int(n) for c, n in zip(RISK_CLASSES, np.bincount(eligible, minlength=4)[:4], strict=True)}
    inspected: dict[str, int] = {}
    found: dict[str, int] = {}
    drawn: dict[str, int] = {}
    for task in tasks_of(session, batch_id=batch.id):
        drawn[task.risk_class] = drawn.get(task.risk_class, 0) + 1
        if task.status != "assigned":
            inspected[task.risk_class] = inspected.get(task.risk_class, 0) + 1
            found[task.risk_class] = found.get(task.risk_class, 0) + int(bool(task.problem))
    return targeting(counts, inspected, found, drawn)
