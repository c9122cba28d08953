"""Enforcement in headless Chromium against a live server, on SQLite and PostgreSQL: a report's
clue becomes a case, passes the prior notice with the hearing-rights notice, is decided and
published; the public sees the penalty; a police user sees only the case transferred to them."""

from __future__ import annotations

import re
import secrets

import pytest
from sqlalchemy import select

from marketreg.domains.enforcement import actions
from marketreg.domains.enforcement.models import Benchmark, Case
from marketreg.domains.enforcement.schemas import ClueIn, FilingIn, TransferIn
from marketreg.domains.org import service as org
from marketreg.platform.db import Sessions

pytestmark = pytest.mark.browser
RESPONDENT = "济南泉城演示食品超市"


def _report(page) -> str:
    body = {"kind": "report", "anonymous": True, "respondent_name": RESPONDENT,
            "respondent_address": "济南市历下区泉城路1号", "title": "销售过期食品",
            "facts": "该超市货架上的牛奶已超过保质期仍在销售。"}
    response = page.request.post("/api/v1/public/complaints", data=body,
                                 headers={"Idempotency-Key": secrets.token_hex(8)})
    assert response.status == 201, response.text()
    return response.json()["items"][0]["query_code"]


def _submit(page, step: str) -> None:
    with page.expect_navigation():
        page.click(f"form[data-step={step}] button[type=submit]")
    assert page.locator(".alert-error").count() == 0, page.locator(".alert-error").inner_text()


def test_report_clue_becomes_a_case_is_decided_and_published(live_server, open_page, login, screenshots):
    inspector, leader, public = open_page(), open_page(), open_page()
    code = _report(public)
    login(inspector, "lx_inspector")
    inspector.goto("/staff/enforcement/clues")
    with inspector.expect_navigation():
        inspector.click(f"tr[data-source-ref='report:{code}'] a")
    for condition in ("evidence", "penalty_due", "jurisdiction", "limitation"):
        inspector.check(f"#file input[name=conditions][value={condition}]")
    inspector.select_option("#file select[name=violation_type]", "food_expired")
    inspector.check("#file input[name=officers][value=lx_inspector]")
    inspector.check("#file input[name=officers][value=lx_officer]")
    with inspector.expect_navigation():
        inspector.click("#file button[type=submit]")
    assert re.search(r"/staff/enforcement/cases/\d+$", inspector.url), inspector.url
    case_url = inspector.url.replace(live_server.base_url, "")
    assert inspector.locator("[data-field=status]").inner_text() == "调查取证"
    _submit(inspector, "end_investigation")

    login(leader, "sd_leader")
    leader.goto(case_url)
    _submit(leader, "complete_review")

    inspector.goto(case_url)
    inspector.fill("form[data-step=serve_notice] input[name=fine]", "150000")
    _submit(inspector, "serve_notice")
    assert inspector.locator("#documents li[data-kind=hearing_notice]").count() == 1
    assert inspector.locator("[data-field=hearing_request_due_on]").is_visible()
    inspector.fill("form[data-step=record_statement] textarea[name=note]", "当事人表示放弃听证，请求从轻处罚")
    _submit(inspector, "record_statement")

    with live_server.engine.connect() as conn:
        bench = conn.execute(select(Benchmark.id).where(Benchmark.violation_type == "food_expired",
                                                        Benchmark.circumstance == "heavier")).scalar_one()
    leader.goto(case_url)
    assert "80000.00–150000.00" in leader.locator("#ranges").inner_text()
    leader.select_option("form[data-step=decide] select[name=benchmark_id]", str(bench))
    _submit(leader, "decide")
    decision_no = leader.locator("[data-field=decision_no]").inner_text()
    assert decision_no.startswith("历下市监处罚〔")

    inspector.goto(case_url)
    _submit(inspector, "deliver")
    _submit(inspector, "publish")
    assert inspector.locator("[data-field=published]").is_visible()
    inspector.screenshot(path=str(screenshots / f"enforcement-case-{live_server.backend}.png"), full_page=True)

    public.goto("/penalties")
    public.fill("input[name=q]", RESPONDENT)
    with public.expect_navigation():
        public.click("form.search button[type=submit]")
    row = public.locator(f"tr[data-decision-no='{decision_no}']")
    assert row.count() == 1 and "150000" in row.inner_text().replace(",", "")


def test_police_user_sees_only_the_case_transferred_to_them(live_server, open_page, login):
    sessions = Sessions(live_server.engine)
    with sessions.transaction() as s:
        actor = org.actor_for(s, user=org.get_user_by_username(s, username="lx_inspector"))
        numbers = []
        for name in ("移送演示公司", "未移送演示公司"):
            clue = actions.do_register_clue(s, actor=actor, data=ClueIn(
                source="assignment", source_ref=f"assignment:{secrets.token_hex(4)}", respondent_name=name,
                summary="上级交办"))
            case = actions.do_file_case(s, actor=actor, clue_id=clue.id, data=FilingIn(
                conditions=["evidence", "penalty_due", "jurisdiction", "limitation"],
                officers=["lx_inspector", "lx_officer"], violation_type="trademark"))
            numbers.append(case.case_no)
        sent = s.scalar(select(Case).where(Case.case_no == numbers[0]))
        actions.do_transfer(s, actor=actor, case_id=sent.id,
                            data=TransferIn(target_code="GA370100", reason="涉嫌假冒注册商标罪"))
    page = open_page()
    login(page, "jn_police")
    page.goto("/staff/enforcement/police")
    rows = page.locator("#transfers tbody tr[data-case-no]")
    shown = {rows.nth(i).get_attribute("data-case-no") for i in range(rows.count())}
    assert numbers[0] in shown and numbers[1] not in shown
    with page.expect_navigation():
        page.click(f"tr[data-case-no='{numbers[0]}'] form[action$='/receive'] button")
    assert page.locator(f"tr[data-case-no='{numbers[0]}'] form[action$='/receive']").count() == 0
    response = page.request.get(f"/staff/enforcement/cases/{sent.id}", max_redirects=0)
    assert response.status == 403
