"""The events the credit domain publishes (one typed payload each); subject: the entity."""

from __future__ import annotations

import datetime as dt

from pydantic import ConfigDict, Field

from marketreg.platform.events import EventPayload


class AnnualReportFiled(EventPayload):
    name = "credit.annual_report_filed"
    report_id: int
    report_year: int
    filed_on: dt.date
    late: bool


class _ListEvent(EventPayload):
    """Stored under the key ``list`` (what the credit file and the public pages read)."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)
    list_type: str = Field(serialization_alias="list", validation_alias="list")
    entry_id: int


class Listed(_ListEvent):
    name = "credit.listed"
    ground_code: str
    ground_label: str
    listed_on: dt.date
    basis: str


class Removed(_ListEvent):
    name = "credit.removed"
    removed_on: dt.date
    reason: str


class RepairGranted(EventPayload):
    name = "credit.repair_granted"
    target: str
    ref: str
    granted_on: dt.date


class MeasureAccepted(EventPayload):
    """RULES C1: a measure under 条例 (2024) Art. 18 accepted by staff; case handling takes it up as a clue."""

    name = "credit.measure_accepted"
    proposal_id: int
    kind: str
    label: str
    basis: str
    decided_on: dt.date
