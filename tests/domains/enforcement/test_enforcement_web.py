"""Enforcement through HTTP: the staff API and pages (refusals included), PDF documents, the
public penalty publicity, and the police inbox — on SQLite and PostgreSQL."""

from __future__ import annotations

import io

from pypdf import PdfReader
from sqlalchemy import func, select, update

from conftest import login
from marketreg.domains.enforcement.models import Case
from marketreg.platform.audit import AuditEvent

API = "/api/v1/enforcement"
CONDITIONS = ["evidence", "penalty_due", "jurisdiction", "limitation"]


def _audits(db) -> int:
    with db.read() as s:
        return s.scalar(select(func.count()).select_from(AuditEvent))


def _filed(client, csrf, name="济南泉城示范超市有限公司") -> dict:
    h = {"X-CSRF-Token": csrf}
    clue = client.post(f"{API}/clues", headers=h, json={
        "source": "inspection", "respondent_name": name, "summary": "检查发现销售过期食品"}).json()
    response = client.post(f"{API}/clues/{clue['id']}/file", headers=h, json={
        "conditions": CONDITIONS, "officers": ["lx_inspector", "lx_officer"], "violation_type": "food_expired"})
    assert response.status_code == 201, response.text
    return response.json()


def _step(client, csrf, case_id, step, **body):
    return client.post(f"{API}/cases/{case_id}/steps/{step}", headers={"X-CSRF-Token": csrf}, json=body)


def test_api_case_from_clue_to_published_decision_with_refusals(client, db):
    csrf = login(client, "sd_admin")
    h = {"X-CSRF-Token": csrf}
    clue = client.post(f"{API}/clues", headers=h, json={"source": "sampling", "respondent_name": "某食品店",
                                                      "summary": "抽检不合格"}).json()
    before = _audits(db)
    refused = client.post(f"{API}/clues/{clue['id']}/file", headers=h, json={
        "conditions": CONDITIONS, "officers": ["lx_inspector"], "violation_type": "food_expired"})
    assert (refused.status_code, refused.json()["code"]) == (400, "enforcement.too_few_officers")
    assert _audits(db) == before
    case = _filed(client, csrf)
    assert case["status"] == "investigating" and case["days_left"] >= 89
    assert _step(client, csrf, case["id"], "deliver").json()["code"] == "enforcement.wrong_state"
    assert _step(client, csrf, case["id"], "end_investigation").status_code == 200
    assert _step(client, csrf, case["id"], "complete_review", note="同意").status_code == 200
    bench = next(b for b in client.get(f"{API}/benchmarks?violation_type=food_expired").json()
                 if b["circumstance"] == "lighter")
    decide = {"penalty_kinds": ["fine"], "fine": "30000", "legal_basis": bench["legal_basis"],
              "benchmark_id": bench["id"]}
    early = _step(client, csrf, case["id"], "decide", **decide)
    assert (early.status_code, early.json()["code"]) == (400, "enforcement.notice_required")
    notice = _step(client, csrf, case["id"], "serve_notice", penalty_kinds=["fine"], fine="30000").json()
    assert notice["hearing_rights"] is False and notice["statement_due_on"]
    assert _step(client, csrf, case["id"], "record_statement", note="初次违法，请求从轻").status_code == 200
    outside = _step(client, csrf, case["id"], "decide", **decide)
    assert (outside.status_code, outside.json()["code"]) == (400, "enforcement.outside_benchmark")
    decided = _step(client, csrf, case["id"], "decide", **decide, outside_range_reason="货值较大").json()
    assert decided["status"] == "decided" and decided["decision_no"].startswith("鲁市监处罚〔2026〕")
    assert _step(client, csrf, case["id"], "deliver").status_code == 200
    assert _step(client, csrf, case["id"], "publish").status_code == 200
    public = client.get("/api/v1/public/penalties", params={"q": "济南泉城示范超市"}).json()
    assert [(p["decision_no"], p["party_name"], p["period_label"]) for p in public] == [
        (decided["decision_no"], "济南泉城示范超市有限公司", "三个月")]
    page = client.get("/penalties", params={"q": decided["decision_no"]})
    assert page.status_code == 200 and decided["decision_no"] in page.text
    with db.read() as s:
        doc = next(d for d in s.get(Case, case["id"]).documents if d.kind == "decision")
    pdf = client.get(f"{API}/documents/{doc.id}")
    assert pdf.headers["content-type"] == "application/pdf"
    text = PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    assert decided["decision_no"] in text and "济南泉城示范超市有限公司" in text and "30,000.00" in text


