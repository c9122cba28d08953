"""Tables of 双随机、一公开: one item list (一单), two databases (两库: the entity directory comes
from the registry and is frozen per batch; the inspector database lives here), plans, batches,
tasks and their results."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketreg.platform.authz import org_path_type
from marketreg.platform.db import Base, BigId


class CheckItem(Base):
    """An entry of the random-check item list (抽查事项清单), by department."""

    __tablename__ = "inspection_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    department: Mapped[str] = mapped_column(String(60))
    name: Mapped[str] = mapped_column(String(200))
    basis: Mapped[str] = mapped_column(String(300), default="")
    method: Mapped[str] = mapped_column(String(60), default="现场检查")
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Inspector(Base):
    """An enforcement officer of the inspector database (执法检查人员名录库): a staff user."""

    __tablename__ = "inspection_inspector"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id"), unique=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)  # 执法证号
    name: Mapped[str] = mapped_column(String(60))
    department: Mapped[str] = mapped_column(String(60))
    region_code: Mapped[str] = mapped_column(String(6))
    org_path: Mapped[str] = mapped_column(org_path_type(40), index=True)
    qualifications: Mapped[list] = mapped_column(JSON, default=list)  # item codes
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime]

    relations: Mapped[list[InspectorRelation]] = relationship(lazy="selectin", cascade="all, delete-orphan")


class InspectorRelation(Base):
    """A declared relation (利害关系) between an inspector and an entity: grounds for avoidance."""

    __tablename__ = "inspection_inspector_relation"
    __table_args__ = (UniqueConstraint("inspector_id", "entity_uscc"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    inspector_id: Mapped[int] = mapped_column(ForeignKey("inspection_inspector.id", ondelete="CASCADE"))
    entity_uscc: Mapped[str] = mapped_column(String(18), index=True)
    relation: Mapped[str] = mapped_column(String(100))
    declared_at: Mapped[dt.datetime]


class Plan(Base):
    """An annual random-check plan of a county, city or province bureau, filed with the next level."""

    __tablename__ = "inspection_plan"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_no: Mapped[str] = mapped_column(String(30), unique=True)
    year: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    org_path: Mapped[str] = mapped_column(org_path_type(40), index=True)
    org_name: Mapped[str] = mapped_column(String(100))
    org_level: Mapped[str] = mapped_column(String(16))
    class_weights: Mapped[dict | None] = mapped_column(JSON)
    filed_with_path: Mapped[str | None] = mapped_column(org_path_type(40), index=True)
    filed_at: Mapped[dt.datetime | None]
    created_by: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[dt.datetime]

    batches: Mapped[list[Batch]] = relationship(back_populates="plan", order_by="Batch.id", lazy="selectin")


class Batch(Base):
    """A batch (批次) of a plan: scope, number, timing, items; one verifiable draw."""

    __tablename__ = "inspection_batch"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_no: Mapped[str] = mapped_column(String(40), unique=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("inspection_plan.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    org_path: Mapped[str] = mapped_column(org_path_type(40), index=True)
    departments: Mapped[list] = mapped_column(JSON)   # several = joint task (联合抽查)
    item_codes: Mapped[list] = mapped_column(JSON)
    scope: Mapped[dict] = mapped_column(JSON)         # region, industry, entity_type, licence_type, classes
    size: Mapped[int]
    starts_on: Mapped[dt.date] = mapped_column(Date)
    ends_on: Mapped[dt.date] = mapped_column(Date)
    class_weights: Mapped[dict | None] = mapped_column(JSON)
    per_entity: Mapped[int] = mapped_column(default=2)
    avoid_same_region: Mapped[bool] = mapped_column(Boolean, default=False)
    avoid_previous_inspector: Mapped[bool] = mapped_column(Boolean, default=True)
    exclusion_days: Mapped[int] = mapped_column(default=365)
    status: Mapped[str] = mapped_column(String(16), default="draft")
    commitment: Mapped[str | None] = mapped_column(String(64))
    seed_secret: Mapped[str | None] = mapped_column(String(64))  # revealed only when status=published
    directory_size: Mapped[int | None]
    created_at: Mapped[dt.datetime]
    committed_at: Mapped[dt.datetime | None]
    drawn_at: Mapped[dt.datetime | None]
    seed_published_at: Mapped[dt.datetime | None]

    plan: Mapped[Plan] = relationship(back_populates="batches", lazy="joined")


class BatchSnapshot(Base):
    """The frozen inputs (and, after the draw, the whole record) of a batch's draw: gzip'd
    canonical JSON, immutable once written."""

    __tablename__ = "inspection_batch_snapshot"

    batch_id: Mapped[int] = mapped_column(ForeignKey("inspection_batch.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)  # params | directory | inspectors | record
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime]


class Task(Base):
    """One drawn entity of a batch with its inspectors (检查任务)."""

    __tablename__ = "inspection_task"
    __table_args__ = (Index("ix_inspection_task_entity", "entity_uscc", "inspected_on"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    task_no: Mapped[str] = mapped_column(String(50), unique=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("inspection_batch.id"), index=True)
    entity_id: Mapped[int] = mapped_column(index=True)
    entity_uscc: Mapped[str] = mapped_column(String(18))
    entity_name: Mapped[str] = mapped_column(String(200))
    risk_class: Mapped[str] = mapped_column(String(1))
    org_path: Mapped[str] = mapped_column(org_path_type(40), index=True)
    status: Mapped[str] = mapped_column(String(16), default="assigned")
    inspected_on: Mapped[dt.date | None] = mapped_column(Date)
    publish_due_on: Mapped[dt.date | None] = mapped_column(Date)
    calendar_version: Mapped[str | None] = mapped_column(String(40))
    recorded_at: Mapped[dt.datetime | None]
    published_on: Mapped[dt.date | None] = mapped_column(Date)
    problem: Mapped[bool | None] = mapped_column(Boolean)

    inspectors: Mapped[list[TaskInspector]] = relationship(lazy="selectin", cascade="all, delete-orphan")
    results: Mapped[list[TaskResult]] = relationship(lazy="selectin", cascade="all, delete-orphan",
                                                     order_by="TaskResult.id")
    evidence: Mapped[list[InspectionEvidence]] = relationship(lazy="selectin", cascade="all, delete-orphan")
    batch: Mapped[Batch] = relationship(lazy="joined")


class TaskInspector(Base):
    __tablename__ = "inspection_task_inspector"
    __table_args__ = (UniqueConstraint("task_id", "inspector_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("inspection_task.id", ondelete="CASCADE"), index=True)
    inspector_id: Mapped[int] = mapped_column(ForeignKey("inspection_inspector.id"), index=True)


class TaskResult(Base):
    """The on-site result of one check item (检查结果) on a task."""

    __tablename__ = "inspection_task_result"
    __table_args__ = (UniqueConstraint("task_id", "item_code"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("inspection_task.id", ondelete="CASCADE"))
    item_code: Mapped[str] = mapped_column(String(20))
    result_code: Mapped[str] = mapped_column(String(30))
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[str] = mapped_column(String(40))
    recorded_at: Mapped[dt.datetime]


class InspectionEvidence(Base):
    """An evidence attachment of a task (checked by content; stored by SHA-256)."""

    __tablename__ = "inspection_evidence"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("inspection_task.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    mime: Mapped[str] = mapped_column(String(60))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[dt.datetime]
