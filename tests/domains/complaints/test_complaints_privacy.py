"""Privacy of complainants and reporters (RULES 1.15 / 1.35; PIPL Arts. 6, 23, 51): what the
reported enterprise sees in ODR, anonymous reports, and personal data on the public tracking page."""

from __future__ import annotations

import io

import test_complaints_web as web
from sqlalchemy import func, select

from marketreg.domains.complaints import actions
from marketreg.domains.complaints.models import DuplicateLink, Item
from marketreg.platform.audit import AuditEvent

SHOP_USCC, file_api, item_by_code = web.SHOP_USCC, web.file_api, web.item_by_code
enterprise_login = web.enterprise_login
odr_enterprise = web.odr_enterprise  # the ODR unit and its enterprise users

REPORT_TEXT = "该超市长期销售过期食品并篡改生产日期标签，库房内有大量过期牛奶"
ID_NUMBER = "370102199001011231"


def contact_audits(db, code: str) -> int:
    with db.read() as s:
        return s.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "complaints.contact_shown_to_enterprise", AuditEvent.subject_id == code))


def test_reported_enterprise_sees_the_complaint_only_never_the_report_or_the_reporter(client, db, odr_enterprise):
    items = file_api(client, respondent_uscc=SHOP_USCC, also_report=True, report_facts=REPORT_TEXT,
                     facts="王小明于2026年11月购买的牛奶已过期三天，联系电话13912345678，要求退货被拒绝。").json()["items"]
    complaint_code, report_code = (i["query_code"] for i in items)
    assert item_by_code(db, report_code).facts == REPORT_TEXT
    enterprise_login(client, "shop_odr", "Shop@2026!")
    page = client.get("/enterprise/complaints")
    assert page.status_code == 200 and complaint_code in page.text and "已过期三天" in page.text
    for hidden in (report_code, REPORT_TEXT, "篡改", "王小明", "13912345678", "泉城路100号"):
        assert hidden not in page.text, hidden
    assert page.headers["cache-control"] == "no-store"
    assert contact_audits(db, complaint_code) == 0  # nothing personal shown, nothing to audit


def test_contact_goes_to_the_enterprise_only_with_consent_and_is_an_audited_read(client, db, odr_enterprise):
    code = file_api(client, respondent_uscc=SHOP_USCC, share_contact=True).json()["items"][0]["query_code"]
    enterprise_login(client, "shop_odr", "Shop@2026!")
    page = client.get("/enterprise/complaints").text
    assert "王**" in page and "13912345678" in page  # family name and phone: what settling needs
    assert "王小明" not in page and "泉城路100号" not in page  # never the full name or the address
    assert contact_audits(db, code) == 1
    client.get("/enterprise/complaints")
    assert contact_audits(db, code) == 2  # every read


def test_anonymous_report_stores_no_contact_data_and_cannot_be_linked(client, db):
    named = file_api(client, kind="report", request=None, facts=REPORT_TEXT).json()["items"][0]["query_code"]
    anonymous = file_api(client, kind="report", anonymous=True, request=None, facts=REPORT_TEXT,
                         complainant_id_number=ID_NUMBER, complainant_email="wxm@example.com")
    assert anonymous.status_code == 201
    item = item_by_code(db, anonymous.json()["items"][0]["query_code"])
    assert item.anonymous
    assert (item.complainant_name, item.complainant_phone, item.complainant_address, item.complainant_id_number,
            item.complainant_email) == (None, None, None, None, None)
    with db.read() as s:
        links = s.scalar(select(func.count()).select_from(DuplicateLink).where(
            DuplicateLink.item_id.in_([item.id, item_by_code(db, named).id])))
        same_phone = s.scalar(select(func.count()).select_from(Item).where(Item.complainant_phone == "13912345678"))
    assert links == 0 and same_phone == 1
    assert item.status != "closed"  # not closed as the named reporter's repeat (办法第三十五条)


def test_tracking_page_and_api_mask_an_id_number_in_the_title(client):
    code = file_api(client, title=f"身份证{ID_NUMBER}被商家登记").json()["items"][0]["query_code"]
    page = client.get("/complaints/track", params={"code": code}).text
    api = client.get(f"/api/v1/public/complaints/{code}").json()
    assert ID_NUMBER not in page and "身份证***被商家登记" in page
    assert api["title"] == "身份证***被商家登记"


def test_staff_unmasked_identity_views_are_never_cached(client, db):
    code = file_api(client).json()["items"][0]["query_code"]
    item_id = item_by_code(db, code).id
    headers = web.staff_login(client, "lx_handler")
    api = client.post(f"/api/v1/complaints/{item_id}/identity", headers=headers)
    page = client.post(f"/staff/complaints/{item_id}/identity", data={"csrf_token": headers["X-CSRF-Token"]})
    assert api.json()["complainant_phone"] == "13912345678" and "13912345678" in page.text
    assert api.headers["cache-control"] == page.headers["cache-control"] == "no-store"
    assert web.audits(db, "complaints.identity_viewed") == 2


def test_tracking_page_and_api_scrub_the_outcome_and_step_notes(client, db):
    code = file_api(client).json()["items"][0]["query_code"]
    headers = web.staff_login(client, "lx_handler")
    note = "已电话联系消费者王小明（138 0013 8000），商家退款1280元"
    item_id = item_by_code(db, code).id
    settled = client.post(f"/api/v1/complaints/{item_id}/settle", headers=headers, json={"note": note})
    assert settled.status_code == 200
    client.cookies.clear()
    page = client.get("/complaints/track", params={"code": code}).text
    api = client.get(f"/api/v1/public/complaints/{code}").json()
    assert "138 0013 8000" not in page and "王小明" not in page and "商家退款1280元" in page
    assert api["outcome_note"] == "已电话联系消费者***（***），商家退款1280元"
    assert all("138 0013 8000" not in step["note"] for step in api["steps"])


def _photo_with_exif() -> bytes:
    from PIL import Image

    exif = Image.Exif()
    exif[0x010F], exif[0x0110], exif[0xA431] = "PhoneMaker", "Model X", "SERIAL-0042"  # make, model, body serial
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(out, "JPEG", exif=exif)
    return out.getvalue()


def test_anonymous_report_photos_lose_their_metadata_and_names(client, db):
    photo = _photo_with_exif()
    anonymous = web.post_form(client, kind="report", anonymous="true", request="",
                              files=[("王小明的发票.jpg", photo, "image/jpeg")])
    named = web.post_form(client, kind="report", request="", files=[("王小明的发票.jpg", photo, "image/jpeg")])
    assert (anonymous.status_code, named.status_code) == (201, 201)
    [anonymous_file] = item_by_code(db, web.CODES.findall(anonymous.text)[0]).attachments
    [named_file] = item_by_code(db, web.CODES.findall(named.text)[0]).attachments
    stored = actions.attachment_path(anonymous_file.sha256).read_bytes()
    assert b"PhoneMaker" not in stored and b"SERIAL-0042" not in stored and stored[:2] == b"\xff\xd8"
    assert anonymous_file.filename == "附件1.jpeg" and anonymous_file.sha256 != named_file.sha256
    assert named_file.filename == "王小明的发票.jpg"  # a named filer's evidence is kept as sent
