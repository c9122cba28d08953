"""双随机、一公开 in headless Chromium against a live server, on SQLite and on PostgreSQL: a county
registrar creates a plan and a batch, publishes the commitment, draws and publishes the seed; an
inspector records the on-site result; the registrar publishes it; the public sees the result and
downloads the draw record, which the verifier re-runs to the identical result."""

from __future__ import annotations

import json
import re

import pytest
from typer.testing import CliRunner

from marketreg.app.cli import app as cli_app
from marketreg.domains.inspections import draw, seed
from marketreg.platform.db import Sessions

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def inspection_setup(live_server):
    """The item list and the demo inspectors in the live server's database."""
    with Sessions(live_server.engine).transaction() as session:
        seed.load_items(session)
        seed.register_inspectors(session)


def test_county_draws_inspector_records_public_verifies(live_server, inspection_setup, open_page, login, menu,
                                                       screenshots, tmp_path):
    staff = open_page(viewport={"width": 1366, "height": 900})
    login(staff, "lx_registrar")
    menu(staff, "/staff/inspections")
    staff.wait_for_url("**/staff/inspections")
    with staff.expect_navigation():
        staff.click("#new-plan button[type=submit]")
    assert re.search(r"/staff/inspections/plans/\d+$", staff.url)
    plan_url = staff.url

    form = staff.locator("#new-batch")
    form.locator("input[name=title]").fill("历下区企业公示信息抽查（浏览器测试）")
    form.locator("input[name=item_codes][value='XY-001']").check()
    form.locator("input[name=size]").fill("3")
    with staff.expect_navigation():
        form.locator("button[type=submit]").click()
    assert re.search(r"/staff/inspections/batches/\d+$", staff.url)
    batch_url = staff.url
    assert staff.locator("#batch").get_attribute("data-status") == "draft"
    staff.goto(plan_url)  # only a plan filed with the next level up can be drawn (issue 11 item 17)
    with staff.expect_navigation():
        staff.click("#file-plan")
    assert staff.locator("#filed").is_visible()
    staff.goto(batch_url)

    with staff.expect_navigation():
        staff.click("#commit")
    commitment = staff.locator("#commitment").inner_text().strip()
    assert re.fullmatch(r"[0-9a-f]{64}", commitment)
    with staff.expect_navigation():
        staff.click("#draw")
    assert staff.locator("#tasks tbody tr").count() == 3
    with staff.expect_navigation():
        staff.click("#publish-seed")
    seed_hex = staff.locator("#seed").inner_text().strip()
    batch_no = re.search(r"批次 (\S+)", staff.locator("#batch").inner_text()).group(1)
    staff.screenshot(path=screenshots / f"inspections-batch-{live_server.backend}.png", full_page=True)

    inspector = open_page(viewport={"width": 1366, "height": 900})
    login(inspector, "lx_inspector")
    menu(inspector, "/staff/inspections/tasks")
    inspector.wait_for_url("**/staff/inspections/tasks")
    row = inspector.locator("#queue tbody tr", has_text=batch_no.split("-")[0]).first
    task_no = row.locator("a").inner_text().strip()
    with inspector.expect_navigation():
        row.locator("a").click()
    record = inspector.locator("#record-form")
    record.locator("select[name='result_XY-001']").select_option("not_publicised")
    record.locator("textarea[name='note_XY-001']").fill("年报未公示社保信息")
    with inspector.expect_navigation():
        record.locator("button[type=submit]").click()
    assert inspector.locator("#task").get_attribute("data-status") == "recorded"
    assert "未按规定公示应当公示的信息" in inspector.locator("#results").inner_text()

    menu(staff, "/staff/inspections/publication")
    staff.wait_for_url("**/staff/inspections/publication")
    staff.locator(f"#tracker tr:has-text('{task_no}') input[type=checkbox]").check()
    with staff.expect_navigation():
        staff.click("#publish")
    assert task_no not in staff.locator("#tracker").inner_text()

    public = open_page(viewport={"width": 1366, "height": 900})
    public.goto("/")
    public.click("#card-disclosure a[href='/inspections']")
    public.wait_for_url("**/inspections")
    with public.expect_navigation():
        public.click(f"#public-batches a:has-text('{batch_no}')")
    assert public.locator("#commitment").inner_text().strip() == commitment
    assert public.locator("#seed").inner_text().strip() == seed_hex
    assert "未按规定公示应当公示的信息" in public.locator("#public-results").inner_text()
    assert "年报未公示社保信息" not in public.content()
    with public.expect_download() as download:
        public.click("#download-record")
    path = tmp_path / "record.json"
    download.value.save_as(path)
    public.screenshot(path=screenshots / f"inspections-public-{live_server.backend}.png", full_page=True)

    saved = json.loads(path.read_text(encoding="utf-8"))
    assert saved["commitment"] == commitment and saved["seed"] == seed_hex
    assert draw.verify_record(saved).ok
    result = CliRunner().invoke(cli_app, ["inspections", "verify-draw", str(path)])
    assert result.exit_code == 0 and result.output.startswith("identical"), result.output
    assert staff.goto(batch_url).status == 200
