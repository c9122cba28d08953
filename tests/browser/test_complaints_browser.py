"""12315 in headless Chromium against a live server, on SQLite and on PostgreSQL: a consumer files
with evidence and tracks it; a county handler accepts, mediates and closes; the consumer rates;
an overdue item shows as overdue to the city supervisor; an enterprise replies through ODR."""

from __future__ import annotations

import datetime as dt
import re
import secrets

import pytest
from sqlalchemy import select, update

from marketreg.domains.complaints import actions
from marketreg.domains.complaints.models import Attachment, Item, OdrUnit, Supervision
from marketreg.domains.org import actions as org_actions
from marketreg.kernel import clock
from marketreg.kernel.codes import make_uscc
from marketreg.platform.authz import SYSTEM
from marketreg.platform.db import Sessions
from marketreg.platform.settings import get_settings

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 740}
# A real 1×1 PNG (valid signature, IHDR, IDAT and IEND chunks).
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
                    "0000000d49444154789c63f80f00000101000518d84e0000000049454e44ae426082")
CONSUMER = {"name": "李晓梅", "phone": "13788889999", "address": "济南市历下区解放路88号"}


def _item(live_server, code: str) -> Item:
    with live_server.engine.connect() as conn:
        return conn.execute(select(Item).where(Item.query_code == code)).one()


def _file(page, **overrides) -> str:
    """File a complaint through the public JSON API (the browser's own request context)."""
    body = {"kind": "complaint", "complainant_name": CONSUMER["name"], "complainant_phone": CONSUMER["phone"],
            "complainant_address": CONSUMER["address"], "respondent_name": "济南示范电器商店",
            "respondent_address": "济南市历下区泉城路1号", "title": "电饭煲无法加热",
            "facts": "在该店购买的电饭煲使用三天后无法加热，要求退货被拒绝。", "request": "退货退款", **overrides}
    response = page.request.post("/api/v1/public/complaints", data=body,
                                 headers={"Idempotency-Key": secrets.token_hex(8)})
    assert response.status == 201, response.text()
    return response.json()["items"][0]["query_code"]


def _assert_fits(page) -> None:
    width = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= PHONE["width"] + 1, f"horizontal scroll on {page.url}: scrollWidth={width}"


def test_consumer_files_with_an_attachment_on_a_phone_and_tracks_it(live_server, open_page, screenshots):
    page = open_page(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True)
    page.goto("/")
    page.locator("#card-complaints a[href='/complaints/new']").tap()
    page.wait_for_url("**/complaints/new")
    _assert_fits(page)
    form = page.locator("#intake-form")
    assert form.locator("input[name=kind][value=complaint]").is_checked()
    form.locator("input[name=complainant_name]").fill(CONSUMER["name"])
    form.locator("input[name=complainant_phone]").fill(CONSUMER["phone"])
    form.locator("input[name=complainant_address]").fill(CONSUMER["address"])
    form.locator("input[name=respondent_name]").fill("济南泉城示范超市有限公司")
    form.locator("input[name=respondent_address]").fill("济南市历下区泉城路1号")
    form.locator("input[name=title]").fill("购买的牛奶已过期")
    form.locator("textarea[name=facts]").fill("2026年11月20日在该超市购买牛奶两盒，回家发现已过保质期三天。")
    form.locator("textarea[name=request]").fill("退货并按规定赔偿")
    form.locator("input[name=amount]").fill("25.80")
    form.locator("input[type=file][name=files]").set_input_files(
        files=[{"name": "小票.png", "mimeType": "image/png", "buffer": PNG}])
    page.screenshot(path=screenshots / f"complaint-form-{live_server.backend}.png", full_page=True)
    with page.expect_navigation() as navigation:
        form.locator("button[type=submit]").tap()
    assert navigation.value.status == 201
    code = page.locator("#filed .codes").first.inner_text().strip()
    assert re.fullmatch(r"[0-9A-Z]{10}", code), code
    assert "历下区市场监督管理局" in page.locator("#filed").inner_text()
    _assert_fits(page)

    with live_server.engine.connect() as conn:
        item = conn.execute(select(Item).where(Item.query_code == code)).one()
        [attachment] = conn.execute(select(Attachment).where(Attachment.item_id == item.id)).all()
    assert (item.channel, item.status, attachment.mime, attachment.size) == ("web", "received", "image/png", len(PNG))
    stored = live_server.storage / actions.attachment_path(attachment.sha256).relative_to(get_settings().storage_dir)
    assert stored.read_bytes() == PNG

    page.locator("#filed a.btn").first.tap()
    page.wait_for_url(f"**/complaints/track?code={code}")
    tracking = page.locator("#tracking")
    assert tracking.locator("[data-field=query_code]").inner_text().strip() == code
    assert tracking.locator("[data-field=status]").inner_text().strip().startswith("待受理")
    first = page.locator("#steps li").first
    assert "收到投诉" in first.inner_text()
    assert f"法定期限：{item.accept_due_on.isoformat()}" in first.inner_text()
    assert "依据：办法第十三条" in first.inner_text()
    assert CONSUMER["phone"] not in page.content()
    _assert_fits(page)
    page.screenshot(path=screenshots / f"complaint-track-{live_server.backend}.png", full_page=True)


