"""The events the inspections domain publishes (one typed payload each); subject: the entity."""

from __future__ import annotations

import datetime as dt

from marketreg.platform.events import EventPayload


class ResultRecorded(EventPayload):
    name = "inspections.result_recorded"
    batch_no: str
    task_no: str
    item_code: str
    item_name: str
    department: str
    result_code: str
    result_label: str
    problem: bool
    unreachable: bool
    inspected_on: dt.date


class ResultPublished(EventPayload):
    name = "inspections.result_published"
    batch_no: str
    task_no: str
    published_on: dt.date
