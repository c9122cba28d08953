"""Sysadmin pages: staff edit the work calendar (audited), verify the audit chain."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from conftest import login
from marketreg.platform.audit import AuditEvent
from marketreg.platform.calendar import CalendarOverride, load_calendar


def _count(db, model):
    with db.read() as s:
        return s.scalar(select(func.count()).select_from(model))


def test_staff_add_and_remove_a_calendar_override(client, db):
    csrf = login(client, "sd_sysadmin")
    response = client.post("/staff/sysadmin/calendar/overrides",
                           data={"csrf_token": csrf, "day": "2027-10-01", "kind": "holiday", "name": "国庆节"},
                           follow_redirects=False)
    assert response.status_code == 303
    page = client.get("/staff/sysadmin/calendar?year=2027")
    assert "2027-10-01" in page.text and "国庆节" in page.text
    with db.read() as s:
        assert not load_calendar(s).is_workday(dt.date(2027, 10, 1))
        assert s.scalar(select(AuditEvent.action).order_by(AuditEvent.seq.desc())) == "calendar.override_set"
    client.post("/staff/sysadmin/calendar/overrides/2027-10-01/delete", data={"csrf_token": csrf})
    with db.read() as s:
        assert load_calendar(s).is_workday(dt.date(2027, 10, 1))


def test_bad_override_is_refused_and_changes_nothing(client, db):
    csrf = login(client, "sd_sysadmin")
    before = _count(db, CalendarOverride), _count(db, AuditEvent)
    response = client.post("/staff/sysadmin/calendar/overrides",
                           data={"csrf_token": csrf, "day": "2027-02-30", "kind": "holiday"})
    assert response.status_code == 400 and "日期格式" in response.text
    assert (_count(db, CalendarOverride), _count(db, AuditEvent)) == before


def test_import_a_year_from_the_page(client, db):
    csrf = login(client, "sd_sysadmin")
    body = "date,type,name\n2027-01-01,holiday,元旦\n2027-02-20,workday,调休\n".encode()
    response = client.post("/staff/sysadmin/calendar/import", data={"csrf_token": csrf, "source": "测试通知"},
                           files={"file": ("2027.csv", body, "text/csv")}, follow_redirects=False)
    assert response.status_code == 303
    page = client.get("/staff/sysadmin/calendar?year=2027")
    assert "已导入官方安排" in page.text


def test_audit_page_verifies_the_chain(client):
    csrf = login(client, "sd_sysadmin")
    page = client.post("/staff/sysadmin/audit/verify", data={"csrf_token": csrf})
    assert page.status_code == 200 and "校验通过" in page.text


def test_missing_next_year_calendar_raises_an_alert_in_december(tasks_db):
    db = tasks_db
    from marketreg.domains.sysadmin.tasks import check_calendar_coverage
    from marketreg.platform.alerts import open_alerts
    from marketreg.platform.authz import SYSTEM

    assert check_calendar_coverage(dt.date(2025, 12, 1)) is True  # 2026 ships with chinese-calendar
    assert check_calendar_coverage(dt.date(2026, 11, 2)) is False
    with db.read() as s:
        assert not [a for a in open_alerts(s, actor=SYSTEM) if a.key == "calendar.provisional.2027"]
    check_calendar_coverage(dt.date(2026, 12, 1))
    with db.read() as s:
        assert [a for a in open_alerts(s, actor=SYSTEM) if a.key == "calendar.provisional.2027"]
