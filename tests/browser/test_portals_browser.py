"""Both portals in headless Chromium against a live server, on SQLite and on PostgreSQL."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import Row, func, select

from marketreg.domains.registry.models import Entity

pytestmark = [pytest.mark.browser, pytest.mark.both_backends]  # one live server on PostgreSQL too

LIXIA = "370102"  # 济南市历下区, lx_registrar's county
PHONE = {"width": 375, "height": 740}
_HAN = re.compile(r"[\u4e00-\u9fff]")
CHARTS_SETTLED = """() => Array.from(document.querySelectorAll('.chart')).every(el => {
  const chart = window.echarts && echarts.getInstanceByDom(el);
  return chart && chart.getZr().animation.isFinished();
})"""


def _entities(live_server, *where) -> list[Row]:
    """Entity rows straight from the server's database (in id order)."""
    with live_server.engine.connect() as conn:
        return list(conn.execute(select(Entity).where(*where).order_by(Entity.id)).all())


def _distinctive_part(entity, names: list[str]) -> str | None:
    """A piece from inside the entity's name (not its start) matching at most one results page."""
    name = entity.name
    for size in (4, 3, 5):
        for start in range(1, len(name) - size + 1):
            part = name[start:start + size]
            if _HAN.search(part) and sum(part in other for other in names) <= 10:
                return part
    return None


def _public_prefix(entity, names: list[str]) -> str | None:
    """A strict name prefix (>= 2 characters) matching at most 10 entities, none naming the rep."""
    name = entity.name
    for size in range(2, len(name)):
        prefix = name[:size]
        matches = [n for n in names if n.startswith(prefix)]
        if len(matches) <= 10:
            return prefix if not any(entity.legal_rep_name in n for n in matches) else None
    return None


def test_staff_search_then_profile_shows_masked_id(live_server, page, login, menu):
    candidates = _entities(live_server, Entity.city_code == "370100", Entity.legal_rep_id_number.is_not(None))
    names = [e.name for e in _entities(live_server)]
    entity, part = next((e, p) for e in candidates if (p := _distinctive_part(e, names)))

    login(page, "jn_registrar")
    menu(page, "/staff/registry/entities")
    page.wait_for_url("**/staff/registry/entities")
    page.fill("form.search input[name=q]", part)
    page.click("form.search button[type=submit]")
    page.wait_for_url(re.compile(r"[?&]q="))  # htmx pushes the query into the address bar
    link = page.locator("#results tbody tr", has_text=entity.name).locator("a[href^='/staff/registry/entities/']")
    link.wait_for()
    clicked = link.inner_text().strip()
    assert clicked == entity.uscc

    link.click()
    page.wait_for_url(f"**/staff/registry/entities/{clicked}")
    assert page.locator("dd[data-field=uscc]").inner_text().strip() == clicked
    assert page.locator("h1").inner_text().startswith(entity.name)
    shown_id = page.locator("dd[data-field=legal_rep_id_number]").inner_text().strip()
    assert "*" in shown_id
    assert shown_id != entity.legal_rep_id_number
    assert entity.legal_rep_id_number not in page.content()
    rep = page.locator("dd[data-field=legal_rep_name]").inner_text().strip()
    assert "*" in rep or len(entity.legal_rep_name) == 1


def test_public_lookup_masks_legal_representative(live_server, page, screenshots):
    names = [e.name for e in _entities(live_server)]
    entity, prefix = next((e, p) for e in _entities(live_server, func.length(Entity.legal_rep_name) >= 2)
                          if (p := _public_prefix(e, names)))

    page.goto("/")
    page.fill(".hero input[name=q]", prefix)
    page.click(".hero button[type=submit]")
    page.wait_for_url(re.compile(r"/entities\?q="))
    row = page.locator("#results tbody tr", has_text=entity.name)
    assert row.count() == 1
    assert row.locator("td").nth(1).inner_text().strip() == entity.uscc
    rep = row.locator("td.rep").inner_text().strip()
    assert "*" in rep
    assert rep[0] == entity.legal_rep_name[0]
    assert entity.legal_rep_name not in page.locator("body").inner_text()
    assert entity.legal_rep_name not in page.content()
    assert entity.legal_rep_id_number is None or entity.legal_rep_id_number not in page.content()
    page.screenshot(path=screenshots / f"public-lookup-{live_server.backend}.png", full_page=True)


