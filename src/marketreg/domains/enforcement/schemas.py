"""Input and output shapes of enforcement cases. Natural persons' names are masked in public."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from pydantic import BaseModel, Field, ValidationInfo, field_validator

from marketreg.domains.enforcement.enums import (
    CLUE_SOURCES,
    CLUE_STATUS,
    OPEN_CLUE_STATUSES,
    PENALTY_KINDS,
    PUBLICITY_PERIODS,
    STATUS_LABELS,
)
from marketreg.domains.enforcement.models import Case, Clue
from marketreg.kernel.masking import mask_name, scrub
from marketreg.kernel.text import plain_text
from marketreg.platform.db import RecordId

TEXT_LABELS = {"respondent_name": "当事人", "summary": "线索内容", "facts": "违法事实", "legal_basis": "法律依据",
               "violation_label": "违法行为", "note": "说明", "description": "说明", "reason": "理由",
               "outside_range_reason": "超出裁量基准的理由", "feedback": "反馈意见", "department": "接收部门",
               "party": "当事人", "relation": "利害关系"}


class TextIn(BaseModel):
    """An enforcement input whose every text field refuses markup and control characters, in the
    API as on the pages (penalty texts are published through the public API)."""

    @field_validator("*")
    @classmethod
    def _plain(cls, value: object, info: ValidationInfo) -> object:
        if not isinstance(value, str):
            return value
        return plain_text(value, field=TEXT_LABELS.get(info.field_name or "", "输入内容"), domain="enforcement") or ""


class ClueIn(TextIn):
    """A clue registered by hand (inspection, sampling, monitoring, transfer, assignment…)."""

    source: str = Field(pattern="^(report|complaint|inspection|sampling|monitoring|transfer|assignment)$")
    source_ref: str = Field("", max_length=40)
    respondent_uscc: str | None = Field(None, max_length=18)
    respondent_name: str = Field(min_length=1, max_length=200)
    summary: str = Field(min_length=1, max_length=2000)
    received_on: dt.date | None = None


class FilingIn(TextIn):
    """The filing approval (立案审批): the four conditions, the officers, the violation."""

    conditions: list[str] = Field(default_factory=list)
    officers: list[str] = Field(default_factory=list)
    violation_type: str = Field(min_length=1, max_length=40)
    party_kind: str = Field("legal", pattern="^(legal|natural)$")
    major: bool = False
    facts: str = Field("", max_length=4000)
    filed_on: dt.date | None = None  # back-dated paper filing; never in the future
    # RULES C3 (行政处罚法 Art. 36): the day the act ended (its end if continuing), whether it involves life,
    # health or financial safety with harmful consequences (5 years), and the recorded ground for filing
    # past the limitation ("法律另有规定的除外")
    act_ended_on: dt.date | None = None
    life_health_or_financial: bool = False
    limitation_ground: str = Field("", max_length=1000)


class DeclineIn(TextIn):
    ground: str
    note: str = Field("", max_length=2000)


class SimplifiedIn(TextIn):
    """An on-the-spot decision (当场处罚, 程序规定 Art. 66)."""

    respondent_uscc: str | None = Field(None, max_length=18)
    respondent_name: str = Field(min_length=1, max_length=200)
    party_kind: str = Field("legal", pattern="^(legal|natural)$")
    violation_type: str = Field(min_length=1, max_length=40)
    facts: str = Field(min_length=1, max_length=4000)
    penalty_kinds: list[str]
    fine: Decimal = Decimal(0)
    legal_basis: str = Field(min_length=1, max_length=300)
    officers: list[str]
    on: dt.date | None = None


class StepIn(TextIn):
    """Fields of one case step; each step reads the ones it needs."""

    on: dt.date | None = None
    note: str = Field("", max_length=4000)
    kind: str = ""
    description: str = Field("", max_length=2000)
    evidence_id: RecordId | None = None
    reason: str = ""
    penalty_kinds: list[str] = Field(default_factory=list)
    fine: Decimal | None = None
    confiscated: Decimal | None = None
    legal_basis: str = Field("", max_length=300)
    benchmark_id: RecordId | None = None
    outside_range_reason: str = Field("", max_length=2000)
    collective_discussed: bool = False
    serious_candidate: bool = False
    hearing_on: dt.date | None = None
    until: dt.date | None = None
    amount: Decimal | None = None
    instalments: int = 0
    outcome: str = ""


class TransferIn(TextIn):
    target_code: str = Field(min_length=1, max_length=16)
    reason: str = Field(min_length=1, max_length=4000)


class ClueTransferIn(TextIn):
    """A clue sent to another market-supervision bureau (``target_code``) or another department
    (``department``: its name, outside the platform)."""

    kind: str = Field(pattern="^(bureau|department)$")
    target_code: str = Field("", max_length=16)
    department: str = Field("", max_length=100)
    reason: str = Field(min_length=1, max_length=4000)


class FeedbackIn(TextIn):
    feedback: str = Field(min_length=1, max_length=4000)
    on: dt.date | None = None


class BenchmarkIn(TextIn):
    violation_type: str = Field(min_length=1, max_length=40)
    violation_label: str = Field(min_length=1, max_length=100)
    circumstance: str = Field(pattern="^(lighter|ordinary|heavier)$")
    fine_min: Decimal = Field(ge=0)
    fine_max: Decimal = Field(ge=0)
    legal_basis: str = Field(min_length=1, max_length=300)


class BenchmarkOut(BenchmarkIn):
    id: int


class ConflictIn(TextIn):
    username: str = Field(min_length=1, max_length=40)
    party: str = Field(min_length=1, max_length=200)
    relation: str = Field(min_length=1, max_length=100)


class ClueOut(BaseModel):
    id: int
    source: str
    source_label: str
    source_ref: str
    respondent_uscc: str | None
    respondent_name: str
    summary: str
    org_path: str
    received_on: dt.date
    check_due_on: dt.date
    basis: str
    status: str
    status_label: str
    overdue: bool
    case_id: int | None

    @classmethod
    def of(cls, clue: Clue, *, today: dt.date) -> ClueOut:
        return cls(id=clue.id, source=clue.source, source_label=CLUE_SOURCES.get(clue.source, clue.source),
                   source_ref=clue.source_ref, respondent_uscc=clue.respondent_uscc,
                   respondent_name=clue.respondent_name, summary=clue.summary, org_path=clue.org_path,
                   received_on=clue.received_on, check_due_on=clue.check_due_on, basis=clue.basis,
                   status=clue.status, status_label=CLUE_STATUS.get(clue.status, clue.status),
                   overdue=clue.status in OPEN_CLUE_STATUSES and clue.check_due_on < today, case_id=clue.case_id)


class CaseOut(BaseModel):
    id: int
    case_no: str
    procedure: str
    organ_name: str
    respondent_uscc: str | None
    respondent_name: str
    party_kind: str
    violation_type: str
    violation_label: str
    status: str
    status_label: str
    filed_on: dt.date
    officers: list[str]
    major: bool
    rule_version: str
    calendar_version: str
    decision_due_on: dt.date | None
    next_due_on: dt.date | None
    next_due_label: str | None
    days_left: int | None
    notice_served_on: dt.date | None
    statement_due_on: dt.date | None
    hearing_rights: bool
    hearing_request_due_on: dt.date | None
    decision_no: str | None
    decided_on: dt.date | None
    penalty_kinds: list[str] | None
    fine_amount: Decimal | None
    paused: bool

    @classmethod
    def of(cls, case: Case, *, today: dt.date) -> CaseOut:
        return cls(id=case.id, case_no=case.case_no, procedure=case.procedure, organ_name=case.organ_name,
                   respondent_uscc=case.respondent_uscc, respondent_name=case.respondent_name,
                   party_kind=case.party_kind, violation_type=case.violation_type,
                   violation_label=case.violation_label, status=case.status,
                   status_label=STATUS_LABELS.get(case.status, case.status), filed_on=case.filed_on,
                   officers=list(case.officers), major=case.major, rule_version=case.rule_version,
                   calendar_version=case.calendar_version, decision_due_on=case.decision_due_on,
                   next_due_on=case.next_due_on, next_due_label=case.next_due_label,
                   days_left=(case.next_due_on - today).days if case.next_due_on else None,
                   notice_served_on=case.notice_served_on, statement_due_on=case.statement_due_on,
                   hearing_rights=case.hearing_rights, hearing_request_due_on=case.hearing_request_due_on,
                   decision_no=case.decision_no, decided_on=case.decided_on, penalty_kinds=case.penalty_kinds,
                   fine_amount=case.fine_amount, paused=case.paused_since is not None)


class PublicPenaltyOut(BaseModel):
    """A published penalty decision as the public sees it: natural persons' names masked, the
    free texts through the one public-text scrubber."""

    decision_no: str
    organ_name: str
    party_name: str
    respondent_uscc: str | None
    violation_label: str
    penalty: str
    fine_amount: Decimal | None
    legal_basis: str | None
    decided_on: dt.date
    published_on: dt.date
    publicity_until: dt.date | None
    period_label: str

    @classmethod
    def of(cls, case: Case) -> PublicPenaltyOut:
        natural = case.party_kind == "natural"
        name = mask_name(case.respondent_name) if natural else case.respondent_name
        known = (case.respondent_name,) if natural else ()
        return cls(decision_no=case.decision_no or "", organ_name=case.organ_name, party_name=name or "",
                   respondent_uscc=case.respondent_uscc if case.party_kind == "legal" else None,
                   violation_label=scrub(case.violation_label, known=known) or "",
                   penalty="、".join(PENALTY_KINDS.get(k, k) for k in case.penalty_kinds or ()),
                   fine_amount=case.fine_amount, legal_basis=scrub(case.legal_basis, known=known),
                   decided_on=case.decided_on,
                   published_on=case.published_on, publicity_until=case.publicity_until,
                   period_label=PUBLICITY_PERIODS.get(case.publicity_period or "", ""))
