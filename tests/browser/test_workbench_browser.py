"""工作台 in real Chromium: a county handler who also inspects signs in and sees a complaint, a clue
and an inspection task on one list, nearest deadline first, with the overdue and due-soon marks."""

from __future__ import annotations

import pytest

from marketreg.app import demo
from marketreg.domains.inspections import seed as inspections_seed
from marketreg.domains.org import actions as org_actions
from marketreg.domains.org import service as org
from marketreg.platform.authz import SYSTEM
from marketreg.platform.db import Sessions

pytestmark = pytest.mark.browser
USERNAME = "lx_zonghe"  # a county 综合执法 officer: 12315 handling and inspections


@pytest.fixture(scope="module")
def work(live_server):
    sessions = Sessions(live_server.engine)
    demo.seed_workbench(sessions)
    with sessions.transaction() as session:
        if org.get_user_by_username(session, username=USERNAME) is None:
            org_actions.do_create_user(session, actor=SYSTEM, username=USERNAME, password=demo.DEMO_PASSWORD,
                                       display_name="历下区局综合执法员", unit_code="370102",
                                       roles=["handler", "inspector"])
        inspections_seed.load_items(session)
        inspections_seed.register_inspectors(session)
        inspections_seed.demo_batch(session, inspections_seed.DemoBatch(
            "lx_registrar", "工作台浏览器测试批次", ["XY-001"], 2, 0), seed=3, execute=False)


def test_county_handler_sees_complaint_clue_and_inspection_task_by_deadline(live_server, work, page, login,
                                                                          screenshots):
    login(page, USERNAME)
    rows = page.locator("#work-items tbody tr")
    kinds = rows.evaluate_all("rows => rows.map(r => r.dataset.kind)")
    assert {"complaints.item", "complaints.supervision", "enforcement.clue", "inspections.task"} <= set(kinds)
    dues = [d for d in rows.evaluate_all("rows => rows.map(r => r.dataset.due)") if d]
    assert dues == sorted(dues)
    overdue = page.locator("#work-items tr[data-mark='overdue'][data-kind='complaints.item']").first
    assert "已超期" in overdue.inner_text()
    soon = page.locator("#work-items tr[data-mark='soon'][data-kind='enforcement.clue']").first
    assert "即将到期" in soon.inner_text()
    assert page.locator("#work-items tr[data-kind='complaints.supervision']").first.is_visible()
    page.screenshot(path=str(screenshots / "workbench.png"), full_page=True)

    with page.expect_navigation():
        page.click("#work-counts a[data-kind='enforcement.clue']")
    kinds = page.locator("#work-items tbody tr").evaluate_all("rows => rows.map(r => r.dataset.kind)")
    assert kinds and set(kinds) == {"enforcement.clue"}

    with page.expect_navigation():
        overdue_link = "#work-items tr[data-kind='enforcement.clue'] a"
        page.click(overdue_link)
    assert "/staff/enforcement/clues/" in page.url