def _published_natural_person_case(client, db, *, legal_basis: str = "x") -> None:
    csrf = login(client, "sd_admin")
    case = _filed(client, csrf, name="张三丰")
    with db.transaction() as s:
        s.execute(update(Case).where(Case.id == case["id"]).values(party_kind="natural"))
    for step, body in (("end_investigation", {}), ("complete_review", {}),
                       ("serve_notice", {"penalty_kinds": ["fine"], "fine": "6000"}),
                       ("record_statement", {"note": "无异议"})):
        assert _step(client, csrf, case["id"], step, **body).status_code == 200
    bench = client.get(f"{API}/benchmarks?violation_type=food_expired").json()[0]
    assert _step(client, csrf, case["id"], "decide", penalty_kinds=["fine"], fine="6000", legal_basis=legal_basis,
                 benchmark_id=bench["id"], outside_range_reason="自然人，从轻").status_code == 200
    assert _step(client, csrf, case["id"], "publish").status_code == 200


def test_public_penalty_masks_a_natural_persons_name(client, db):
    _published_natural_person_case(client, db)
    [row] = client.get("/api/v1/public/penalties", params={"q": ""}).json()
    assert row["party_name"] == "张**" and row["respondent_uscc"] is None
    assert client.get("/api/v1/public/penalties", params={"q": "张三丰"}).json() == []


def test_case_page_refuses_a_step_out_of_order_with_its_code(client, db):
    csrf = login(client, "sd_admin")
    case = _filed(client, csrf)
    page = client.get(f"/staff/enforcement/cases/{case['id']}")
    assert page.status_code == 200 and case["case_no"] in page.text and 'data-step="end_investigation"' in page.text
    before = _audits(db)
    refused = client.post(f"/staff/enforcement/cases/{case['id']}/steps/deliver", data={"csrf_token": csrf})
    # the page answers the refusal's own status, as the API does: a step out of order is a 409 conflict
    assert refused.status_code == 409 and 'data-code="enforcement.wrong_state"' in refused.text
    assert _audits(db) == before
    done = client.post(f"/staff/enforcement/cases/{case['id']}/steps/add_evidence", data={
        "csrf_token": csrf, "kind": "preservation", "description": "先行登记保存过期牛奶"}, follow_redirects=False)
    assert done.status_code == 303
    assert "先行登记保存过期牛奶" in client.get(f"/staff/enforcement/cases/{case['id']}").text
    queue = client.get("/staff/enforcement/cases")
    assert queue.status_code == 200 and case["case_no"] in queue.text
    assert client.get("/staff/enforcement/dashboard").status_code == 200
    xlsx = client.get("/staff/enforcement/dashboard.xlsx?table=stages")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_police_user_sees_only_the_cases_transferred_to_their_unit(client, db):
    csrf = login(client, "sd_admin")
    kept, sent = _filed(client, csrf, name="未移送公司"), _filed(client, csrf, name="涉嫌犯罪公司")
    response = client.post(f"{API}/cases/{sent['id']}/transfer", headers={"X-CSRF-Token": csrf},
                           json={"target_code": "GA370100", "reason": "涉案货值超过五万元，涉嫌犯罪"})
    assert response.status_code == 201
    client.post("/staff/logout", data={"csrf_token": csrf})
    csrf = login(client, "jn_police")
    home = client.get("/staff/")
    assert home.status_code == 200 and 'href="/staff/enforcement/police"' in home.text
    assert 'href="/staff/enforcement/cases"' not in home.text and 'href="/staff/registry/entities"' not in home.text
    inbox = client.get("/staff/enforcement/police")
    assert inbox.status_code == 200 and sent["case_no"] in inbox.text and kept["case_no"] not in inbox.text
    assert client.get(f"{API}/cases/{sent['id']}").status_code == 403
    assert client.get(f"{API}/cases").status_code == 403
    [transfer] = client.get(f"{API}/transfers").json()
    package = client.get(f"/staff/enforcement/police/{transfer['id']}/package")
    assert package.status_code == 200 and package.content[:2] == b"PK"
    h = {"X-CSRF-Token": csrf}
    early = client.post(f"{API}/transfers/{transfer['id']}/feedback", headers=h, json={"feedback": "已立案侦查"})
    assert early.json()["code"] == "enforcement.not_received"
    assert client.post(f"{API}/transfers/{transfer['id']}/receive", headers=h).status_code == 200
    done = client.post(f"{API}/transfers/{transfer['id']}/feedback", headers=h, json={"feedback": "已立案侦查"}).json()
    assert done["feedback"] == "已立案侦查" and done["feedback_on"]


