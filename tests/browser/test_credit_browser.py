"""Credit in headless Chromium against a live server, on SQLite and PostgreSQL: an enterprise that
missed its annual report is listed by the staff sweep (job with progress), files late, applies
for removal and leaves the list once staff grant it — the public credit page shows each step; a
penalty-publicity repair that fails a condition is refused with its article shown."""

from __future__ import annotations

import datetime as dt
import re
import secrets

import pytest
from sqlalchemy import select

from marketreg.analytics.marts import rebuild_entity_counts
from marketreg.domains.credit.models import ListEntry
from marketreg.domains.enforcement.events import PenaltyDecided, PenaltyPublished
from marketreg.domains.org import actions as org_actions
from marketreg.domains.reference import service as reference
from marketreg.domains.registry import seed as registry_seed
from marketreg.domains.registry.models import Entity
from marketreg.kernel import clock
from marketreg.platform.authz import SYSTEM
from marketreg.platform.db import Sessions
from marketreg.platform.events import publish

pytestmark = pytest.mark.browser


def _firm(live_server) -> tuple[Entity, str, str]:
    """A 历下区 enterprise set up in 2020 without its 2025 report, and its enterprise user."""
    suffix = secrets.token_hex(3)
    username, password = f"credit_{suffix}", "Credit@2026!x"
    with Sessions(live_server.engine).transaction() as s:
        county = next(registry_seed.County(*r) for r in reference.county_rows(s) if r[0] == "370102")
        industries = reference.industry_leaves_by_section(s)
        row = next(registry_seed.generate_entities(1, counties=[county], industries=industries, seed=5,
                                                   start=30_000_000 + int(suffix, 16)))
        row.update({"entity_type": "enterprise", "status": "active", "established_on": dt.date(2020, 3, 1),
                    "created_at": clock.now(), "updated_at": clock.now()})
        s.execute(Entity.__table__.insert(), [row])
        org_actions.do_create_user(s, actor=SYSTEM, username=username, password=password, unit_code=None,
                                   display_name=row["name"], roles=[], kind="enterprise", entity_uscc=row["uscc"])
        entity = s.scalar(select(Entity).where(Entity.uscc == row["uscc"]))
        s.expunge(entity)
    with Sessions(live_server.engine).transaction() as s:
        rebuild_entity_counts(s)  # the shared live server's dashboard counts every entity
    return entity, username, password


def _enterprise_login(page, username: str, password: str) -> None:
    page.goto("/enterprise/credit")
    page.wait_for_url(re.compile(r"/enterprise/login"))
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.click("form[action='/enterprise/login'] button[type=submit]")
    page.wait_for_url("**/enterprise/credit")


def test_missed_report_listed_by_sweep_filed_late_and_removed(live_server, page, open_page, login, screenshots):
    entity, username, password = _firm(live_server)
    year = clock.today().year - 1 if clock.today() > dt.date(clock.today().year, 6, 30) else clock.today().year - 2

    login(page, "lx_registrar")
    page.goto("/staff/credit")
    page.fill("#sweep-form input[name=year]", str(year))
    with page.expect_navigation(timeout=60_000):  # the sweep runs inline (immediate task backend)
        page.click("#sweep-form button[type=submit]", no_wait_after=True)
    assert "/staff/credit/jobs" in page.url
    job = page.locator("[id^=job-]").first
    assert job.get_attribute("data-status") == "succeeded" and "新列入" in job.inner_text()

    public = open_page(viewport={"width": 1280, "height": 900})
    public.goto(f"/credit?q={entity.uscc}")
    with public.expect_navigation():
        public.locator("#results a").first.click()
    listed = public.locator("#lists .item").first
    assert listed.get_attribute("data-status") == "listed" and "未依照规定的期限公示年度报告" in listed.inner_text()
    public.screenshot(path=screenshots / f"credit-listed-{live_server.backend}.png", full_page=True)

    enterprise = open_page(viewport={"width": 1280, "height": 900})
    _enterprise_login(enterprise, username, password)
    form = enterprise.locator("#report-form")
    form.locator("select[name=report_year]").select_option(str(year))
    form.locator("input[name=address]").fill("济南市历下区泉城路188号")
    form.locator("select[name=operating_status]").select_option("开业")  # item 16: status from the list
    form.locator("input[name=postcode]").fill("2500")
    form.locator("input[name=item7_revenue]").fill("120万元")
    with enterprise.expect_navigation():
        form.locator("button[type=submit]").click()
    # item 16: checked field by field, the message by the field, what was entered kept
    assert "邮政编码应为6位数字" in enterprise.locator("[data-error-for=postcode]").inner_text()
    form = enterprise.locator("#report-form")
    assert form.locator("input[name=address]").input_value() == "济南市历下区泉城路188号"
    form.locator("select[name=report_year]").select_option(str(year))
    form.locator("input[name=postcode]").fill("250014")
    with enterprise.expect_navigation():
        form.locator("button[type=submit]").click()
    assert "年度报告已提交" in enterprise.locator("#done").inner_text()
    entry = enterprise.locator("#entries .item[data-status=listed]")
    entry.locator("input[name=statement]").fill("已补报年度报告")
    with enterprise.expect_navigation():
        entry.locator("button", has_text="申请移出").click()
    assert "信用修复申请已受理" in enterprise.locator("#done").inner_text()
    assert "已受理" in enterprise.locator("#repairs").inner_text()

    page.goto("/staff/credit")
    row = page.locator("#repairs tr", has_text=entity.uscc)
    row.locator("input[name=note]").fill("已补报年度报告，准予移出")
    with page.expect_navigation():
        row.locator("button", has_text="准予修复").click()
    with live_server.engine.connect() as conn:
        status = conn.execute(select(ListEntry.status).where(ListEntry.entity_uscc == entity.uscc)).scalar_one()
    assert status == "removed"

    public.reload()
    removed = public.locator("#lists .item").first
    assert removed.get_attribute("data-status") == "removed" and "移出日期" in removed.inner_text()
    public.locator("#reports summary").first.click()
    assert "逾期补报" in public.locator("#reports summary").first.inner_text()
    assert "济南市历下区泉城路188号" in public.locator("#reports").inner_text()
    assert "120万元" not in public.locator("#reports").inner_text()  # item 7 not chosen for publication
    public.screenshot(path=screenshots / f"credit-removed-{live_server.backend}.png", full_page=True)


