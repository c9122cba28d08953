"""Statutory rules of clue handling (市场监督管理行政处罚程序规定, 2022 text)."""

from __future__ import annotations

import datetime as dt

from marketreg.platform.calendar import DueDate, WorkCalendar

# RULES 2.1 (程序规定 Art. 18, CONFIRMED): check a clue within 15 working days of finding it
# or receiving the material; +15 working days in special cases with the head's approval;
# testing, inspection, appraisal time not counted.
CLUE_CHECK_WORKDAYS = 15
CLUE_CHECK_EXTENSION_WORKDAYS = 15
CLUE_CHECK_BASIS = "市场监督管理行政处罚程序规定第十八条"


def clue_check_due(calendar: WorkCalendar, received_on: dt.date, *, extended: bool = False) -> DueDate:
    days = CLUE_CHECK_WORKDAYS + (CLUE_CHECK_EXTENSION_WORKDAYS if extended else 0)
    return calendar.add_workdays(received_on, days)
