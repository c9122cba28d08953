"""The events the enforcement domain publishes (one typed payload each); subject: the respondent."""

from __future__ import annotations

import datetime as dt

from marketreg.platform.events import EventPayload


class CaseFiled(EventPayload):
    name = "enforcement.case_filed"
    case_no: str
    filed_on: dt.date
    violation_type: str
    violation_label: str


class PenaltyDecided(EventPayload):
    """``serious_candidate``: the officer's finding that the facts may meet the serious-list criteria."""

    name = "enforcement.penalty_decided"
    case_no: str
    decision_no: str
    decided_on: dt.date
    organ_name: str
    violation_type: str
    violation_label: str
    penalty_kinds: list[str]
    fine_amount: str
    confiscated_amount: str
    legal_basis: str
    simplified: bool
    publicity: bool
    publicity_period: str | None
    publicity_until: dt.date | None
    serious_candidate: bool


class CaseClosed(EventPayload):
    name = "enforcement.case_closed"
    case_no: str
    closed_on: dt.date
    outcome: str


class PenaltyPublished(EventPayload):
    name = "enforcement.penalty_published"
    case_no: str
    decision_no: str
    published_on: dt.date
    publicity_until: dt.date


class PenaltyPublicityEnded(EventPayload):
    name = "enforcement.penalty_publicity_ended"
    decision_no: str
    ended_on: dt.date
    reason: str
