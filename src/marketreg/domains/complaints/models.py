from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import Boolean, Date, ForeignKey, Index, Numeric, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketreg.platform.authz import org_path_type
from marketreg.platform.db import Base, BigId


class Item(Base):
    """One complaint, report or consultation (a combined filing is split into two items)."""

    __tablename__ = "complaint_item"
    __table_args__ = (
        Index("ix_complaint_item_queue", "org_path", "status"),
        Index("ix_complaint_item_respondent", "respondent_uscc", "received_on"),
        Index("ix_complaint_item_phone", "complainant_phone", "received_on"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    query_code: Mapped[str] = mapped_column(String(16), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str] = mapped_column(String(16))
    idempotency_key: Mapped[str | None] = mapped_column(String(80), unique=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("complaint_item.id"))
    received_at: Mapped[dt.datetime]
    received_on: Mapped[dt.date] = mapped_column(Date, index=True)
    rule_version: Mapped[str] = mapped_column(String(20))
    # complainant / reporter (personal data: masked unless the role needs it)
    complainant_name: Mapped[str | None] = mapped_column(String(60))
    complainant_phone: Mapped[str | None] = mapped_column(String(20))
    complainant_address: Mapped[str | None] = mapped_column(String(300))
    complainant_id_number: Mapped[str | None] = mapped_column(String(18))
    complainant_email: Mapped[str | None] = mapped_column(String(120))
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    # separate consent (PIPL Art. 23) to give the respondent the phone and family name for settling
    share_contact: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # respondent
    respondent_uscc: Mapped[str | None] = mapped_column(String(18))
    respondent_name: Mapped[str] = mapped_column(String(200))
    respondent_address: Mapped[str | None] = mapped_column(String(300))
    platform_role: Mapped[str] = mapped_column(String(20), default="none")
    platform_uscc: Mapped[str | None] = mapped_column(String(18))
    platform_name: Mapped[str | None] = mapped_column(String(200))
    seller_published_address: Mapped[str | None] = mapped_column(String(300))
    seller_unreachable: Mapped[bool] = mapped_column(Boolean, default=False)
    # content
    title: Mapped[str] = mapped_column(String(200))
    facts: Mapped[str] = mapped_column(Text)
    request: Mapped[str | None] = mapped_column(Text)
    category_code: Mapped[str | None] = mapped_column(String(12), index=True)  # goods/service type
    problem_code: Mapped[str | None] = mapped_column(String(12), index=True)   # problem type
    suggested_category: Mapped[str | None] = mapped_column(String(12))
    suggested_problem: Mapped[str | None] = mapped_column(String(12))
    amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    purchased_on: Mapped[dt.date | None] = mapped_column(Date)
    harm_known_on: Mapped[dt.date | None] = mapped_column(Date)
    # routing
    region_code: Mapped[str | None] = mapped_column(String(6))
    org_path: Mapped[str] = mapped_column(org_path_type(40))
    routing_rule: Mapped[str] = mapped_column(String(40))
    routing_basis: Mapped[str] = mapped_column(String(120))
    # state
    status: Mapped[str] = mapped_column(String(16), index=True)
    outcome: Mapped[str | None] = mapped_column(String(24), index=True)
    outcome_ground: Mapped[str | None] = mapped_column(String(40))
    outcome_note: Mapped[str | None] = mapped_column(Text)
    # statutory clocks (stored with the rule and calendar versions used)
    accept_due_on: Mapped[dt.date | None] = mapped_column(Date, index=True)
    mediation_due_on: Mapped[dt.date | None] = mapped_column(Date)
    report_due_on: Mapped[dt.date | None] = mapped_column(Date)
    odr_due_on: Mapped[dt.date | None] = mapped_column(Date)
    first_response_due_at: Mapped[dt.datetime]
    next_due_on: Mapped[dt.date | None] = mapped_column(Date, index=True)
    provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    calendar_version: Mapped[str] = mapped_column(String(40))
    mediation_paused_days: Mapped[int] = mapped_column(default=0)
    paused_since: Mapped[dt.date | None] = mapped_column(Date)
    # per-state timestamps
    first_response_at: Mapped[dt.datetime | None]
    accepted_at: Mapped[dt.datetime | None]
    mediation_started_at: Mapped[dt.datetime | None]
    closed_at: Mapped[dt.datetime | None]
    warned_at: Mapped[dt.datetime | None]
    escalated_at: Mapped[dt.datetime | None]
    # links
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("complaint_item.id"))
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("complaint_item.id"))
    # feedback
    rating: Mapped[int | None]
    rating_comment: Mapped[str | None] = mapped_column(String(500))
    rated_at: Mapped[dt.datetime | None]
    reopened_count: Mapped[int] = mapped_column(default=0)
    enterprise_reply: Mapped[str | None] = mapped_column(Text)
    enterprise_replied_at: Mapped[dt.datetime | None]
    created_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime]

    steps: Mapped[list[Step]] = relationship(order_by="Step.id", lazy="selectin", cascade="all, delete-orphan")
    attachments: Mapped[list[Attachment]] = relationship(lazy="selectin", cascade="all, delete-orphan")
    follow_ups: Mapped[list[FollowUp]] = relationship(lazy="select", cascade="all, delete-orphan",
                                                      viewonly=True)


