"""Reads of random inspections, and the extraction that turns the registry, the credit classes
and the inspector database into the draw's frozen arrays."""

from __future__ import annotations

import datetime as dt
import gzip
import json
from collections.abc import Callable
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
from marketreg.kernel.errors import NotFound
from marketreg.platform.arrays import fetch_array
from marketreg.platform.authz import Actor, get_in_scope, scope

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


def get_inspector(session: Session, *, actor: Actor, inspector_id: int, for_update: bool = False) -> Inspector:
    return get_in_scope(session, Inspector, inspector_id, actor=actor, what="执法检查人员", for_update=for_update)


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


def get_plan(session: Session, *, actor: Actor, plan_id: int, for_update: bool = False,
             own: bool = False) -> Plan:
    """A plan in scope, or (to read, not ``own``) one filed with the actor's unit (备案)."""
    return get_in_scope(session, Plan, plan_id, actor=actor, what="抽查计划", for_update=for_update,
                        also=None if own else lambda p: bool(p.filed_at and p.filed_with_path == actor.org_path))


def get_batch(session: Session, *, actor: Actor, batch_id: int, for_update: bool = False) -> Batch:
    return get_in_scope(session, Batch, batch_id, actor=actor, what="抽查批次", for_update=for_update)


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


def get_task(session: Session, *, actor: Actor, task_id: int, for_update: bool = False) -> Task:
    """A task in the actor's jurisdiction, or one the actor is assigned to inspect (a city batch
    sends county inspectors across county lines)."""
    return get_in_scope(session, Task, task_id, actor=actor, what="检查任务", for_update=for_update,
                        also=lambda task: is_assigned(session, actor=actor, task=task))


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


INPUT_PARTS = ("params", "directory", "inspectors")


def digests(session: Session, *, batch_id: int) -> dict[str, str] | None:
    """The published digests of a committed batch's frozen inputs, without loading them."""
    rows = dict(session.execute(select(BatchSnapshot.kind, BatchSnapshot.sha256).where(
        BatchSnapshot.batch_id == batch_id, BatchSnapshot.kind.in_(INPUT_PARTS))).all())
    if rows:
        return {part: rows[part] for part in INPUT_PARTS}
    old = snapshot(session, batch_id=batch_id, kind="inputs")  # stored before record format 2
    return None if old is None else old["digests"]


def inputs(session: Session, *, batch_id: int) -> dict | None:
    """A committed batch's frozen inputs: ``params``, ``directory``, ``inspectors`` and ``digests``
    (each part stored on its own since record format 2; one ``inputs`` row before)."""
    parts = {part: snapshot(session, batch_id=batch_id, kind=part) for part in INPUT_PARTS}
    if parts["params"] is None:
        return snapshot(session, batch_id=batch_id, kind="inputs")
    return {**parts, "digests": digests(session, batch_id=batch_id)}


def draw_record(session: Session, *, batch: Batch) -> dict:
    """The downloadable draw record: the frozen inputs, the digests, the commitment, the seed
    (once published) and the result."""
    record = snapshot(session, batch_id=batch.id, kind="record")
    if record is None:
        raise NotFound("inspections.record_not_found", "该批次尚未摇号")
    if "directory" not in record:  # record format 2 stores the result apart from the inputs
        record = {**inputs(session, batch_id=batch.id), **record}
    record["seed"] = batch.seed_secret if batch.status == "published" else None
    return record


# ----------------------------------------------------------------------------- extraction for the draw


@dataclass(frozen=True)
class DrawInputs:
    directory: draw.Directory
    usccs: np.ndarray  # S18, parallel to the directory
    pool: draw.Pool
    pool_codes: list[str]


DIRECTORY_ROW = np.dtype([("id", "<i8"), ("uscc", "S18"), ("region", "<i4"), ("active", "u1"), ("cls", "u1")])


def _jurisdiction(batch: Batch) -> Actor:
    """The batch's own jurisdiction (its plan's unit), through which the directory is scoped; the
    acting user was checked to see the batch before any extraction."""
    return Actor(None, f"batch:{batch.batch_no}", batch.title, None, batch.org_path, kind="system")


def recently_checked(session: Session, *, item_codes: list[str], since: dt.date) -> np.ndarray:
    """Entity ids drawn for any of these items in a batch starting on or after ``since``."""
    batches = [b for b in session.scalars(select(Batch).where(Batch.starts_on >= since,
                                                              Batch.status.in_(("drawn", "published"))))
               if set(b.item_codes) & set(item_codes)]
    if not batches:
        return np.zeros(0, np.int64)
    ids = session.scalars(select(Task.entity_id).where(Task.batch_id.in_([b.id for b in batches])))
    return np.unique(np.fromiter(ids, np.int64))