def test_rules_benchmarks_and_reviews_pages_write_through_forms_and_audit(client, db):
    csrf = login(client, "sd_admin")
    rules_page = client.get("/staff/enforcement/rules")
    assert rules_page.status_code == 200 and "程序规定第十八条" in rules_page.text
    assert "待核（UNCONFIRMED）" in rules_page.text
    refused = client.post("/staff/enforcement/rules/decision", data={"csrf_token": csrf, "value": "120"})
    assert refused.status_code == 400 and 'data-code="enforcement.rule_confirmed"' in refused.text
    saved = client.post("/staff/enforcement/rules/lower_fine_legal", data={"csrf_token": csrf, "value": "20000"})
    assert saved.status_code == 200
    [row] = [r for r in client.get(f"{API}/rules").json() if r["key"] == "lower_fine_legal"]
    assert (row["value"], row["table_value"], row["confidence"]) == ("20000.00", "50000", "UNCONFIRMED")
    before = _audits(db)
    bench = client.post("/staff/enforcement/benchmarks", data={
        "csrf_token": csrf, "violation_type": "price", "violation_label": "价格违法行为", "circumstance": "heavier",
        "fine_min": "50000", "fine_max": "100000", "legal_basis": "价格违法行为行政处罚规定第十三条"})
    assert bench.status_code == 200 and _audits(db) == before + 1
    bad = client.post("/staff/enforcement/benchmarks", data={
        "csrf_token": csrf, "violation_type": "price", "violation_label": "价格违法行为", "circumstance": "lighter",
        "fine_min": "9", "fine_max": "1", "legal_basis": "x"})
    assert bad.status_code == 400 and 'data-code="enforcement.range_invalid"' in bad.text
    reviews = client.get("/staff/enforcement/reviews")
    assert reviews.status_code == 200 and "尚未抽取案卷" in reviews.text
    assert client.post("/staff/enforcement/reviews/sample", data={"csrf_token": csrf, "share": "2"}).status_code == 400


def test_police_package_read_is_audited_and_never_cached(client, db):
    csrf = login(client, "sd_admin")
    case = _filed(client, csrf, name="涉嫌犯罪公司")
    client.post(f"{API}/cases/{case['id']}/transfer", headers={"X-CSRF-Token": csrf},
                json={"target_code": "GA370100", "reason": "涉案货值超过五万元，涉嫌犯罪"})
    client.post("/staff/logout", data={"csrf_token": csrf})
    login(client, "jn_police")
    [transfer] = client.get(f"{API}/transfers").json()
    package = client.get(f"/staff/enforcement/police/{transfer['id']}/package")
    assert package.status_code == 200 and package.headers["cache-control"] == "no-store"
    with db.read() as s:
        row = s.scalars(select(AuditEvent).where(AuditEvent.action == "enforcement.transfer_package_read")).one()
    assert (row.actor_name, row.subject_id, row.new["case_id"]) == ("jn_police", str(transfer["id"]), case["id"])


def test_public_penalty_texts_pass_the_public_text_scrubber(client, db):
    _published_natural_person_case(client, db, legal_basis="《食品安全法》第一百二十四条（张三丰，电话138 0013 8000）")
    [row] = client.get("/api/v1/public/penalties", params={"q": ""}).json()
    assert row["legal_basis"] == "《食品安全法》第一百二十四条（***，电话***）"
    page = client.get("/penalties").text
    assert "138 0013 8000" not in page and "张三丰" not in page and "第一百二十四条（***，电话***）" in page


def test_markup_in_an_enforcement_text_is_refused_alike_by_the_api_and_the_page(client, db):
    csrf = login(client, "sd_admin")
    before = _audits(db)
    api = client.post(f"{API}/clues", headers={"X-CSRF-Token": csrf}, json={
        "source": "inspection", "respondent_name": "某食品店", "summary": "<script>alert(1)</script>过期食品"})
    page = client.post("/staff/enforcement/clues", data={
        "csrf_token": csrf, "source": "inspection", "respondent_name": "某食品店",
        "summary": '<img src=x onerror="alert(1)">'})
    assert (api.status_code, api.json()["code"]) == (400, "enforcement.markup_not_allowed")
    assert "线索内容" in api.json()["message"]
    assert page.status_code == 400 and 'data-code="enforcement.markup_not_allowed"' in page.text
    assert "<img src=x" not in page.text and _audits(db) == before
