from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketreg.platform.authz import org_path_type
from marketreg.platform.db import Base


class Clue(Base):
    """A clue (线索) from any source, checked towards the filing decision."""

    __tablename__ = "enforcement_clue"

    id: Mapped[int] = mapped_column(primary_key=True)
    # report | mediation | inspection | sampling | monitoring | transfer | assignment | complaint
    source: Mapped[str] = mapped_column(String(20))
    source_ref: Mapped[str] = mapped_column(String(40), index=True)
    respondent_uscc: Mapped[str | None] = mapped_column(String(18), index=True)
    respondent_name: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text)
    org_path: Mapped[str] = mapped_column(org_path_type(40), index=True)
    received_on: Mapped[dt.date] = mapped_column(Date)
    check_due_on: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="checking")  # enums.ClueStatus
    basis: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime]
    decided_at: Mapped[dt.datetime | None]
    extended: Mapped[bool] = mapped_column(Boolean, default=False)
    non_filing_ground: Mapped[str | None] = mapped_column(String(24))
    decision_note: Mapped[str | None] = mapped_column(Text)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("enforcement_case.id"))


class Officer(Base):
    """A staff member holding an enforcement credential (执法证), who may be named on a case."""

    __tablename__ = "enforcement_officer"

    username: Mapped[str] = mapped_column(String(40), primary_key=True)
    display_name: Mapped[str] = mapped_column(String(60))
    credential_no: Mapped[str] = mapped_column(String(30), unique=True)
    org_path: Mapped[str] = mapped_column(org_path_type(40), index=True)
    valid_until: Mapped[dt.date] = mapped_column(Date)


