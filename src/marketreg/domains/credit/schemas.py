"""API shapes of credit (personal data masked: the legal representative's name on public output)."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from marketreg.domains.credit.enums import (
    CATEGORY_LABELS,
    ENTRY_STATUS_LABELS,
    LIST_LABELS,
    REPAIR_STATUS_LABELS,
    REPAIR_TARGET_LABELS,
)
from marketreg.domains.credit.models import CreditEvent, ListEntry, MeasureProposal, RepairApplication
from marketreg.kernel.masking import mask_name
from marketreg.platform.db import RecordId


class CreditEventOut(BaseModel):
    name: str
    category: str
    category_label: str
    title: str
    ref: str | None
    occurred_on: dt.date
    public: bool
    public_until: dt.date | None
    withdrawn_on: dt.date | None

    @classmethod
    def of(cls, e: CreditEvent) -> CreditEventOut:
        return cls(name=e.name, category=e.category, category_label=CATEGORY_LABELS.get(e.category, e.category),
                   title=e.title, ref=e.ref, occurred_on=e.occurred_on, public=e.public, public_until=e.public_until,
                   withdrawn_on=e.withdrawn_on)


class EntryOut(BaseModel):
    id: int
    list_type: str
    list_label: str
    entity_uscc: str
    entity_name: str
    legal_rep_name: str | None
    status: str
    status_label: str
    ground_code: str
    ground_label: str
    basis: str
    rule_version: str
    listed_on: dt.date | None
    listing_due_on: dt.date | None
    publish_due_on: dt.date | None
    objection_until: dt.date | None
    warning_from: dt.date | None
    transfer_on: dt.date | None
    removal_due_on: dt.date | None
    early_removal_from: dt.date | None
    legal_rep_bar_until: dt.date | None
    removed_on: dt.date | None
    removal_reason: str | None
    measures: list[dict]
    review_note: str | None = None
    review_pending: bool = False

    @classmethod
    def of(cls, e: ListEntry, *, public: bool = False) -> EntryOut:
        return cls(
            id=e.id, list_type=e.list_type, list_label=LIST_LABELS[e.list_type], entity_uscc=e.entity_uscc,
            entity_name=e.entity_name, legal_rep_name=mask_name(e.legal_rep_name) if public else e.legal_rep_name,
            status=e.status, status_label=ENTRY_STATUS_LABELS.get(e.status, e.status), ground_code=e.ground_code,
            ground_label=e.ground_label, basis=e.basis, rule_version=e.rule_version, listed_on=e.listed_on,
            listing_due_on=e.listing_due_on, publish_due_on=e.publish_due_on, objection_until=e.objection_until,
            warning_from=e.warning_from, transfer_on=e.transfer_on, removal_due_on=e.removal_due_on,
            early_removal_from=e.early_removal_from, legal_rep_bar_until=e.legal_rep_bar_until,
            removed_on=e.removed_on, removal_reason=e.removal_reason, measures=[] if public else e.measures,
            review_note=None if public else e.review_note,
            review_pending=not public and e.review_flagged_on is not None and e.reviewed_on is None)


class MeasureOut(BaseModel):
    """A measure proposed under 条例 (2024) Art. 18 (RULES C1)."""

    id: int
    entity_uscc: str
    entity_name: str
    kind: str
    label: str
    basis: str
    reason: str
    entry_id: int | None
    status: str
    proposed_on: dt.date
    decided_on: dt.date | None
    note: str

    @classmethod
    def of(cls, p: MeasureProposal) -> MeasureOut:
        return cls(id=p.id, entity_uscc=p.entity_uscc, entity_name=p.entity_name, kind=p.kind, label=p.label,
                   basis=p.basis, reason=p.reason, entry_id=p.entry_id, status=p.status, proposed_on=p.proposed_on,
                   decided_on=p.decided_on, note=p.note)


class RepairOut(BaseModel):
    id: int
    entity_uscc: str
    target: str
    target_label: str
    ref: str
    filed_on: dt.date
    status: str
    status_label: str
    accept_due_on: dt.date | None
    decide_due_on: dt.date | None
    decided_on: dt.date | None
    decision_note: str

    @classmethod
    def of(cls, r: RepairApplication) -> RepairOut:
        return cls(id=r.id, entity_uscc=r.entity_uscc, target=r.target, target_label=REPAIR_TARGET_LABELS[r.target],
                   ref=r.ref, filed_on=r.filed_on, status=r.status,
                   status_label=REPAIR_STATUS_LABELS.get(r.status, r.status), accept_due_on=r.accept_due_on,
                   decide_due_on=r.decide_due_on, decided_on=r.decided_on, decision_note=r.decision_note)


class ListIn(BaseModel):
    uscc: str = Field(max_length=18)
    ground_code: str = Field(max_length=40)
    evidence: str = Field("", max_length=4000)
    reason: str = Field("", max_length=2000)
    # RULES C14 (Order 101 Art. 9(2)): the two registered letters, when unreachability rests on them
    first_letter_on: dt.date | None = None
    second_letter_on: dt.date | None = None


class DecisionIn(BaseModel):
    approve: bool
    reason: str = Field("", max_length=2000)
    category: str = Field("", max_length=40)
    consent_ref: str = Field("", max_length=100)


class VerdictIn(BaseModel):
    grant: bool
    note: str = Field("", max_length=2000)


class OverrideIn(BaseModel):
    risk_class: str = Field("", pattern="^(|A|B|C|D)$")
    reason: str = Field("", max_length=1000)


class AnnualReportIn(BaseModel):
    report_year: int = Field(ge=2000, le=2100)
    public_items: dict[str, str] = Field(default_factory=dict)
    item7: dict[str, str] = Field(default_factory=dict)
    item7_public: bool = False


class ObjectionIn(BaseModel):
    entry_id: RecordId
    reason: str = Field("", max_length=2000)


class RepairIn(BaseModel):
    target: str = Field(max_length=20)
    ref: str = Field(max_length=80)
    duties_performed: bool = False
    harm_removed: bool = False
    pledge: bool = False
    statement: str = Field("", max_length=2000)


class ClassOut(BaseModel):
    risk_class: str
    computed_class: str
    score: float
    factors: list[dict]
    computed_on: dt.date
    override_reason: str | None


class PublicCreditOut(BaseModel):
    uscc: str
    name: str
    entries: list[EntryOut]
    annual_reports: list[dict]
    publicity: list[CreditEventOut]
    last_updated: dt.datetime | None