def test_handler_accepts_mediates_and_closes_then_the_consumer_rates(live_server, page, open_page, login, menu,
                                                                    screenshots):
    code = _file(page, title="空调安装后漏水")
    login(page, "lx_handler")
    menu(page, "/staff/complaints")
    page.wait_for_url("**/staff/complaints")
    page.locator(f"#queue tr[data-query-code='{code}'] a").click()
    page.wait_for_url(re.compile(r"/staff/complaints/\d+$"))
    assert "查看身份信息" in page.locator("#identity").inner_text()
    assert CONSUMER["phone"] not in page.content()
    page.screenshot(path=screenshots / f"complaint-detail-received-{live_server.backend}.png", full_page=True)

    with page.expect_navigation():
        page.locator("form[data-action=accept] button[type=submit]").click()
    assert page.locator("[data-field=status]").inner_text().strip() == "已受理"
    start = page.locator("form[data-action=start_mediation]")
    start.locator("input[name=complainant_consents]").check()
    start.locator("input[name=respondent_consents]").check()
    with page.expect_navigation():
        start.locator("button[type=submit]").click()
    assert page.locator("[data-field=status]").inner_text().strip() == "调解中"
    close = page.locator("form[data-action=close_mediated]")
    close.locator("textarea[name=note]").fill("经调解，商家上门维修并赔偿200元，双方签订调解书。")
    with page.expect_navigation():
        close.locator("button[type=submit]").click()
    assert page.locator("[data-field=outcome]").inner_text().strip() == "调解成功"
    assert page.locator("#actions").count() == 0
    steps = page.locator("#timeline").inner_text()
    assert "决定受理" in steps and "双方同意，开始调解" in steps and "办结：调解成功" in steps
    page.screenshot(path=screenshots / f"complaint-detail-{live_server.backend}.png", full_page=True)

    consumer = open_page(viewport=PHONE, is_mobile=True, has_touch=True)
    consumer.goto(f"/complaints/track?code={code}")
    rating = consumer.locator("#rating")
    rating.locator("input[name=phone]").fill(CONSUMER["phone"])
    rating.locator("input[name=rating][value='5']").check()
    rating.locator("input[name=resolved][value='1']").check()
    rating.locator("textarea[name=comment]").fill("处理及时，满意")
    with consumer.expect_navigation():
        rating.locator("button[type=submit]").tap()
    assert "感谢您的评价" in consumer.locator(".alert-ok").inner_text()
    assert consumer.locator("#rating").count() == 0
    assert "消费者评价：5分" in consumer.locator("#steps").inner_text()
    assert _item(live_server, code).rating == 5


