"""Credit through HTTP: the enterprise's annual report, objection and repair pages, staff pages and
API (bad input refused with a code and nothing changed), public publicity — SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from sqlalchemy import func, select

from conftest import login, make_staff
from marketreg.domains.credit.models import AnnualReport, ListEntry, RepairApplication
from marketreg.domains.org import actions as org_actions
from marketreg.domains.org import service as org
from marketreg.platform.audit import AuditEvent
from marketreg.platform.authz import SYSTEM
from marketreg.platform.jobs import Job

from .conftest import penalty

CST = dt.timezone(dt.timedelta(hours=8))
FORM = {"address": "济南市历下区泉城路1号", "phone": "0531-88888888", "operating_status": "开业",
        "item7_headcount": "15", "item7_revenue": "300万元"}


def at(y: int, m: int, d: int):
    return time_machine.travel(dt.datetime(y, m, d, 10, tzinfo=CST), tick=False)


def count(db, model, *where) -> int:
    with db.read() as s:
        return s.scalar(select(func.count()).select_from(model).where(*where))


@pytest.fixture
def firm(db, make_entity):
    """An entity in 历下区 and its enterprise user."""
    entity = make_entity()
    with db.transaction() as s:
        org_actions.do_create_user(s, actor=SYSTEM, username="firm1", password="Firm@2026!", unit_code=None,
                                   display_name=entity.name, roles=[], kind="enterprise", entity_uscc=entity.uscc)
    return entity


def enterprise_login(client) -> str:
    client.cookies.clear()
    response = client.post("/enterprise/login", data={"username": "firm1", "password": "Firm@2026!"},
                           follow_redirects=False)
    assert response.status_code == 303
    with client.app.state.sessions.read() as s:
        return org.session_for_token(s, token=client.cookies.get("mr_session"))[1]


def test_enterprise_files_in_window_item7_private_and_public_page_shows_items_1_to_6(client, db, firm):
    with at(2026, 5, 10):
        csrf = enterprise_login(client)
        page = client.get("/enterprise/credit")
        assert page.status_code == 200 and "2025年度报告" in page.text
        done = client.post("/enterprise/credit/annual-report", data={**FORM, "report_year": "2025", "csrf_token": csrf},
                           follow_redirects=False)
        assert done.status_code == 303
        public = client.get(f"/credit/entities/{firm.uscc}")
    assert "济南市历下区泉城路1号" in public.text and "300万元" not in public.text
    assert firm.legal_rep_name not in public.text  # masked
    api = client.get(f"/api/v1/public/credit/entities/{firm.uscc}").json()
    assert api["annual_reports"][0]["address"] == FORM["address"] and "revenue" not in api["annual_reports"][0]


def test_annual_report_outside_the_window_is_refused_with_its_article(client, db, firm):
    with at(2026, 7, 1):
        csrf = enterprise_login(client)
        refused = client.post("/api/v1/enterprise/credit/annual-reports", headers={"X-CSRF-Token": csrf},
                              json={"report_year": 2025, "public_items": {"address": "x", "operating_status": "开业"}})
    assert refused.status_code == 400
    assert refused.json()["code"] == "credit.report_window_closed" and "第八条" in refused.json()["message"]
    assert count(db, AnnualReport) == 0


def test_sweep_button_runs_a_job_listing_the_missing_report_then_late_report_and_removal(client, db, firm):
    with at(2026, 7, 2):
        csrf = login(client, "lx_registrar")
        response = client.post("/staff/credit/sweep", data={"year": "2025", "csrf_token": csrf},
                               follow_redirects=False)
        assert response.status_code == 303 and "/staff/credit/jobs" in response.headers["location"]
        jobs_page = client.get("/staff/credit/jobs")
    assert "已完成" in jobs_page.text
    with db.read() as s:
        job = s.scalar(select(Job).where(Job.kind == "credit.sweep"))
        entry = s.scalar(select(ListEntry).where(ListEntry.entity_uscc == firm.uscc))
    assert job.status == "succeeded" and job.result["listed"] >= 1 and entry.status == "listed"
    public = client.get(f"/credit/entities/{firm.uscc}").text
    assert "经营异常名录" in public and "未依照规定的期限公示年度报告" in public
    csv = client.get("/credit/lists.csv?list=abnormal")
    assert csv.status_code == 200 and firm.uscc in csv.text
    with at(2026, 9, 1):
        csrf = enterprise_login(client)
        late = client.post("/enterprise/credit/annual-report", data={**FORM, "report_year": "2025", "csrf_token": csrf},
                           follow_redirects=False)
        assert late.status_code == 303
        applied = client.post("/enterprise/credit/repair", data={"target": "abnormal", "ref": str(entry.id),
                                                                 "statement": "已补报", "csrf_token": csrf},
                              follow_redirects=False)
        assert applied.status_code == 303
        with db.read() as s:
            repair = s.scalar(select(RepairApplication))
        csrf = login(client, "lx_registrar")
        granted = client.post(f"/api/v1/credit/repairs/{repair.id}/decision", headers={"X-CSRF-Token": csrf},
                              json={"grant": True, "note": "已补报年度报告"})
    assert granted.status_code == 200 and granted.json()["status"] == "granted"
    public = client.get(f"/credit/entities/{firm.uscc}").text
    assert "移出日期 2026-09-01" in public


def test_objection_after_its_window_is_refused(client, db, firm):
    with at(2026, 7, 2):
        csrf = login(client, "lx_registrar")
        client.post("/staff/credit/sweep", data={"year": "2025", "csrf_token": csrf})
    with db.read() as s:
        entry = s.scalar(select(ListEntry).where(ListEntry.entity_uscc == firm.uscc))
    with at(2026, 8, 10):
        csrf = enterprise_login(client)
        late = client.post("/api/v1/enterprise/credit/objections", headers={"X-CSRF-Token": csrf},
                           json={"entry_id": entry.id, "reason": "已报送"})
    assert late.status_code == 400 and late.json()["code"] == "credit.objection_window_closed"


def test_staff_listing_without_evidence_is_refused_and_changes_nothing(client, db, firm):
    csrf = login(client, "lx_registrar")
    before = count(db, AuditEvent)
    refused = client.post("/api/v1/credit/entries", headers={"X-CSRF-Token": csrf},
                          json={"uscc": firm.uscc, "ground_code": "unreachable", "evidence": "", "reason": "无法联系"})
    assert refused.status_code == 400 and refused.json()["code"] == "credit.evidence_required"
    assert count(db, ListEntry) == 0 and count(db, AuditEvent) == before
    page = client.post("/staff/credit/list", data={"uscc": firm.uscc, "ground_code": "unreachable", "evidence": "",
                                                   "reason": "x", "csrf_token": csrf})
    assert page.status_code == 400 and "列入证据不能为空" in page.text
    listed = client.post("/api/v1/credit/entries", headers={"X-CSRF-Token": csrf},
                         json={"uscc": firm.uscc, "ground_code": "unreachable", "evidence": "挂号信两次退回",
                               "reason": "无法联系"})
    assert listed.status_code == 201 and listed.json()["basis"].endswith("第九条")
    assert len(listed.json()["measures"]) >= 1


def test_repair_that_fails_a_condition_shows_the_article_and_stores_nothing(client, db, firm):
    with db.transaction() as s:
        penalty(s, firm, "济历市监罚〔2026〕9号", decided_on="2026-10-01")
    csrf = enterprise_login(client)
    refused = client.post("/enterprise/credit/repair", data={"target": "penalty_publicity",
                                                             "ref": "济历市监罚〔2026〕9号", "duties_performed": "1",
                                                             "harm_removed": "1", "csrf_token": csrf})
    assert refused.status_code == 400
    assert "credit.repair_too_early" in refused.text and "《市场监督管理信用修复管理办法》第六条" in refused.text
    assert count(db, RepairApplication) == 0


def test_staff_entity_page_dashboard_and_filing_rates(client, db, firm):
    with db.transaction() as s:
        penalty(s, firm, "D-100", serious=True, kinds=("fine", "suspend_licence"))
    # the on-demand classification is a province-wide run: the province starts it (see the test below)
    csrf = login(client, make_staff(db, "sd_registrar", "370000", ["registrar"]))
    assert client.post("/staff/credit/classify", data={"csrf_token": csrf}, follow_redirects=False).status_code == 303
    csrf = login(client, "lx_registrar")
    page = client.get(f"/staff/credit/entities/{firm.uscc}")
    # penalty 10 + heavier penalty 15 + no 2025 annual report 12 = 37 → C (thresholds 5 / 20 / 45)
    assert page.status_code == 200 and "C类" in page.text and "较重行政处罚次数" in page.text
    klass = client.get(f"/api/v1/credit/entities/{firm.uscc}/class").json()
    assert (klass["risk_class"], klass["score"]) == ("C", 37.0) and klass["factors"][0]["points"] == 15.0
    override = client.post(f"/api/v1/credit/entities/{firm.uscc}/class", headers={"X-CSRF-Token": csrf},
                           json={"risk_class": "B", "reason": "已整改到位"})
    assert (override.json()["risk_class"], override.json()["computed_class"]) == ("B", "C")
    board = client.get("/staff/credit/dashboard")
    assert board.status_code == 200 and "chart-class-city" in board.text
    export = client.get("/staff/credit/dashboard.xlsx?table=class_by_city")
    assert export.status_code == 200 and export.content[:2] == b"PK"
    rates = client.get("/api/v1/credit/annual-reports/filing-rates?year=2025").json()
    assert sum(r["due"] for r in rates) >= 1
    timeline = client.get(f"/api/v1/credit/entities/{firm.uscc}/timeline").json()
    assert {line["name"] for line in timeline[:2]} == {"enforcement.penalty_decided", "enforcement.penalty_published"}
    assert re.search(r"class=\"chart\"", client.get("/staff/credit/annual-reports?year=2025").text)


def test_cli_sweep_is_idempotent_and_refuses_before_the_period_ends(tasks_db, firm):
    from typer.testing import CliRunner

    from marketreg.app.cli import app

    runner = CliRunner()
    first = runner.invoke(app, ["credit", "sweep-annual-reports", "--year", "2025", "--today", "2026-07-02"])
    again = runner.invoke(app, ["credit", "sweep-annual-reports", "--year", "2025", "--today", "2026-07-03"])
    assert first.exit_code == 0 and "listing_due_on=2026-07-14" in first.output
    assert int(re.search(r"listed=(\d+)", first.output).group(1)) >= 1
    assert "listed=0\t" in again.output
    early = runner.invoke(app, ["credit", "sweep-annual-reports", "--year", "2026", "--today", "2026-11-01"])
    assert early.exit_code == 1 and "credit.sweep_too_early" in early.output
    assert count(tasks_db, ListEntry, ListEntry.source_ref.like("annual_report:2026:%")) == 0


def test_public_credit_search_and_pages_are_rate_limited(client, monkeypatch, firm):
    from marketreg.platform.settings import get_settings

    found = client.get(f"/credit?q={firm.uscc}")
    assert found.status_code == 200 and f"/credit/entities/{firm.uscc}" in found.text
    assert client.get("/credit?q=x").status_code == 400  # too short: a coded refusal, not a scan
    monkeypatch.setattr(get_settings(), "public_rate_limit", "2/minute")
    codes = [client.get(f"/api/v1/public/credit/entities/{firm.uscc}").status_code for _ in range(3)]
    assert codes == [200, 200, 429]


def test_proposals_from_inspections_and_penalties_are_decided_by_staff(client, db, firm):
    from .conftest import emit

    with db.transaction() as s:
        emit(s, "inspections.result_recorded", firm, batch_no="B2", task_no="T-77", item_code="addr",
             item_name="住所核查", department="市场监管", result_code="unreachable", result_label="无法联系",
             problem=True, unreachable=True, inspected_on="2026-10-12")
        penalty(s, firm, "D-55", serious=True, kinds=("fine", "revoke_licence"), violation_type="pyramid_selling",
                label="组织策划传销")
    csrf = login(client, "lx_registrar")
    page = client.get("/staff/credit?status=proposed")
    assert "通过登记的住所或者经营场所无法联系" in page.text and "破坏公平竞争秩序" in page.text
    with db.read() as s:
        proposals = {e.list_type: e.id for e in s.scalars(select(ListEntry).where(ListEntry.status == "proposed"))}
    refused = client.post(f"/api/v1/credit/entries/{proposals['abnormal']}/decision",
                          headers={"X-CSRF-Token": csrf}, json={"approve": True, "reason": ""})
    assert refused.status_code == 400 and refused.json()["code"] == "credit.reason_required"
    listed = client.post(f"/staff/credit/entries/{proposals['abnormal']}/decide",
                         data={"approve": "1", "reason": "两次挂号信退回", "csrf_token": csrf}, follow_redirects=False)
    assert listed.status_code == 303
    serious = client.post(f"/api/v1/credit/entries/{proposals['serious']}/decision", headers={"X-CSRF-Token": csrf},
                          json={"approve": True, "reason": "情节严重", "consent_ref": "济市监函〔2026〕8号"}).json()
    assert (serious["status"], serious["ground_code"], serious["basis"]) == (
        "listed", "fair_competition", "《市场监督管理严重违法失信名单管理办法》第九条")
    assert any("法定代表人" in m["measure"] for m in serious["measures"])
    public = client.get(f"/api/v1/public/credit/entities/{firm.uscc}").json()
    assert {e["list_type"] for e in public["entries"]} == {"abnormal", "serious"}
    assert all(e["measures"] == [] for e in public["entries"])
    listed_on = dt.date.fromisoformat(serious["listed_on"])
    with at(listed_on.year + 3, listed_on.month, 1):  # within 90 days of the 3-year removal (and the transfer)
        login(client, "lx_registrar")  # the sign-in of three years ago has expired
        deadlines = client.get("/staff/credit/dashboard.xlsx?table=deadlines&fmt=csv").content.decode("utf-8-sig")
    assert f"严重违法失信名单期满移出,{serious['removal_due_on']}" in deadlines
    assert "列入满三年转入严重违法失信名单" in deadlines
    dist = client.get("/api/v1/credit/risk-classes/distribution")
    assert dist.status_code == 200 and set(dist.json()) == {"total", "by_city", "by_industry"}


def test_daily_periodic_sweep_lists_in_chunks_and_catches_up(tasks_db, firm):
    from marketreg.domains.credit import tasks

    with at(2026, 7, 3):
        first = tasks.sweep_daily.call_local()
        again = tasks.sweep_daily.call_local()
    assert first["listed"] >= 1 and again["listed"] == 0
    assert count(tasks_db, ListEntry, ListEntry.entity_uscc == firm.uscc, ListEntry.status == "listed") == 1


def test_markup_in_an_annual_report_is_refused_alike_by_the_public_api_and_the_page(client, db, firm):
    with at(2026, 5, 10):
        csrf = enterprise_login(client)
        items = {"address": "济南市<script>alert(1)</script>", "operating_status": "开业"}
        api = client.post("/api/v1/enterprise/credit/annual-reports", headers={"X-CSRF-Token": csrf},
                          json={"report_year": 2025, "public_items": items})
        page = client.post("/enterprise/credit/annual-report", data={
            **FORM, "websites": '<img src=x onerror="alert(1)">', "report_year": "2025", "csrf_token": csrf})
    assert (api.status_code, api.json()["code"]) == (400, "credit.markup_not_allowed")
    assert "企业通信地址" in api.json()["message"]
    assert page.status_code == 400 and 'data-code="credit.markup_not_allowed"' in page.text
    assert "<img src=x" not in page.text
    assert count(db, AnnualReport) == 0