def test_wrong_password_shows_chinese_error_and_stays_on_login(page):
    page.goto("/staff/login")
    page.fill("input[name=username]", "sn_registrar")
    page.fill("input[name=password]", "Wrong@2026")
    with page.expect_navigation() as navigation:
        page.click("form[action='/staff/login'] button[type=submit]")
    assert navigation.value.status == 401
    alert = page.locator(".alert-error[role=alert]")
    assert "用户名或密码错误" in alert.inner_text()
    assert page.url.endswith("/staff/login")
    assert page.locator("input[name=password]").is_visible()
    assert page.input_value("input[name=username]") == "sn_registrar"
    assert not any(c["name"] == "mr_session" for c in page.context.cookies())


def test_county_user_sees_only_own_county(live_server, page, login):
    inside = {e.uscc for e in _entities(live_server, Entity.region_code == LIXIA)}
    assert inside, "the seeded province has no entity in 历下区; raise SEED_ENTITIES"
    # a sibling county of the same city (same org-path prefix up to the city) and another city
    sibling = _entities(live_server, Entity.city_code == "370100", Entity.region_code != LIXIA)[0]
    far = _entities(live_server, Entity.city_code != "370100")[0]

    login(page, "lx_registrar")
    for outside in (sibling, far):
        response = page.goto(f"/staff/registry/entities/{outside.uscc}")
        assert response.status == 404, outside.region_code
        assert "404" in page.locator("h1").inner_text()
        message = page.locator(".alert-error[role=alert]").inner_text()
        assert _HAN.search(message) and "管辖范围" in message, message
        assert outside.name not in page.content()

    page.goto("/staff/registry/entities")
    listed = {a.inner_text().strip() for a in page.locator("#results tbody a").all()}
    assert listed == inside
    assert f"共 {len(inside)} 条" in page.locator("#results").inner_text()

    page.fill("form.search input[name=q]", sibling.uscc)
    page.click("form.search button[type=submit]")
    page.wait_for_url(re.compile(r"[?&]q="))
    page.locator("#results", has_text="没有符合条件的市场主体").wait_for()
    assert page.locator("#results tbody a").count() == 0
    assert page.locator("#results #results").count() == 0  # the HTMX fragment replaced the contents once


def test_dashboard_renders_charts(live_server, page, login, screenshots):
    login(page, "sd_admin")
    charts = page.locator(".chart")
    assert charts.count() == 2
    for chart in charts.all():
        svg = chart.locator("svg").first
        svg.wait_for()
        box = svg.bounding_box()
        assert box and box["width"] > 200 and box["height"] > 200, box
        assert chart.locator("svg path").count() > 0  # bars / sectors drawn, not an empty canvas
        assert _HAN.search(chart.locator("svg").first.text_content() or ""), "chart labels are not Chinese"
    total = page.locator("#entity-kpis .kpi .v").first.inner_text().replace(",", "")
    assert int(total) == len(_entities(live_server)) > 0
    page.wait_for_function(CHARTS_SETTLED)  # screenshot the drawn charts, not their entry animation
    page.screenshot(path=screenshots / f"dashboard-{live_server.backend}.png", full_page=True)


def test_phone_home_and_search_are_usable(live_server, open_page):
    page = open_page(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
    prefix = _entities(live_server)[0].name[:2]

    page.goto("/")
    _assert_fits(page)
    search = page.locator(".hero input[name=q]")
    assert search.is_visible()
    box = search.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box
    assert box["width"] >= 150, box  # room to type
    button = page.locator(".hero button[type=submit]")
    assert button.is_visible()
    button_box = button.bounding_box()
    assert button_box["x"] + button_box["width"] <= PHONE["width"], button_box

    search.tap()
    search.fill(prefix)
    button.tap()
    page.wait_for_url(re.compile(r"/entities\?q="))
    assert page.locator("#results tbody tr").count() >= 1
    _assert_fits(page)
    page.locator(".nav-toggle").tap()
    page.locator("nav.nav details[data-sector='services'] summary").tap()
    assert page.locator("nav.nav a[href='/entities']").is_visible()


def _assert_fits(page) -> None:
    width = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= PHONE["width"] + 1, f"horizontal scroll on {page.url}: scrollWidth={width}"