class Step(Base):
    """One step of an item's history (the public tracking page shows the public ones)."""

    __tablename__ = "complaint_step"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("complaint_item.id", ondelete="CASCADE"), index=True)
    at: Mapped[dt.datetime]
    action: Mapped[str] = mapped_column(String(40))
    label: Mapped[str] = mapped_column(String(100))
    actor_name: Mapped[str] = mapped_column(String(60))
    org_name: Mapped[str] = mapped_column(String(100), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    basis: Mapped[str] = mapped_column(String(200), default="")
    due_on: Mapped[dt.date | None] = mapped_column(Date)
    public: Mapped[bool] = mapped_column(Boolean, default=True)


class Attachment(Base):
    __tablename__ = "complaint_attachment"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("complaint_item.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    mime: Mapped[str] = mapped_column(String(60))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[dt.datetime]


class Supervision(Base):
    """督办: a higher level's urging instruction with its own due date."""

    __tablename__ = "complaint_supervision"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("complaint_item.id", ondelete="CASCADE"), index=True)
    org_path: Mapped[str] = mapped_column(org_path_type(40), index=True)
    instruction: Mapped[str] = mapped_column(Text)
    due_on: Mapped[dt.date] = mapped_column(Date)
    automatic: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by: Mapped[str] = mapped_column(String(60))
    created_at: Mapped[dt.datetime]
    resolved_at: Mapped[dt.datetime | None]


class OdrUnit(Base):
    """An enterprise that settles complaints against it online first (ODR, RULES 1.16)."""

    __tablename__ = "odr_unit"

    uscc: Mapped[str] = mapped_column(String(18), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    reply_workdays: Mapped[int] = mapped_column(default=5)
    joined_on: Mapped[dt.date] = mapped_column(Date)


class Category(Base):
    """Category trees: goods/service types (two levels, ``G01`` → ``G0101``) and problem types
    (``P01`` → ``P0101``); an item carries one of each."""

    __tablename__ = "complaint_category"

    code: Mapped[str] = mapped_column(String(12), primary_key=True)
    name: Mapped[str] = mapped_column(String(60))
    parent_code: Mapped[str | None] = mapped_column(String(12))
    axis: Mapped[str] = mapped_column(String(10))  # goods | problem
    keywords: Mapped[str] = mapped_column(Text, default="")


class DuplicateLink(Base):
    """A suggested or confirmed link between two items (same person, same respondent, similar text)."""

    __tablename__ = "complaint_duplicate"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("complaint_item.id", ondelete="CASCADE"), index=True)
    other_id: Mapped[int] = mapped_column(ForeignKey("complaint_item.id", ondelete="CASCADE"))
    score: Mapped[float]
    status: Mapped[str] = mapped_column(String(12), default="suggested")  # suggested | confirmed | dismissed


class RuleOverride(Base):
    """A staff-entered value for a rule figure that RULES.md does not mark CONFIRMED."""

    __tablename__ = "complaint_rule_override"

    version: Mapped[str] = mapped_column(String(20), primary_key=True)
    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[int]
    note: Mapped[str] = mapped_column(String(200), default="")
    updated_by: Mapped[str] = mapped_column(String(60))
    updated_at: Mapped[dt.datetime]


class FollowUp(Base):
    """回访 / 抽查: an optional quality check of how an item was handled (办法第二十六条, RULES 1.29:
    "may", no deadline), selected by a configurable share of closed items."""

    __tablename__ = "complaint_follow_up"
    __table_args__ = (UniqueConstraint("item_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("complaint_item.id", ondelete="CASCADE"), index=True)
    org_path: Mapped[str] = mapped_column(org_path_type(40), index=True)
    kind: Mapped[str] = mapped_column(String(12))  # visit | spot_check
    status: Mapped[str] = mapped_column(String(12), default="pending")  # pending | done
    result: Mapped[str | None] = mapped_column(String(20))  # satisfied | unsatisfied | unreachable | problem_found
    note: Mapped[str | None] = mapped_column(Text)
    selected_at: Mapped[dt.datetime]
    done_at: Mapped[dt.datetime | None]
    done_by: Mapped[str | None] = mapped_column(String(60))