class ConflictDeclaration(Base):
    """An officer's declared relation (回避事由) to a party (USCC or name)."""

    __tablename__ = "enforcement_conflict"
    __table_args__ = (UniqueConstraint("username", "party"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(40), index=True)
    party: Mapped[str] = mapped_column(String(200))
    relation: Mapped[str] = mapped_column(String(100))
    declared_at: Mapped[dt.datetime]


class Benchmark(Base):
    """Discretion benchmark (裁量基准): violation type + circumstances → fine range + legal basis."""

    __tablename__ = "enforcement_benchmark"
    __table_args__ = (UniqueConstraint("violation_type", "circumstance"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    violation_type: Mapped[str] = mapped_column(String(40), index=True)
    violation_label: Mapped[str] = mapped_column(String(100))
    circumstance: Mapped[str] = mapped_column(String(16))  # lighter | ordinary | heavier
    fine_min: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    fine_max: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    legal_basis: Mapped[str] = mapped_column(String(300))
    updated_at: Mapped[dt.datetime]
    updated_by: Mapped[str] = mapped_column(String(40))


class Case(Base):
    """An administrative penalty case (行政处罚案件), ordinary or simplified procedure."""

    __tablename__ = "enforcement_case"
    __table_args__ = (Index("ix_enforcement_case_queue", "org_path", "status", "next_due_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_no: Mapped[str] = mapped_column(String(60), unique=True)
    procedure: Mapped[str] = mapped_column(String(12), default="ordinary")  # ordinary | simplified
    org_path: Mapped[str] = mapped_column(org_path_type(40), index=True)
    organ_name: Mapped[str] = mapped_column(String(100))
    respondent_uscc: Mapped[str | None] = mapped_column(String(18), index=True)
    respondent_name: Mapped[str] = mapped_column(String(200))
    party_kind: Mapped[str] = mapped_column(String(8), default="legal")  # legal | natural
    violation_type: Mapped[str] = mapped_column(String(40), index=True)
    violation_label: Mapped[str] = mapped_column(String(100))
    facts: Mapped[str] = mapped_column(Text)
    officers: Mapped[list] = mapped_column(JSON)
    major: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(20), index=True)
    rule_version: Mapped[str] = mapped_column(String(20))
    calendar_version: Mapped[str] = mapped_column(String(40))
    provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    # clocks (due dates stored on the row)
    filed_on: Mapped[dt.date] = mapped_column(Date)
    decision_due_on: Mapped[dt.date | None] = mapped_column(Date)
    decision_extensions: Mapped[int] = mapped_column(default=0)
    collective_until: Mapped[dt.date | None] = mapped_column(Date)
    paused_since: Mapped[dt.date | None] = mapped_column(Date)
    pause_reason: Mapped[str | None] = mapped_column(String(20))
    paused_days: Mapped[int] = mapped_column(default=0)
    investigation_ended_on: Mapped[dt.date | None] = mapped_column(Date)
    legal_review_due_on: Mapped[dt.date | None] = mapped_column(Date)
    reviewed_on: Mapped[dt.date | None] = mapped_column(Date)
    review_opinion: Mapped[str | None] = mapped_column(Text)
    # prior notice
    proposed_kinds: Mapped[list | None] = mapped_column(JSON)
    proposed_fine: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    proposed_confiscation: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    notice_served_on: Mapped[dt.date | None] = mapped_column(Date)
    statement_due_on: Mapped[dt.date | None] = mapped_column(Date)
    statement: Mapped[str | None] = mapped_column(Text)
    hearing_rights: Mapped[bool] = mapped_column(Boolean, default=False)
    # RULES C4 (Order 44 Art. 13): the prior notice told the party of the proposed serious listing
    serious_notified: Mapped[bool] = mapped_column(Boolean, default=False)
    hearing_request_due_on: Mapped[dt.date | None] = mapped_column(Date)
    hearing_requested_on: Mapped[dt.date | None] = mapped_column(Date)
    hearing_on: Mapped[dt.date | None] = mapped_column(Date)
    hearing_held_on: Mapped[dt.date | None] = mapped_column(Date)
    # decision
    collective_discussed: Mapped[bool] = mapped_column(Boolean, default=False)
    penalty_kinds: Mapped[list | None] = mapped_column(JSON)
    fine_amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    confiscated_amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    legal_basis: Mapped[str | None] = mapped_column(String(300))
    benchmark_id: Mapped[int | None] = mapped_column(ForeignKey("enforcement_benchmark.id"))
    outside_range_reason: Mapped[str | None] = mapped_column(Text)
    decision_no: Mapped[str | None] = mapped_column(String(60), unique=True)
    decided_on: Mapped[dt.date | None] = mapped_column(Date, index=True)
    delivery_due_on: Mapped[dt.date | None] = mapped_column(Date)
    delivered_on: Mapped[dt.date | None] = mapped_column(Date)
    payment_due_on: Mapped[dt.date | None] = mapped_column(Date)
    paid_on: Mapped[dt.date | None] = mapped_column(Date)
    paid_amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    # RULES C9: late-payment surcharge owed (程序规定 Art. 75), the 催告 (Art. 76) and the days a
    # reconsideration or lawsuit ran (no surcharge for them, 行政处罚法 Art. 73(3))
    surcharge_amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    urged_on: Mapped[dt.date | None] = mapped_column(Date)
    remedy_days: Mapped[int] = mapped_column(Integer, default=0)
    instalments: Mapped[int] = mapped_column(default=0)
    # publicity
    publicity: Mapped[bool] = mapped_column(Boolean, default=False)
    publicity_due_on: Mapped[dt.date | None] = mapped_column(Date)
    published_on: Mapped[dt.date | None] = mapped_column(Date, index=True)
    publicity_period: Mapped[str | None] = mapped_column(String(4))
    publicity_until: Mapped[dt.date | None] = mapped_column(Date)
    publicity_ended_on: Mapped[dt.date | None] = mapped_column(Date)
    publicity_end_reason: Mapped[str | None] = mapped_column(String(12))
    # end
    closure_due_on: Mapped[dt.date | None] = mapped_column(Date)
    closed_on: Mapped[dt.date | None] = mapped_column(Date)
    outcome: Mapped[str | None] = mapped_column(String(20))
    archived_on: Mapped[dt.date | None] = mapped_column(Date)
    next_due_on: Mapped[dt.date | None] = mapped_column(Date, index=True)
    next_due_label: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime]

    steps: Mapped[list[CaseStep]] = relationship(order_by="CaseStep.id", cascade="all, delete-orphan",
                                                 lazy="selectin")
    evidence: Mapped[list[Evidence]] = relationship(order_by="Evidence.id", cascade="all, delete-orphan",
                                                    lazy="selectin")
    documents: Mapped[list[Document]] = relationship(order_by="Document.id", cascade="all, delete-orphan",
                                                     lazy="selectin")


class CaseStep(Base):
    """The case's timeline: one row per step, with the due date it set."""

    __tablename__ = "enforcement_case_step"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("enforcement_case.id", ondelete="CASCADE"), index=True)
    at: Mapped[dt.datetime]
    action: Mapped[str] = mapped_column(String(30))
    label: Mapped[str] = mapped_column(String(100))
    actor_name: Mapped[str] = mapped_column(String(60))
    note: Mapped[str] = mapped_column(Text, default="")
    basis: Mapped[str] = mapped_column(String(200), default="")
    due_on: Mapped[dt.date | None] = mapped_column(Date)


class Evidence(Base):
    """Evidence record: questioning, sampling, on-site inspection, preservation or seizure."""

    __tablename__ = "enforcement_evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("enforcement_case.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # record | questioning | sampling | preservation | seizure
    description: Mapped[str] = mapped_column(Text)
    taken_on: Mapped[dt.date] = mapped_column(Date)
    due_on: Mapped[dt.date | None] = mapped_column(Date)
    extended: Mapped[bool] = mapped_column(Boolean, default=False)
    released_on: Mapped[dt.date | None] = mapped_column(Date)


class Document(Base):
    """A generated standard document (文书), numbered by organ and year, stored as PDF."""

    __tablename__ = "enforcement_document"
    __table_args__ = (UniqueConstraint("organ_code", "kind", "year", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("enforcement_case.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(24))
    title: Mapped[str] = mapped_column(String(60))
    organ_code: Mapped[str] = mapped_column(String(16))
    year: Mapped[int]
    seq: Mapped[int]
    number: Mapped[str] = mapped_column(String(60))
    pdf: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)  # loaded only when the document is read
    created_at: Mapped[dt.datetime]


class DocCounter(Base):
    """Gap-free counter per organ, document kind and year; incremented under a row lock in the
    transaction that stores the document, so a rolled-back write gives its number back."""

    __tablename__ = "enforcement_doc_counter"

    organ_code: Mapped[str] = mapped_column(String(16), primary_key=True)
    kind: Mapped[str] = mapped_column(String(24), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(default=0)


class Transfer(Base):
    """A case or clue sent to the police (行刑衔接), another department or another bureau."""

    __tablename__ = "enforcement_transfer"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("enforcement_case.id"), index=True)
    clue_id: Mapped[int | None] = mapped_column(ForeignKey("enforcement_clue.id"))
    kind: Mapped[str] = mapped_column(String(12))  # police | department | bureau
    from_org_path: Mapped[str] = mapped_column(org_path_type(40), index=True)
    target_path: Mapped[str] = mapped_column(org_path_type(40), index=True)
    target_name: Mapped[str] = mapped_column(String(100))
    reason: Mapped[str] = mapped_column(Text)
    sent_on: Mapped[dt.date] = mapped_column(Date)
    # RULES C5: no receipt deadline for the police (移送规定 Art. 7); clue hand-overs keep theirs
    receipt_due_on: Mapped[dt.date | None] = mapped_column(Date)
    received_on: Mapped[dt.date | None] = mapped_column(Date)
    feedback_due_on: Mapped[dt.date | None] = mapped_column(Date)  # police: 3 days from receipt (Art. 8)
    evidence_due_on: Mapped[dt.date | None] = mapped_column(Date)  # police: 3 days from transfer (Art. 12)
    feedback_on: Mapped[dt.date | None] = mapped_column(Date)
    feedback: Mapped[str | None] = mapped_column(Text)
    package: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)  # loaded only for its download


class FileReview(Base):
    """Case-file review (案卷评查): a score per checklist item."""

    __tablename__ = "enforcement_file_review"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("enforcement_case.id"), index=True)
    sampled_at: Mapped[dt.datetime]
    reviewer: Mapped[str | None] = mapped_column(String(40))
    scores: Mapped[dict | None] = mapped_column(JSON)
    total: Mapped[int | None]
    reviewed_on: Mapped[dt.date | None] = mapped_column(Date)


class RuleOverride(Base):
    """A staff-entered value of a rule figure RULES.md does not mark CONFIRMED (e.g. Shandong's own
    "较低数额罚款" or hearing amounts)."""

    __tablename__ = "enforcement_rule_override"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    note: Mapped[str] = mapped_column(String(200), default="")
    updated_by: Mapped[str] = mapped_column(String(60))
    updated_at: Mapped[dt.datetime]
