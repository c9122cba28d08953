"""Working-day calendar: RULES 0.1–0.3 (行政处罚法 Art. 85; 程序规定 Arts. 80, 84; Order 121 Art. 45)."""

from __future__ import annotations

import datetime as dt

import pytest

from marketreg.kernel.errors import DomainError
from marketreg.platform.calendar import WorkCalendar, import_arrangement, load_calendar, parse_arrangement

D = dt.date
CAL = WorkCalendar()


def test_rule_0_3_start_day_is_not_counted():
    # Monday 2025-11-03 + 1 working day = Tuesday, not Monday itself.
    assert CAL.add_workdays(D(2025, 11, 3), 1).due_on == D(2025, 11, 4)
    assert CAL.add_workdays(D(2025, 11, 3), 0).due_on == D(2025, 11, 3)


def test_rule_0_1_working_days_skip_statutory_holidays():
    # 2025 National Day + Mid-Autumn: 10-01..10-08 off (国办发明电〔2024〕12号).
    assert CAL.add_workdays(D(2025, 9, 30), 1).due_on == D(2025, 10, 9)


def test_rule_0_2_make_up_working_days_count():
    # Sunday 2025-09-28 is a make-up working day (调休上班).
    assert CAL.add_workdays(D(2025, 9, 26), 1).due_on == D(2025, 9, 28)


def test_rule_1_1_seven_working_days_across_spring_festival():
    # 2026 Spring Festival: 02-15..02-23 off; 02-14 (Sat) and 02-28 (Sat) are working days.
    due = CAL.add_workdays(D(2026, 2, 12), 7)
    assert due.due_on == D(2026, 2, 28)  # 13, 14, 24, 25, 26, 27, 28
    assert not due.provisional


def test_rule_0_3_calendar_day_period_ending_on_holiday_moves_to_next_working_day():
    assert CAL.add_days(D(2025, 9, 25), 7).due_on == D(2025, 10, 9)
    assert CAL.add_days(D(2025, 11, 3), 3).due_on == D(2025, 11, 6)


def test_year_without_official_arrangement_is_provisional():
    due = CAL.add_workdays(D(2026, 12, 30), 5)
    assert due.provisional
    assert due.due_on == D(2027, 1, 6)  # weekends only: 12-31, 01-01, 01-04, 01-05, 01-06


def test_staff_override_takes_precedence():
    cal = WorkCalendar({D(2027, 1, 1): False, D(2027, 1, 4): False}, {2027})
    due = cal.add_workdays(D(2026, 12, 30), 3)
    assert due.due_on == D(2027, 1, 6)
    assert not due.provisional
    assert cal.version != CAL.version


def test_parse_arrangement_rejects_bad_input():
    with pytest.raises(DomainError) as bad_header:
        parse_arrangement("day,kind\n2027-01-01,holiday\n")
    assert bad_header.value.code == "calendar.bad_header"
    with pytest.raises(DomainError) as bad_date:
        parse_arrangement("date,type\n2027-01-01,holiday\n2027-13-01,holiday\n")
    assert bad_date.value.code == "calendar.bad_date" and bad_date.value.details["line"] == 3
    with pytest.raises(DomainError) as two_years:
        parse_arrangement("date,type\n2027-01-01,holiday\n2028-01-01,holiday\n")
    assert two_years.value.code == "calendar.one_year"


ARRANGEMENT_2027 = """date,type,name
2027-01-01,holiday,元旦
2027-02-06,holiday,春节
2027-02-07,holiday,春节
2027-02-08,holiday,春节
2027-02-09,holiday,春节
2027-02-10,holiday,春节
2027-02-11,holiday,春节
2027-02-12,holiday,春节
2027-02-13,holiday,春节
2027-02-20,workday,春节调休
"""


def test_imported_year_is_official_and_replaces_earlier_overrides(session):
    import_arrangement(session, text=ARRANGEMENT_2027, source="test", by="tester")
    cal = load_calendar(session)
    assert cal.is_official(2027)
    due = cal.add_workdays(D(2027, 2, 5), 2)
    assert due.due_on == D(2027, 2, 16) and not due.provisional
    assert cal.is_workday(D(2027, 2, 20))
    year, days = import_arrangement(session, text="date,type\n2027-05-03,holiday\n", source="t2", by="tester")
    cal = load_calendar(session)
    assert (year, days) == (2027, 1)
    assert cal.is_workday(D(2027, 2, 8)) and not cal.is_workday(D(2027, 5, 3))


def test_provisional_deadline_raises_dashboard_alert_and_import_resolves_it(session):
    from marketreg.domains.sysadmin.actions import do_import_arrangement, note_provisional
    from marketreg.platform.alerts import Alert, open_alerts
    from marketreg.platform.authz import SYSTEM

    cal = load_calendar(session)
    due = cal.add_workdays(D(2026, 12, 30), 5)
    note_provisional(session, due=due, start=D(2026, 12, 30))
    assert any(a.key == "calendar.provisional.2027" for a in open_alerts(session, actor=SYSTEM))
    do_import_arrangement(session, actor=SYSTEM, text=ARRANGEMENT_2027, source="国办发明电")
    session.flush()
    assert session.query(Alert).filter_by(key="calendar.provisional.2027").one().resolved_at is not None
