"""The events the complaints domain publishes (one typed payload each); subject: the respondent."""

from __future__ import annotations

import datetime as dt

from marketreg.platform.events import EventPayload


class ItemEvent(EventPayload):
    """What every complaints event says about its item."""

    item_id: int
    query_code: str
    kind: str
    respondent_uscc: str | None
    respondent_name: str


class ItemReceived(ItemEvent):
    name = "complaints.item_received"


class ItemClosed(ItemEvent):
    name = "complaints.item_closed"
    outcome: str
    ground: str | None = None


class ClueRaised(ItemEvent):
    """A report, or a complaint found in mediation, points at a violation (a clue for enforcement)."""

    name = "complaints.clue_raised"
    source: str
    received_on: dt.date
    summary: str


class PoliceTransfer(ItemEvent):
    name = "complaints.police_transfer"
    note: str


class ReportDecided(ItemEvent):
    name = "complaints.report_decided"
    filed: bool


class ItemReopened(ItemEvent):
    name = "complaints.item_reopened"