def build_directory(session: Session, *, batch: Batch,
                    progress: Callable[[int], None] | None = None) -> tuple[draw.Directory, np.ndarray]:
    """The batch's directory in one statement straight into arrays: the registry's entities in
    the batch's scope (``registry.directory_select``, scoped by ``authz.scope``) with each one's
    credit class (``credit.class_index_of``); then the scope's classes and the exclusions."""
    scope_ = batch.scope or {}
    filters = registry.DirectoryFilter(
        region_code=scope_.get("region_code", ""), industry=scope_.get("industry", ""),
        entity_type=scope_.get("entity_type", ""), status=scope_.get("status", ""),
        licence_type=scope_.get("licence_type", ""))
    stmt = registry.directory_select(filters=filters, actor=_jurisdiction(batch))
    stmt = stmt.add_columns(credit.class_index_of(stmt.selected_columns.id))
    rows = fetch_array(session, stmt, DIRECTORY_ROW, progress=progress)
    wanted = scope_.get("classes") or []
    if wanted:
        rows = rows[np.isin(rows["cls"], [RISK_CLASSES.index(c) for c in wanted])]
    since = batch.starts_on - dt.timedelta(days=batch.exclusion_days)
    excluded = (rows["active"] == 0) | np.isin(rows["id"], recently_checked(session, item_codes=batch.item_codes,
                                                                              since=since))
    directory = draw.Directory(rows["id"].copy(), rows["cls"].copy(), excluded, rows["region"].copy())
    return directory, rows["uscc"].copy()


def build_pool(session: Session, *, batch: Batch, directory: draw.Directory) -> tuple[draw.Pool, list[str]]:
    """Active inspectors of the batch's departments in its jurisdiction, qualified for at least one
    of its items; conflicts: declared relations and (if configured) the previous check's inspectors."""
    candidates = session.scalars(scope(select(Inspector).where(
        Inspector.active.is_(True), Inspector.department.in_(batch.departments)), Inspector.org_path,
        _jurisdiction(batch)).order_by(Inspector.id))
    inspectors = [i for i in candidates if set(i.qualifications or ()) & set(batch.item_codes)]
    ids = np.asarray([i.id for i in inspectors], np.int64)
    pairs = np.zeros((0, 2), np.int64)
    if len(ids):
        relations = session.execute(select(InspectorRelation.entity_uscc, InspectorRelation.inspector_id)
                                    .where(InspectorRelation.inspector_id.in_(ids.tolist()))).all()
        entity_of = registry.ids_by_uscc(session, usccs=sorted({u for u, _ in relations}))
        declared = np.asarray([(entity_of[u], i) for u, i in relations if u in entity_of], np.int64).reshape(-1, 2)
        pairs = np.concatenate([declared, previous_inspectors(session, inspector_ids=ids)
                                if batch.avoid_previous_inspector else pairs])
        pairs = np.unique(pairs[np.isin(pairs[:, 0], directory.entity_ids)], axis=0)
    pool = draw.Pool(ids, np.asarray([int(i.region_code) for i in inspectors], np.int32),
                     pairs[:, 0].copy(), pairs[:, 1].copy())
    return pool, [i.code for i in inspectors]


def previous_inspectors(session: Session, *, inspector_ids: np.ndarray) -> np.ndarray:
    """(entity id, inspector id) rows of each entity's most recent task, for the given inspectors
    (RULES 5.4, configured practice), as an n × 2 array."""
    latest = select(func.max(Task.id).label("task_id")).group_by(Task.entity_id).subquery()
    stmt = (select(Task.entity_id, TaskInspector.inspector_id).join(latest, latest.c.task_id == Task.id)
            .join(TaskInspector, TaskInspector.task_id == Task.id))
    pairs = fetch_array(session, stmt, np.int64).reshape(-1, 2)
    return pairs[np.isin(pairs[:, 1], inspector_ids)]


def build_inputs(session: Session, *, batch: Batch, progress: Callable[[int], None] | None = None) -> DrawInputs:
    directory, usccs = build_directory(session, batch=batch, progress=progress)
    pool, codes = build_pool(session, batch=batch, directory=directory)
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
    frozen = snapshot(session, batch_id=batch.id, kind="directory") or \
        (snapshot(session, batch_id=batch.id, kind="inputs") or {}).get("directory")
    counts: dict[str, int] = {}
    if frozen is not None:
        directory, _ = draw.directory_from_snapshot(frozen)
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
