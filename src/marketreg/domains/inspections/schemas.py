"""API shapes of random inspections. Inspector names stay on the staff side; the public sees
certificate numbers (as the draw record does)."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from marketreg.domains.inspections.enums import BATCH_STATUS_LABELS, RESULTS, TASK_STATUS_LABELS
from marketreg.domains.inspections.models import Batch, Inspector, Plan, Task
from marketreg.platform.db import RecordId


class PlanIn(BaseModel):
    year: int = Field(ge=2015, le=2100)
    title: str = Field(min_length=1, max_length=200)
    class_weights: dict[str, float] | None = None


class BatchCreateIn(BaseModel):
    title: str = Field(min_length=1, max_length=200)
    item_codes: list[str] = Field(min_length=1, max_length=20)
    size: int = Field(ge=1, le=5_000_000)
    starts_on: dt.date
    ends_on: dt.date
    region_code: str = Field("", max_length=6)
    industry: str = Field("", max_length=5)
    entity_type: str = Field("", max_length=16)
    status: str = Field("", max_length=16)
    licence_type: str = Field("", max_length=40)
    classes: list[str] = Field(default_factory=list, max_length=4)
    class_weights: dict[str, float] | None = None
    per_entity: int = Field(2, ge=1, le=10)
    avoid_same_region: bool = False
    avoid_previous_inspector: bool = True
    exclusion_days: int = Field(365, ge=0, le=3650)


class ResultIn(BaseModel):
    inspected_on: dt.date
    results: dict[str, str] = Field(min_length=1, max_length=20)  # item code → result code
    notes: dict[str, str] = Field(default_factory=dict)


class PublishIn(BaseModel):
    task_ids: list[RecordId] = Field(min_length=1, max_length=1000)


class InspectorIn(BaseModel):
    username: str = Field(min_length=1, max_length=40)
    code: str = Field(min_length=1, max_length=20)
    department: str = Field(min_length=1, max_length=60)
    qualifications: list[str] = Field(min_length=1, max_length=50)
    region_code: str | None = Field(None, min_length=6, max_length=6)


class RelationIn(BaseModel):
    uscc: str = Field(min_length=18, max_length=18)
    relation: str = Field(min_length=1, max_length=100)


class ItemOut(BaseModel):
    code: str
    department: str
    name: str
    basis: str
    method: str


class InspectorOut(BaseModel):
    id: int
    code: str
    name: str
    department: str
    region_code: str
    qualifications: list[str]
    active: bool
    relations: int

    @classmethod
    def of(cls, i: Inspector) -> InspectorOut:
        return cls(id=i.id, code=i.code, name=i.name, department=i.department, region_code=i.region_code,
                   qualifications=list(i.qualifications or ()), active=i.active, relations=len(i.relations))


class BatchOut(BaseModel):
    id: int
    batch_no: str
    plan_no: str
    org_name: str
    title: str
    departments: list[str]
    item_codes: list[str]
    scope: dict
    size: int
    starts_on: dt.date
    ends_on: dt.date
    status: str
    status_label: str
    commitment: str | None
    directory_size: int | None
    committed_at: dt.datetime | None
    drawn_at: dt.datetime | None
    seed_published_at: dt.datetime | None
    seed: str | None

    @classmethod
    def of(cls, b: Batch) -> BatchOut:
        return cls(id=b.id, batch_no=b.batch_no, plan_no=b.plan.plan_no, org_name=b.plan.org_name, title=b.title,
                   departments=b.departments, item_codes=b.item_codes, scope=b.scope, size=b.size,
                   starts_on=b.starts_on, ends_on=b.ends_on, status=b.status,
                   status_label=BATCH_STATUS_LABELS[b.status], commitment=b.commitment,
                   directory_size=b.directory_size, committed_at=b.committed_at, drawn_at=b.drawn_at,
                   seed_published_at=b.seed_published_at, seed=b.seed_secret if b.status == "published" else None)


class PlanOut(BaseModel):
    id: int
    plan_no: str
    year: int
    title: str
    org_name: str
    org_level: str
    filed_with_path: str | None
    filed_at: dt.datetime | None
    batches: list[BatchOut]

    @classmethod
    def of(cls, p: Plan) -> PlanOut:
        return cls(id=p.id, plan_no=p.plan_no, year=p.year, title=p.title, org_name=p.org_name, org_level=p.org_level,
                   filed_with_path=p.filed_with_path, filed_at=p.filed_at, batches=[BatchOut.of(b) for b in p.batches])


class ResultOut(BaseModel):
    item_code: str
    result_code: str
    result_label: str


class TaskOut(BaseModel):
    id: int
    task_no: str
    batch_no: str
    entity_uscc: str
    entity_name: str
    risk_class: str
    status: str
    status_label: str
    inspector_codes: list[str]
    inspected_on: dt.date | None
    publish_due_on: dt.date | None
    published_on: dt.date | None
    results: list[ResultOut]

    @classmethod
    def of(cls, t: Task, codes: dict[int, str] | None = None) -> TaskOut:
        return cls(id=t.id, task_no=t.task_no, batch_no=t.batch.batch_no, entity_uscc=t.entity_uscc,
                   entity_name=t.entity_name, risk_class=t.risk_class, status=t.status,
                   status_label=TASK_STATUS_LABELS[t.status],
                   inspector_codes=[(codes or {}).get(ti.inspector_id, str(ti.inspector_id)) for ti in t.inspectors],
                   inspected_on=t.inspected_on, publish_due_on=t.publish_due_on, published_on=t.published_on,
                   results=[ResultOut(item_code=r.item_code, result_code=r.result_code,
                                      result_label=RESULTS[r.result_code].label) for r in t.results])


class PublicResultOut(BaseModel):
    """A published result: no inspector identity, no internal notes."""

    task_no: str
    batch_no: str
    entity_uscc: str
    entity_name: str
    inspected_on: dt.date | None
    published_on: dt.date | None
    results: list[ResultOut]

    @classmethod
    def of(cls, t: Task) -> PublicResultOut:
        full = TaskOut.of(t)
        return cls(task_no=t.task_no, batch_no=full.batch_no, entity_uscc=t.entity_uscc, entity_name=t.entity_name,
                   inspected_on=t.inspected_on, published_on=t.published_on, results=full.results)


class ClassRateOut(BaseModel):
    risk_class: str
    directory: int
    drawn: int
    inspected: int
    found: int
    rate: float | None


class TargetingOut(BaseModel):
    batch_no: str
    classes: list[ClassRateOut]
    inspected: int
    found: int
    observed_rate: float | None
    uniform_rate: float | None
    lift: float | None