def test_overdue_item_shows_as_overdue_to_the_city_supervisor(live_server, page, login, screenshots):
    code = _file(page, title="超期未受理的投诉样例")
    past = clock.today() - dt.timedelta(days=3)
    sessions = Sessions(live_server.engine)
    with sessions.transaction() as s:
        s.execute(update(Item).where(Item.query_code == code).values(accept_due_on=past, next_due_on=past))
    with sessions.transaction() as s:
        actions.sweep(s, actor=SYSTEM, today=clock.today())
    with live_server.engine.connect() as conn:
        item_id = _item(live_server, code).id
        escalations = conn.execute(select(Supervision).where(Supervision.item_id == item_id)).all()
    assert [(e.org_path, e.automatic) for e in escalations] == [("/370000/370100/", True)]

    login(page, "jn_supervisor")
    page.goto("/staff/complaints")
    page.select_option("form.search select[name=due]", "overdue")
    page.click("form.search button[type=submit]")
    page.wait_for_url(re.compile(r"[?&]due=overdue"))
    row = page.locator(f"#queue tr[data-query-code='{code}']")
    row.wait_for()
    assert row.locator("[data-mark=overdue]").inner_text().strip() == "已超期"
    assert "历下区市场监督管理局" in row.inner_text()
    page.screenshot(path=screenshots / f"complaint-queue-overdue-{live_server.backend}.png", full_page=True)
    row.locator("a").click()
    page.wait_for_url(f"**/staff/complaints/{item_id}")
    assert page.locator("h1 [data-mark=overdue]").is_visible()
    assert "超期自动督办" in page.locator("#supervisions").inner_text()
    assert page.locator("form[data-action=supervise]").is_visible()  # the city may urge the county


def test_enterprise_replies_through_odr(live_server, page, open_page, screenshots):
    suffix = secrets.token_hex(3)
    uscc = make_uscc("9", "1", "370102", f"{int(suffix, 16) % 10**8:08d}")
    username, password = f"odr_{suffix}", "Odr@2026!x"
    with Sessions(live_server.engine).transaction() as s:
        s.add(OdrUnit(uscc=uscc, name=f"济南在线和解示范商城{suffix}", reply_workdays=5, joined_on=clock.today()))
        org_actions.do_create_user(s, actor=SYSTEM, username=username, password=password, unit_code=None,
                                   display_name="示范商城客服", roles=[], kind="enterprise", entity_uscc=uscc)
    code = _file(page, respondent_name=f"济南在线和解示范商城{suffix}", respondent_uscc=uscc, title="网购衣服尺码不符",
                 share_contact=True)  # the consumer agrees to give the enterprise the phone (PIPL Art. 23)
    assert _item(live_server, code).status == "odr_pending"

    enterprise = open_page(viewport=PHONE, is_mobile=True, has_touch=True)
    enterprise.goto("/enterprise/complaints")
    enterprise.wait_for_url(re.compile(r"/enterprise/login"))
    enterprise.fill("input[name=username]", username)
    enterprise.fill("input[name=password]", password)
    with enterprise.expect_navigation():
        enterprise.locator("form[action='/enterprise/login'] button[type=submit]").tap()
    enterprise.wait_for_url("**/enterprise/complaints")
    card = enterprise.locator(f"section[data-query-code='{code}']")
    assert card.locator("[data-field=status]").inner_text().strip() == "企业和解中"
    assert CONSUMER["phone"] in card.locator("[data-field=complainant]").inner_text()
    card.locator("textarea[name=reply]").fill("已与消费者电话沟通，同意换货并承担运费。")
    card.locator("input[name=settled][value='1']").check()
    with enterprise.expect_navigation():
        card.locator("button[type=submit]").tap()
    assert "答复已提交" in enterprise.locator(".alert-ok").inner_text()
    # RULES C10: the enterprise's "settled" closes nothing; the complainant confirms on the tracking page
    assert _item(live_server, code).status == "odr_pending"
    page.goto(f"/complaints/track?code={code}")
    steps = page.locator("#steps").inner_text()
    assert "企业答复" in steps and "同意换货" in steps and "待投诉人确认" in steps
    answer = page.locator("#odr-answer form")
    answer.locator("input[name=phone]").fill(CONSUMER["phone"])
    answer.locator("input[name=answer][value=confirm]").check()
    with page.expect_navigation():
        answer.locator("button[type=submit]").click()
    item = _item(live_server, code)
    assert (item.status, item.outcome) == ("closed", "settled")
    assert page.locator("#odr-answer").count() == 0

    enterprise.reload()
    card = enterprise.locator(f"section[data-query-code='{code}']")
    assert "已办结" in card.locator("[data-field=status]").inner_text()
    assert card.locator("[data-field=complainant]").count() == 0
    _assert_fits(enterprise)
    enterprise.screenshot(path=screenshots / f"complaint-odr-{live_server.backend}.png", full_page=True)