def test_classification_job_and_dashboard_charts(live_server, page, login, screenshots):
    login(page, "sd_admin")  # the on-demand classification is a province-wide run: the province starts it
    page.goto("/staff/credit/dashboard")
    with page.expect_navigation(timeout=60_000):
        page.click("form[action='/staff/credit/classify'] button", no_wait_after=True)
    job = page.locator("[id^=job-]").first
    assert job.get_attribute("data-status") == "succeeded" and "A类" in job.inner_text()
    page.context.clear_cookies()
    login(page, "jn_registrar")  # a city sees its own classes, and no button to reclassify the province
    page.goto("/staff/credit/dashboard")
    assert page.locator("form[action='/staff/credit/classify']").count() == 0
    charts = page.locator(".chart")
    assert charts.count() == 4
    for chart in charts.all():
        chart.locator("svg").first.wait_for()
        assert chart.locator("svg path").count() > 0
    assert "济南" in page.locator("table[data-table=class_by_city]").inner_text()
    assert "青岛" not in page.locator("table[data-table=class_by_city]").inner_text()  # scoped to the city
    page.screenshot(path=screenshots / f"credit-dashboard-{live_server.backend}.png", full_page=True)


def test_penalty_repair_failing_a_condition_is_refused_with_the_article(live_server, open_page, screenshots):
    entity, username, password = _firm(live_server)
    decision = f"济历市监罚〔2026〕{secrets.randbelow(9000) + 1000}号"
    with Sessions(live_server.engine).transaction() as s:
        publish(s, PenaltyDecided(
            case_no="C-1", decision_no=decision, decided_on=clock.today(), organ_name="历下区市场监督管理局",
            violation_type="price", violation_label="价格违法", penalty_kinds=["fine"], fine_amount="50000.00",
            confiscated_amount="0", legal_basis="《价格法》第四十条", simplified=False, publicity=True,
            publicity_period="3y", publicity_until=None, serious_candidate=False),
            subject_type="market_entity", subject_key=entity.uscc, org_path=entity.org_path)
        publish(s, PenaltyPublished(case_no="C-1", decision_no=decision, published_on=clock.today(),
                                    publicity_until=clock.today().replace(year=clock.today().year + 3)),
                subject_type="market_entity", subject_key=entity.uscc, org_path=entity.org_path)
    enterprise = open_page(viewport={"width": 1280, "height": 900})
    _enterprise_login(enterprise, username, password)
    item = enterprise.locator(f"#penalties .item[data-ref='{decision}']")
    item.locator("input[name=duties_performed]").check()
    item.locator("input[name=harm_removed]").check()
    with enterprise.expect_navigation():
        item.locator("button[type=submit]").click()
    body = enterprise.locator("body").inner_text()
    assert "不符合信用修复条件" in body and "《市场监督管理信用修复管理办法》第六条" in body
    assert "credit.repair_too_early" in enterprise.content()
    enterprise.screenshot(path=screenshots / f"credit-repair-refused-{live_server.backend}.png", full_page=True)
