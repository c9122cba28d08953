"""12315 through HTTP: the public API and filing form (bad input included), tracking and rating,
the staff API and pages, the ODR enterprise side, the clue register — on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from sqlalchemy import func, select, update

from conftest import login, make_staff
from marketreg.domains.complaints import actions
from marketreg.domains.complaints.models import Attachment, Item, OdrUnit, RuleOverride, Step
from marketreg.domains.enforcement.models import Clue
from marketreg.domains.org import actions as org_actions
from marketreg.domains.org import service as org
from marketreg.kernel import clock
from marketreg.kernel.codes import make_uscc
from marketreg.platform.audit import AuditEvent
from marketreg.platform.authz import SYSTEM

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89" \
      b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + bytes(200)
SHOP_USCC = make_uscc("9", "1", "370102", "12345678")
OTHER_USCC = make_uscc("9", "1", "370202", "87654321")
LIXIA_ORG = "历下区市场监督管理局"
CODES = re.compile(r'data-query-code="([0-9A-Z]+)"')


def payload(**overrides) -> dict:
    data = {
        "kind": "complaint", "complainant_name": "王小明", "complainant_phone": "13912345678",
        "complainant_address": "济南市历下区泉城路100号", "respondent_name": "济南泉城示范超市有限公司",
        "respondent_address": "济南市历下区泉城路1号", "title": "买到过期牛奶",
        "facts": "2026年11月在该超市购买的牛奶已过期三天，要求退货被拒绝。", "request": "退货并赔偿",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def file_api(client, key: str | None = None, **overrides):
    headers = {"Idempotency-Key": key} if key else {}
    return client.post("/api/v1/public/complaints", json=payload(**overrides), headers=headers)


def count(db, model=Item, *where) -> int:
    with db.read() as s:
        return s.scalar(select(func.count()).select_from(model).where(*where))


def item_by_code(db, code: str) -> Item:
    with db.read() as s:
        return s.scalar(select(Item).where(Item.query_code == code))


def staff_login(client, username: str) -> dict:
    client.cookies.clear()
    return {"X-CSRF-Token": login(client, username)}


def audits(db, action: str) -> int:
    return count(db, AuditEvent, AuditEvent.action == action)


# ----------------------------------------------------------------------------- public API


def test_filing_answers_with_query_code_and_the_responsible_bureau(client, db):
    response = file_api(client)
    assert response.status_code == 201
    [out] = response.json()["items"]
    assert (out["kind"], out["status"], out["org_name"]) == ("complaint", "received", LIXIA_ORG)
    item = item_by_code(db, out["query_code"])
    assert (item.org_path, item.channel, item.accept_due_on.isoformat()) == \
        ("/370000/370100/370102/", "api", out["next_due_on"])


def test_a_replay_with_the_same_idempotency_key_files_nothing_new(client, db):
    first = file_api(client, key="retry-123", also_report=True)
    before = count(db)
    again = file_api(client, key="retry-123", also_report=True)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert count(db) == before
    assert [i["kind"] for i in first.json()["items"]] == ["complaint", "report"]


def test_a_key_reused_for_another_filing_is_refused_and_reveals_nothing(client, db):
    first = file_api(client, key="shared-key").json()["items"][0]["query_code"]
    before = count(db)
    other = file_api(client, key="shared-key", complainant_phone="13700000000", title="另一件事")
    assert (other.status_code, other.json()["code"]) == (409, "complaints.idempotency_key_reused")
    assert first not in other.text and count(db) == before
    too_long = file_api(client, key="k" * 81)
    assert (too_long.status_code, too_long.json()["code"]) == (422, "request.invalid")


def test_a_filing_with_both_complaint_and_report_is_split(client, db):
    items = file_api(client, also_report=True).json()["items"]
    complaint, report = (item_by_code(db, i["query_code"]) for i in items)
    assert (complaint.kind, report.kind, report.parent_id) == ("complaint", "report", complaint.id)
    assert (complaint.status, report.status) == ("received", "verifying")
    assert report.request is None and report.report_due_on is not None


@pytest.mark.parametrize("missing", ["kind", "respondent_name", "title", "facts"])
def test_missing_required_fields_are_refused_with_a_code(client, db, missing):
    before = count(db)
    response = file_api(client, **{missing: None})
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "request.invalid" and missing in body["details"]["fields"]
    assert count(db) == before


@pytest.mark.parametrize(("overrides", "code"), [
    pytest.param({"complainant_phone": None}, "complaints.identity_required", id="complaint-without-phone"),
    pytest.param({"complainant_address": None}, "complaints.identity_required", id="complaint-without-address"),
    pytest.param({"anonymous": True}, "complaints.identity_required", id="anonymous-complaint"),
    pytest.param({"request": None}, "complaints.request_required", id="complaint-without-request"),
    pytest.param({"respondent_uscc": "91370102MA3C4D5E7X"}, "complaints.respondent_uscc_invalid", id="bad-uscc"),
])
def test_incomplete_filings_get_their_coded_refusal_and_store_nothing(client, db, overrides, code):
    before = count(db)
    response = file_api(client, **overrides)
    assert response.status_code == 400
    assert response.json()["code"] == code
    assert count(db) == before


def test_an_anonymous_report_is_accepted_without_identity(client, db):
    response = file_api(client, kind="report", anonymous=True, complainant_name=None, complainant_phone=None,
                        complainant_address=None, request=None)
    assert response.status_code == 201
    item = item_by_code(db, response.json()["items"][0]["query_code"])
    assert item.anonymous and item.complainant_phone is None


TEXT_FIELDS = ["complainant_name", "complainant_phone", "complainant_address", "complainant_id_number",
               "complainant_email", "respondent_name", "respondent_uscc", "respondent_address", "platform_name",
               "platform_uscc", "seller_published_address", "title", "facts", "request", "category_code",
               "problem_code"]


@pytest.mark.parametrize("field", TEXT_FIELDS)
def test_script_in_any_text_field_is_refused_and_nothing_is_stored(client, db, field):
    before = count(db)
    response = file_api(client, **{field: "<script>" if field.endswith("_code") else "<script>x</script>"})
    assert response.status_code == 400
    assert response.json()["code"] == "complaints.markup_not_allowed"
    assert count(db) == before


def test_an_unknown_respondent_is_accepted_and_sent_to_manual_triage(client, db):
    response = file_api(client, respondent_name="查无此店的小卖部", respondent_address=None)
    assert response.status_code == 201
    [out] = response.json()["items"]
    assert out["org_name"] == "山东省市场监督管理局"
    item = item_by_code(db, out["query_code"])
    assert (item.org_path, item.routing_rule, item.status) == ("/370000/", "manual_triage", "received")


def test_a_complaint_older_than_three_years_is_closed_as_time_barred(client, db):
    long_ago = (clock.today() - dt.timedelta(days=3 * 365 + 30)).isoformat()
    response = file_api(client, harm_known_on=long_ago, purchased_on=long_ago)
    assert response.status_code == 201
    [out] = response.json()["items"]
    item = item_by_code(db, out["query_code"])
    assert (item.status, item.outcome, item.outcome_ground) == ("closed", "not_accepted", "time_barred")
    tracking = client.get(f"/api/v1/public/complaints/{out['query_code']}").json()
    assert tracking["outcome_label"] == "不予受理"
    assert any("消费者权益保护法" in (s["note"] or "") for s in tracking["steps"])  # other routes are given


def test_tracking_shows_public_steps_with_due_dates_and_basis(client):
    code = file_api(client).json()["items"][0]["query_code"]
    body = client.get(f"/api/v1/public/complaints/{code.lower()}").json()
    assert body["status_label"] == "待受理" and body["rule_version"] == "samr121-2026"
    assert body["steps"][0]["basis"] == "办法第十三条" and body["steps"][0]["due_on"] == body["next_due_on"]
    assert "王小明" not in str(body) and "13912345678" not in str(body)
    unknown = client.get("/api/v1/public/complaints/ZZZZZZZZZZ")
    assert (unknown.status_code, unknown.json()["code"]) == (404, "complaints.query_code_unknown")


# ----------------------------------------------------------------------------- staff API


@pytest.fixture
def filed(client):
    """Query code → item id of a complaint filed through the public API (routed to 历下区)."""

    def make(**overrides) -> tuple[str, int]:
        code = file_api(client, **overrides).json()["items"][0]["query_code"]
        with client.app.state.sessions.read() as s:
            return code, s.scalar(select(Item.id).where(Item.query_code == code))

    return make


def test_the_work_queue_is_scoped_to_the_jurisdiction(client, filed):
    _, lixia = filed()
    _, shinan = filed(respondent_address="青岛市市南区香港中路10号")
    staff_login(client, "lx_handler")
    assert {i["id"] for i in client.get("/api/v1/complaints").json()} >= {lixia}
    assert shinan not in {i["id"] for i in client.get("/api/v1/complaints").json()}
    other = client.get(f"/api/v1/complaints/{shinan}")
    assert other.status_code == 404
    staff_login(client, "jn_supervisor")
    assert lixia in {i["id"] for i in client.get("/api/v1/complaints").json()}


def test_identity_is_masked_and_every_unmasked_view_is_audited(client, db, filed):
    _, item_id = filed()
    headers = staff_login(client, "jn_supervisor")  # may view, may not unmask
    masked = client.get(f"/api/v1/complaints/{item_id}").json()
    assert masked["identity_masked"] and masked["complainant_phone"] == "139****5678"
    before = audits(db, "complaints.identity_viewed")
    assert client.post(f"/api/v1/complaints/{item_id}/identity", headers=headers).status_code == 403
    assert audits(db, "complaints.identity_viewed") == before
    headers = staff_login(client, "lx_handler")
    shown = client.post(f"/api/v1/complaints/{item_id}/identity", headers=headers).json()
    assert (shown["complainant_phone"], shown["identity_masked"]) == ("13912345678", False)
    assert audits(db, "complaints.identity_viewed") == before + 1


def test_handler_accepts_mediates_and_closes_with_consent_only(client, db, filed):
    _, item_id = filed()
    headers = staff_login(client, "lx_handler")
    url = f"/api/v1/complaints/{item_id}"
    assert client.post(f"{url}/accept", headers=headers).json()["status"] == "accepted"
    again = client.post(f"{url}/accept", headers=headers)
    assert (again.status_code, again.json()["code"]) == (409, "complaints.wrong_state")
    refused = client.post(f"{url}/mediation/start", headers=headers,
                          json={"complainant_consents": True, "respondent_consents": False})
    assert (refused.status_code, refused.json()["code"]) == (400, "complaints.consent_required")
    started = client.post(f"{url}/mediation/start", headers=headers,
                          json={"complainant_consents": True, "respondent_consents": True}).json()
    assert started["status"] == "mediating"
    closed = client.post(f"{url}/mediation/close", headers=headers, json={"note": "商家退款并赔偿100元"}).json()
    assert (closed["status"], closed["outcome"]) == ("closed", "mediated")


def test_refusal_needs_a_statutory_ground_of_the_items_rule_version(client, filed):
    _, item_id = filed()
    headers = staff_login(client, "lx_handler")
    bad = client.post(f"/api/v1/complaints/{item_id}/refuse", headers=headers, json={"ground": "no_reason"})
    assert bad.json()["code"] == "complaints.unknown_ground"
    done = client.post(f"/api/v1/complaints/{item_id}/refuse", headers=headers,
                       json={"ground": "identity_refused", "note": "拒不配合核验身份"}).json()
    assert (done["outcome"], done["status"]) == ("not_accepted", "closed")


def test_consumer_rates_a_closed_complaint_and_not_resolved_reopens_it(client, db, filed):
    code, item_id = filed()
    headers = staff_login(client, "lx_handler")
    client.post(f"/api/v1/complaints/{item_id}/settle", headers=headers, json={"note": "商家已退款"})
    client.cookies.clear()
    assert client.get(f"/api/v1/public/complaints/{code}").json()["can_rate"] is True
    wrong = client.post(f"/api/v1/public/complaints/{code}/rating",
                        json={"phone": "13900000000", "rating": 5, "resolved": True})
    assert (wrong.status_code, wrong.json()["code"]) == (403, "complaints.not_owner")
    rated = client.post(f"/api/v1/public/complaints/{code}/rating",
                        json={"phone": "13912345678", "rating": 2, "resolved": False, "comment": "退款未到账"})
    assert rated.status_code == 200
    assert rated.json()["status"] == "received"  # settled before acceptance: the bureau decides again
    assert item_by_code(db, code).reopened_count == 1


def test_a_report_lands_in_the_clue_register_and_its_decision_updates_it(client, db, filed):
    code, item_id = filed(kind="report", request=None)
    headers = staff_login(client, "lx_handler")
    [clue] = [c for c in client.get("/api/v1/enforcement/clues").json() if c["source_ref"] == f"report:{code}"]
    assert clue["status"] == "checking" and clue["basis"] == "市场监督管理行政处罚程序规定第十八条"
    decided = client.post(f"/api/v1/complaints/{item_id}/report/decide", headers=headers,
                          json={"filed": True, "note": "涉嫌销售过期食品"}).json()
    assert decided["outcome"] == "converted_to_clue"
    with db.read() as s:
        assert s.scalar(select(Clue.status).where(Clue.source_ref == f"report:{code}")) == "filed"


def test_supervision_comes_from_a_level_above(client, filed):
    _, item_id = filed()
    due = (clock.today() + dt.timedelta(days=5)).isoformat()
    headers = staff_login(client, "lx_handler")
    assert client.post(f"/api/v1/complaints/{item_id}/supervise", headers=headers,
                       json={"instruction": "请加快办理", "due_on": due}).status_code == 403
    headers = staff_login(client, "jn_supervisor")
    created = client.post(f"/api/v1/complaints/{item_id}/supervise", headers=headers,
                          json={"instruction": "请加快办理", "due_on": due})
    assert created.status_code == 201
    listed = client.get(f"/api/v1/complaints/{item_id}/supervisions").json()
    assert [(s["instruction"], s["org_path"]) for s in listed] == [("请加快办理", "/370000/370100/")]
    moved = client.post(f"/api/v1/complaints/{item_id}/reroute", headers=headers,
                        json={"region_code": "370103", "reason": "实际经营地在市中区"}).json()
    assert (moved["region_code"], moved["routing_rule"]) == ("370103", "staff_override")


def test_only_unconfirmed_rule_figures_can_be_changed_and_new_filings_use_them(client, db):
    # province-wide figures are the province's (a city supervisor is refused: tests/web/test_permissions.py)
    headers = staff_login(client, make_staff(db, "sd_supervisor", "370000", ["supervisor"]))
    figures = {(r["version"], f["key"]): f for r in client.get("/api/v1/complaints/rules").json()
               for f in r["figures"]}
    assert figures[("samr121-2026", "mediation_limit")]["confidence"] == "CONFIRMED"
    assert figures[("samr121-2026", "accept_decision")]["editable"] is True
    confirmed = client.put("/api/v1/complaints/rules/samr121-2026/mediation_limit", headers=headers,
                           json={"value": 30})
    assert (confirmed.status_code, confirmed.json()["code"]) == (400, "complaints.rule_confirmed")
    changed = client.put("/api/v1/complaints/rules/samr121-2026/accept_decision", headers=headers,
                         json={"value": 5, "note": "按省局通知"})
    assert changed.status_code == 200
    after = {(r["version"], f["key"]): f for r in changed.json() for f in r["figures"]}
    assert after[("samr121-2026", "accept_decision")]["value"] == 5
    assert after[("samr121-2026", "accept_decision")]["overridden"] is True
    assert audits(db, "complaints.rule_figure_set") >= 1
    client.cookies.clear()
    [out] = file_api(client).json()["items"]
    with db.read() as s:
        assert s.scalar(select(Step.basis).join(Item).where(Item.query_code == out["query_code"])) == "办法第十三条"
        override = s.get(RuleOverride, ("samr121-2026", "accept_decision"))
    assert override.value == 5


# ----------------------------------------------------------------------------- public pages


def _form_key(client) -> str:
    page = client.get("/complaints/new")
    assert page.status_code == 200
    return re.search(r'name="idempotency_key" value="([^"]+)"', page.text).group(1)


def post_form(client, *, files=(), **overrides):
    data = {**payload(), "platform_role": "none", **overrides}
    data = {k: v for k, v in data.items() if v is not None}
    parts = [("files", f) for f in files] or [("files", ("", b"", "application/octet-stream"))]
    return client.post("/complaints/new", data=data, files=parts)


def test_the_form_files_once_even_when_submitted_twice(client, db):
    key = _form_key(client)
    before = count(db)
    first = post_form(client, idempotency_key=key, also_report="true", files=[("票据.png", PNG, "image/png")])
    second = post_form(client, idempotency_key=key, also_report="true", files=[("票据.png", PNG, "image/png")])
    assert (first.status_code, second.status_code) == (201, 200)
    codes = CODES.findall(first.text)
    assert len(codes) == 2 and CODES.findall(second.text) == codes
    assert count(db) == before + 2
    complaint = item_by_code(db, codes[0])
    with db.read() as s:
        [attachment] = s.scalars(select(Attachment).where(Attachment.item_id == complaint.id))
    assert (attachment.filename, attachment.mime, attachment.size) == ("票据.png", "image/png", len(PNG))
    assert actions.attachment_path(attachment.sha256).read_bytes() == PNG


@pytest.mark.parametrize(("files", "status", "code"), [
    pytest.param([("photo.jpg", EXE, "image/jpeg")], 415, "complaints.file_type_not_allowed", id="exe-renamed-jpg"),
    pytest.param([("invoice.pdf", b"<html><script>x</script></html>", "application/pdf")], 415,
                 "complaints.file_type_not_allowed", id="html-renamed-pdf"),
    pytest.param([("scan.pdf", PNG, "application/pdf")], 415, "complaints.file_type_mismatch", id="png-named-pdf"),
    pytest.param([("big.png", PNG + bytes(10 * 1024 * 1024), "image/png")], 413, "complaints.file_too_large",
                 id="over-10mb"),
    pytest.param([(f"{n}.pdf", PDF, "application/pdf") for n in range(6)], 400, "complaints.too_many_files",
                 id="six-files"),
])
def test_bad_attachments_are_refused_and_nothing_is_stored(client, db, files, status, code):
    before, stored = count(db), count(db, Attachment)
    response = post_form(client, idempotency_key=f"bad-{code}", files=files)
    assert response.status_code == status
    assert f'data-code="{code}"' in response.text
    assert (count(db), count(db, Attachment)) == (before, stored)
    assert 'value="济南泉城示范超市有限公司"' in response.text  # the form keeps what was typed


def test_form_errors_are_shown_on_the_form_with_their_code(client, db):
    before = count(db)
    missing = post_form(client, idempotency_key="k-missing", title="")
    assert missing.status_code == 422 and 'data-code="request.invalid"' in missing.text and "标题" in missing.text
    script = post_form(client, idempotency_key="k-script", respondent_address="<img src=x onerror=alert(1)>")
    assert script.status_code == 400 and 'data-code="complaints.markup_not_allowed"' in script.text
    assert "<img src=x" not in script.text
    phone = post_form(client, idempotency_key="k-phone", complainant_phone="12345")
    assert phone.status_code == 422 and "联系电话（电话号码格式不正确）" in phone.text
    future = post_form(client, idempotency_key="k-future", purchased_on="2099-01-01")
    assert future.status_code == 422 and "不能晚于今天" in future.text
    anonymous = post_form(client, idempotency_key="k-anon", anonymous="true")
    assert 'data-code="complaints.identity_required"' in anonymous.text
    assert count(db) == before


def test_tracking_page_shows_steps_deadlines_and_the_rating_form_after_closure(client, filed):
    code, item_id = filed()
    page = client.get(f"/complaints/track?code={code}")
    assert page.status_code == 200
    assert "收到投诉" in page.text and "办法第十三条" in page.text and LIXIA_ORG in page.text
    assert 'id="rating"' not in page.text
    headers = staff_login(client, "lx_handler")
    client.post(f"/api/v1/complaints/{item_id}/accept", headers=headers)
    client.post(f"/api/v1/complaints/{item_id}/mediation/start", headers=headers,
                json={"complainant_consents": True, "respondent_consents": True})
    client.post(f"/api/v1/complaints/{item_id}/mediation/close", headers=headers, json={"note": "已退款"})
    client.cookies.clear()
    page = client.get(f"/complaints/track?code={code}")
    assert 'id="rating"' in page.text and "调解成功" in page.text
    wrong = client.post("/complaints/rating", data={"code": code, "phone": "13000000000", "rating": "5",
                                                    "resolved": "1"})
    assert wrong.status_code == 403 and 'data-code="complaints.not_owner"' in wrong.text
    done = client.post("/complaints/rating", data={"code": code, "phone": "13912345678", "rating": "5",
                                                   "resolved": "1", "comment": "满意"}, follow_redirects=False)
    assert done.status_code == 303
    after = client.get(done.headers["location"])
    assert "感谢您的评价" in after.text and 'id="rating"' not in after.text


def test_home_page_links_the_12315_service(client):
    home = client.get("/").text
    card = re.search(r'<section class="card" id="card-12315">.*?</section>', home, re.S).group(0)
    assert 'href="/complaints/new"' in card and 'href="/complaints/track"' in card and "即将开通" not in card


# ----------------------------------------------------------------------------- staff pages


def test_queue_marks_overdue_and_due_soon_and_exports_to_excel(client, db, filed):
    overdue_code, overdue_id = filed(title="超期未受理的投诉")
    soon_code, soon_id = filed(title="即将到期的投诉")
    today = clock.today()
    with db.transaction() as s:
        s.execute(update(Item).where(Item.id == overdue_id).values(accept_due_on=today - dt.timedelta(days=1),
                                                                   next_due_on=today - dt.timedelta(days=1)))
        s.execute(update(Item).where(Item.id == soon_id).values(accept_due_on=today + dt.timedelta(days=1),
                                                                next_due_on=today + dt.timedelta(days=1)))
    staff_login(client, "lx_handler")
    page = client.get("/staff/complaints").text
    rows = re.findall(r'<tr data-query-code="(\w+)"', page)
    assert rows.index(overdue_code) < rows.index(soon_code)
    assert re.search(rf'data-query-code="{overdue_code}".*?data-mark="overdue"', page, re.S)
    overdue_only = client.get("/staff/complaints?due=overdue").text
    assert overdue_code in overdue_only and soon_code not in overdue_only
    export = client.get("/staff/complaints.xlsx?due=soon")
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(export.content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0][0] == "查询码" and [soon_code, "即将到期"] == [values[1][0], values[1][9]]


def test_detail_offers_the_actions_of_the_current_state_with_the_rule_versions_grounds(client, filed):
    _, item_id = filed()
    staff_login(client, "lx_handler")
    page = client.get(f"/staff/complaints/{item_id}").text
    offered = re.findall(r'<form method="post" action="[^"]+" data-action="(\w+)"', page)
    assert offered[:2] == ["accept", "refuse"] and "close_mediated" not in offered
    assert "冒用他人名义或者拒不配合市场监督管理部门核验真实身份信息" in page  # Order 121's 7th ground
    assert "查看身份信息" in page and "13912345678" not in page
    assert "办法第十五条" in page and "samr121-2026" in page
    staff_login(client, "jn_supervisor")
    page = client.get(f"/staff/complaints/{item_id}").text
    offered = re.findall(r'<form method="post" action="[^"]+" data-action="(\w+)"', page)
    assert set(offered) == {"reroute", "take_over", "supervise"}
    assert "查看身份信息" not in page


def test_staff_handle_an_item_through_the_page_forms(client, db, filed):
    code, item_id = filed()
    csrf = staff_login(client, "lx_handler")["X-CSRF-Token"]
    base = f"/staff/complaints/{item_id}"
    accepted = client.post(f"{base}/accept", data={"csrf_token": csrf}, follow_redirects=False)
    assert accepted.status_code == 303 and accepted.headers["location"] == f"{base}?done=accept"
    refused = client.post(f"{base}/mediation/start", data={"csrf_token": csrf, "complainant_consents": "true"})
    assert refused.status_code == 400 and 'data-code="complaints.consent_required"' in refused.text
    assert item_by_code(db, code).status == "accepted"
    client.post(f"{base}/mediation/start", data={"csrf_token": csrf, "complainant_consents": "true",
                                                 "respondent_consents": "true"})
    page = client.get(base).text
    assert 'data-action="close_mediated"' in page and 'data-action="pause_mediation"' in page
    client.post(f"{base}/mediation/terminate", data={"csrf_token": csrf, "ground": "no_agreement_possible"})
    item = item_by_code(db, code)
    assert (item.status, item.outcome, item.outcome_ground) == ("closed", "mediation_terminated",
                                                                 "no_agreement_possible")
    no_csrf = client.post(f"{base}/settle", data={"note": "x"})
    assert no_csrf.status_code == 403


def test_identity_button_unmasks_and_audits(client, db, filed):
    _, item_id = filed()
    csrf = staff_login(client, "lx_handler")["X-CSRF-Token"]
    before = audits(db, "complaints.identity_viewed")
    page = client.post(f"/staff/complaints/{item_id}/identity", data={"csrf_token": csrf})
    assert page.status_code == 200 and "13912345678" in page.text and "已记入审计日志" in page.text
    assert audits(db, "complaints.identity_viewed") == before + 1


def test_other_jurisdictions_items_are_not_visible_on_pages(client, db, filed):
    _, item_id = filed()
    csrf = staff_login(client, "sn_handler")["X-CSRF-Token"]
    assert client.get(f"/staff/complaints/{item_id}").status_code == 404
    before = count(db, AuditEvent)
    assert client.post(f"/staff/complaints/{item_id}/accept", data={"csrf_token": csrf}).status_code == 404
    assert client.post(f"/staff/complaints/{item_id}/identity", data={"csrf_token": csrf}).status_code == 404
    assert count(db, AuditEvent) == before


def test_staff_enter_a_hotline_call(client, db):
    csrf = staff_login(client, "lx_handler")["X-CSRF-Token"]
    page = client.get("/staff/complaints/new")
    key = re.search(r'name="idempotency_key" value="([^"]+)"', page.text).group(1)
    data = {**payload(), "platform_role": "none", "channel": "hotline", "idempotency_key": key, "csrf_token": csrf}
    response = client.post("/staff/complaints/new", data=data, files=[("files", ("", b"", "application/octet-stream"))])
    assert response.status_code == 201
    [code] = CODES.findall(response.text)
    item = item_by_code(db, code)
    assert item.channel == "hotline" and item.steps[0].actor_name == "历下区局12315办理员"
    staff_login(client, "jn_supervisor")  # no complaints.intake
    assert client.get("/staff/complaints/new").status_code == 403


def test_rules_page_shows_confidence_and_edits_only_unconfirmed_figures(client, db):
    staff_login(client, "jn_supervisor")  # a city may read the province's figures, not edit them
    assert 'action="/staff/complaints/rules/' not in client.get("/staff/complaints/rules").text
    csrf = staff_login(client, make_staff(db, "sd_supervisor", "370000", ["supervisor"]))["X-CSRF-Token"]
    page = client.get("/staff/complaints/rules").text
    assert page.count('data-confidence="CONFIRMED"') > 0 and 'data-confidence="PARTIAL"' in page
    assert 'action="/staff/complaints/rules/samr121-2026/accept_decision"' in page
    assert 'action="/staff/complaints/rules/samr121-2026/mediation_limit"' not in page
    refused = client.post("/staff/complaints/rules/samr121-2026/mediation_limit", data={"csrf_token": csrf,
                                                                                         "value": "30"})
    assert refused.status_code == 400 and 'data-code="complaints.rule_confirmed"' in refused.text
    saved = client.post("/staff/complaints/rules/samr20-2022/report_notice", data={"csrf_token": csrf, "value": "6",
                                                                                    "note": "试行"},
                        follow_redirects=False)
    assert saved.status_code == 303
    assert "已调整（法定文本 5）" in client.get(saved.headers["location"]).text


def test_clue_register_page_lists_clues_with_their_check_deadline(client, filed):
    code, _ = filed(kind="report", request=None)
    staff_login(client, "lx_handler")
    page = client.get("/staff/enforcement/clues").text
    assert f'data-source-ref="report:{code}"' in page and "程序规定第十八条" in page
    assert client.get("/staff/enforcement/clues.xlsx").status_code == 200


# ----------------------------------------------------------------------------- ODR enterprise


@pytest.fixture
def odr_enterprise(db):
    """An ODR unit and its enterprise user (USCC SHOP_USCC), plus an enterprise user of another firm."""
    with db.transaction() as s:
        s.add(OdrUnit(uscc=SHOP_USCC, name="济南泉城示范超市有限公司", reply_workdays=5, joined_on=clock.today()))
        org_actions.do_create_user(s, actor=SYSTEM, username="shop_odr", password="Shop@2026!", unit_code=None,
                                   display_name="示范超市客服", roles=[], kind="enterprise", entity_uscc=SHOP_USCC)
        org_actions.do_create_user(s, actor=SYSTEM, username="other_odr", password="Other@2026!", unit_code=None,
                                   display_name="其他公司", roles=[], kind="enterprise", entity_uscc=OTHER_USCC)
    return SHOP_USCC


def enterprise_login(client, username: str, password: str) -> str:
    client.cookies.clear()
    response = client.post("/enterprise/login", data={"username": username, "password": password},
                           follow_redirects=False)
    assert response.status_code == 303, response.text
    with client.app.state.sessions.read() as s:
        return org.session_for_token(s, token=client.cookies.get("mr_session"))[1]


def test_enterprise_sees_its_complaints_never_reports_and_settles_through_odr(client, db, odr_enterprise):
    items = file_api(client, respondent_uscc=SHOP_USCC, also_report=True, share_contact=True).json()["items"]
    complaint_code, report_code = (i["query_code"] for i in items)
    assert items[0]["status"] == "odr_pending"
    csrf = enterprise_login(client, "shop_odr", "Shop@2026!")
    page = client.get("/enterprise/complaints")
    assert page.status_code == 200
    assert complaint_code in page.text and report_code not in page.text
    assert "13912345678" in page.text  # the consumer agreed to share it for settling (PIPL Art. 23)
    complaint = item_by_code(db, complaint_code)
    no_choice = client.post(f"/enterprise/complaints/{complaint.id}/reply", data={"csrf_token": csrf, "reply": "好"})
    assert 'data-code="complaints.settled_required"' in no_choice.text
    done = client.post(f"/enterprise/complaints/{complaint.id}/reply", follow_redirects=False,
                       data={"csrf_token": csrf, "reply": "已与消费者协商一致，全额退款", "settled": "1"})
    assert done.status_code == 303
    complaint = item_by_code(db, complaint_code)
    assert (complaint.status, complaint.outcome) == ("closed", "settled")
    after = client.get("/enterprise/complaints").text
    assert "13912345678" not in after and "全额退款" in after  # identity only while settling


def test_enterprise_that_cannot_settle_hands_the_complaint_to_the_bureau(client, db, odr_enterprise):
    code = file_api(client, respondent_uscc=SHOP_USCC).json()["items"][0]["query_code"]
    csrf = enterprise_login(client, "shop_odr", "Shop@2026!")
    item_id = item_by_code(db, code).id
    client.post(f"/enterprise/complaints/{item_id}/reply", data={"csrf_token": csrf, "reply": "无法满足赔偿要求",
                                                                 "settled": "0"})
    assert item_by_code(db, code).status == "received"


def test_enterprise_cannot_reach_others_complaints_or_staff_pages(client, db, odr_enterprise):
    code = file_api(client, respondent_uscc=SHOP_USCC).json()["items"][0]["query_code"]
    item_id = item_by_code(db, code).id
    csrf = enterprise_login(client, "other_odr", "Other@2026!")
    assert code not in client.get("/enterprise/complaints").text
    denied = client.post(f"/enterprise/complaints/{item_id}/reply", data={"csrf_token": csrf, "reply": "x",
                                                                          "settled": "1"})
    assert denied.status_code == 404 and item_by_code(db, code).status == "odr_pending"
    assert client.get("/staff/complaints").status_code == 403
    assert client.post(f"/enterprise/complaints/{item_id}/reply", data={"reply": "x", "settled": "1"}).status_code \
        == 403  # no CSRF token


def test_enterprise_sign_in_is_separate_from_staff_sign_in(client, odr_enterprise):
    anonymous = client.get("/enterprise/complaints", follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/enterprise/login")
    staff_user = client.post("/enterprise/login", data={"username": "lx_handler", "password": "Demo@2026"})
    assert staff_user.status_code == 401 and 'data-code="auth.bad_credentials"' in staff_user.text
    enterprise_user = client.post("/staff/login", data={"username": "shop_odr", "password": "Shop@2026!"})
    assert enterprise_user.status_code == 401
    enterprise_login(client, "shop_odr", "Shop@2026!")
    assert client.get("/enterprise/login", follow_redirects=False).headers["location"] == "/enterprise/complaints"


def test_follow_up_page_and_recording_a_visit(client, db):
    from marketreg.domains.complaints.models import FollowUp

    csrf = login(client, "lx_handler")
    response = client.post("/api/v1/public/complaints", json={
        "kind": "complaint", "complainant_name": "赵六", "complainant_phone": "13911112222",
        "complainant_address": "济南市历下区文化东路1号", "respondent_name": "回访测试商店",
        "respondent_address": "济南市历下区文化东路2号", "title": "退款不到账",
        "facts": "三月购买会员卡，申请退款后一直未到账。", "request": "退款"})
    code = response.json()["items"][0]["query_code"]
    with db.transaction() as s:
        item = s.scalar(select(Item).where(Item.query_code == code))
        item_id = item.id
    client.post(f"/staff/complaints/{item_id}/settle", data={"csrf_token": csrf, "note": "已退款"})
    with db.transaction() as s:
        assert actions.select_follow_ups(s, closed_on=clock.today(), share=1.0) >= 1
    page = client.get("/staff/complaints/follow-ups")
    assert code in page.text and "待回访" in page.text
    client.post(f"/staff/complaints/{item_id}/follow-up", data={"csrf_token": csrf, "result": "satisfied"})
    with db.read() as s:
        assert s.scalar(select(FollowUp.result).where(FollowUp.item_id == item_id)) == "satisfied"


def test_each_handling_action_has_a_page_and_an_api_route_from_the_one_table(app):
    from marketreg.domains.complaints.api import ACTIONS
    from marketreg.web.routes import iter_routes

    posts = {i.path: i.permission for i in iter_routes(app) if "POST" in i.methods}
    for spec in ACTIONS.values():
        assert posts[f"/staff/complaints/{{item_id:int}}/{spec.segment}"] == spec.permission
        if spec.api:
            assert posts[f"/api/v1/complaints/{{item_id:int}}/{spec.segment}"] == spec.permission
    assert sum(spec.api for spec in ACTIONS.values()) == 19
