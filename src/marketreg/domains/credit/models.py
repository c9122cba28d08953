from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from marketreg.platform.authz import org_path_type
from marketreg.platform.db import Base, BigId


class CreditEvent(Base):
    """One line of an entity's credit file (一户一档): every domain event about it (应归尽归)."""

    __tablename__ = "credit_event"
    __table_args__ = (Index("ix_credit_event_entity", "entity_uscc", "occurred_on"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    event_id: Mapped[int] = mapped_column(BigId, unique=True)  # domain_event.id: replays are no-ops
    name: Mapped[str] = mapped_column(String(80))
    category: Mapped[str] = mapped_column(String(20), index=True)
    entity_uscc: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(300))
    ref: Mapped[str | None] = mapped_column(String(80), index=True)
    occurred_on: Mapped[dt.date] = mapped_column(Date)
    flag: Mapped[str | None] = mapped_column(String(16))  # heavy | problem | unreachable (classification inputs)
    public: Mapped[bool] = mapped_column(Boolean, default=False)
    public_until: Mapped[dt.date | None] = mapped_column(Date)
    withdrawn_on: Mapped[dt.date | None] = mapped_column(Date)  # publicity stopped (repair, revocation)
    payload: Mapped[dict] = mapped_column(JSON)
    org_path: Mapped[str] = mapped_column(org_path_type(64), index=True)
    recorded_at: Mapped[dt.datetime]


class AnnualReport(Base):
    """An enterprise's annual report (条例 Arts. 8–9): items 1–6 public, item 7 optional."""

    __tablename__ = "credit_annual_report"
    __table_args__ = (UniqueConstraint("entity_uscc", "report_year"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    entity_uscc: Mapped[str] = mapped_column(String(18))
    entity_name: Mapped[str] = mapped_column(String(200))
    entity_type: Mapped[str] = mapped_column(String(16))
    city_code: Mapped[str] = mapped_column(String(6), index=True)
    org_path: Mapped[str] = mapped_column(org_path_type(40), index=True)
    report_year: Mapped[int] = mapped_column(Integer, index=True)
    filed_on: Mapped[dt.date] = mapped_column(Date)
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    public_items: Mapped[dict] = mapped_column(JSON)
    item7: Mapped[dict] = mapped_column(JSON)
    item7_public: Mapped[bool] = mapped_column(Boolean, default=False)
    corrections: Mapped[int] = mapped_column(Integer, default=0)
    corrected_on: Mapped[dt.date | None] = mapped_column(Date)
    created_at: Mapped[dt.datetime]


class ListEntry(Base):
    """An entry on the abnormal operations list or the serious illegal and dishonest list, from
    proposal to removal, with every statutory date stored with the rule version used."""

    __tablename__ = "credit_list_entry"
    __table_args__ = (Index("ix_credit_list_entry_entity", "entity_uscc", "list_type", "status"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    list_type: Mapped[str] = mapped_column(String(12), index=True)
    source_ref: Mapped[str] = mapped_column(String(120), unique=True)  # idempotency of automatic listings
    entity_uscc: Mapped[str] = mapped_column(String(18))
    entity_name: Mapped[str] = mapped_column(String(200))
    legal_rep_name: Mapped[str | None] = mapped_column(String(60))
    city_code: Mapped[str] = mapped_column(String(6), index=True)
    org_path: Mapped[str] = mapped_column(org_path_type(40), index=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    ground_code: Mapped[str] = mapped_column(String(40))
    ground_label: Mapped[str] = mapped_column(String(200))
    basis: Mapped[str] = mapped_column(String(300))
    basis_code: Mapped[str | None] = mapped_column(String(24))  # serious: order44 | regulation_art17
    rule_version: Mapped[str] = mapped_column(String(24))
    evidence: Mapped[str] = mapped_column(Text, default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    trigger_on: Mapped[dt.date] = mapped_column(Date)
    listing_due_on: Mapped[dt.date | None] = mapped_column(Date)
    provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    calendar_version: Mapped[str] = mapped_column(String(40), default="")
    listed_on: Mapped[dt.date | None] = mapped_column(Date, index=True)
    publish_due_on: Mapped[dt.date | None] = mapped_column(Date)
    objection_until: Mapped[dt.date | None] = mapped_column(Date)
    warning_from: Mapped[dt.date | None] = mapped_column(Date, index=True)
    transfer_on: Mapped[dt.date | None] = mapped_column(Date, index=True)
    removal_due_on: Mapped[dt.date | None] = mapped_column(Date, index=True)
    early_removal_from: Mapped[dt.date | None] = mapped_column(Date)
    legal_rep_bar_until: Mapped[dt.date | None] = mapped_column(Date)
    higher_consent: Mapped[bool] = mapped_column(Boolean, default=False)
    penalty_ref: Mapped[str | None] = mapped_column(String(80))
    cure_applied_on: Mapped[dt.date | None] = mapped_column(Date)
    cure_decision_due_on: Mapped[dt.date | None] = mapped_column(Date)
    removed_on: Mapped[dt.date | None] = mapped_column(Date)
    removal_reason: Mapped[str | None] = mapped_column(String(200))
    measures: Mapped[list] = mapped_column(JSON, default=list)
    decided_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[dt.datetime]


class Objection(Base):
    __tablename__ = "credit_objection"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("credit_list_entry.id"), index=True)
    filed_on: Mapped[dt.date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    accept_due_on: Mapped[dt.date] = mapped_column(Date)
    verify_due_on: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12))
    decided_on: Mapped[dt.date | None] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")


class RepairApplication(Base):
    __tablename__ = "credit_repair"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    entity_uscc: Mapped[str] = mapped_column(String(18), index=True)
    org_path: Mapped[str] = mapped_column(org_path_type(40), index=True)
    target: Mapped[str] = mapped_column(String(20))
    ref: Mapped[str] = mapped_column(String(80))
    filed_on: Mapped[dt.date] = mapped_column(Date)
    statement: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(12), index=True)
    unmet_code: Mapped[str | None] = mapped_column(String(60))
    unmet_label: Mapped[str | None] = mapped_column(String(300))
    unmet_basis: Mapped[str | None] = mapped_column(String(200))
    accept_due_on: Mapped[dt.date | None] = mapped_column(Date)
    decide_due_on: Mapped[dt.date | None] = mapped_column(Date)
    decided_on: Mapped[dt.date | None] = mapped_column(Date)
    decision_note: Mapped[str] = mapped_column(Text, default="")
    decided_by: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[dt.datetime]


class RiskClass(Base):
    """The current credit risk class of an entity (RULES 4); the factors behind it are computed
    when shown (``classify.explain``)."""

    __tablename__ = "credit_risk_class"

    entity_id: Mapped[int] = mapped_column(BigId, primary_key=True)
    computed_class: Mapped[str] = mapped_column(String(1))
    score: Mapped[float]
    computed_on: Mapped[dt.date] = mapped_column(Date)
    run_id: Mapped[int] = mapped_column(Integer)
    override_class: Mapped[str | None] = mapped_column(String(1))
    override_reason: Mapped[str | None] = mapped_column(Text)
    override_by: Mapped[str | None] = mapped_column(String(64))


class RiskClassHistory(Base):
    """Class changes (a row when an entity's class differs from the previous run, or is overridden)."""

    __tablename__ = "credit_risk_class_history"
    __table_args__ = (Index("ix_credit_risk_history_entity", "entity_id", "run_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    entity_id: Mapped[int] = mapped_column(BigId)
    run_id: Mapped[int] = mapped_column(Integer)
    risk_class: Mapped[str] = mapped_column(String(1))
    score: Mapped[float]
    changed_on: Mapped[dt.date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(String(200), default="")


class ClassificationRun(Base):
    __tablename__ = "credit_classification_run"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_on: Mapped[dt.date] = mapped_column(Date)
    config_version: Mapped[str] = mapped_column(String(40))
    entities: Mapped[int] = mapped_column(Integer, default=0)
    counts: Mapped[dict] = mapped_column(JSON, default=dict)
    job_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[dt.datetime]
