"""Registry pages and API: jurisdiction, masking, audited unmasking, public lookup, export."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from conftest import login
from marketreg.domains.reference import service as reference
from marketreg.domains.registry import seed as registry_seed
from marketreg.domains.registry.models import Entity
from marketreg.kernel import clock
from marketreg.platform.audit import AuditEvent

PII_VIEWS = select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "registry.pii_viewed")


@pytest.fixture
def entities(db) -> list[dict]:
    with db.transaction() as s:
        counties = [registry_seed.County(*r) for r in reference.county_rows(s)
                    if r[0] in ("370102", "370103", "370202")]
        rows = list(registry_seed.generate_entities(60, counties=counties,
                                                    industries=reference.industry_leaves_by_section(s), seed=5))
        for r in rows:
            r["created_at"] = r["updated_at"] = clock.now()
        s.execute(Entity.__table__.insert(), rows)
    return rows


def _in(rows, county):
    return [r for r in rows if r["region_code"] == county]


def test_county_user_sees_only_own_county(client, entities):
    login(client, "lx_registrar")
    body = client.get("/api/v1/registry/entities", params={"page_size": 100}).json()
    assert body["total"] == len(_in(entities, "370102")) > 0
    assert {i["region_code"] for i in body["items"]} == {"370102"}


def test_city_user_sees_its_counties(client, entities):
    login(client, "jn_registrar")
    body = client.get("/api/v1/registry/entities", params={"page_size": 100}).json()
    assert {i["region_code"] for i in body["items"]} == {"370102", "370103"}


def test_personal_data_is_masked_by_default(client, entities):
    login(client, "lx_registrar")
    target = _in(entities, "370102")[0]
    body = client.get(f"/api/v1/registry/entities/{target['uscc']}").json()
    assert body["masked"] is True
    assert body["legal_rep_id_number"] != target["legal_rep_id_number"]
    assert "*" in body["legal_rep_id_number"] and "*" in body["legal_rep_phone"]
    assert body["legal_rep_id_number"][:6] == target["legal_rep_id_number"][:6]


def test_unmasking_needs_the_permission_and_is_audited(client, db, entities):
    target = _in(entities, "370102")[0]
    csrf = login(client, "lx_inspector")  # inspectors may view entities but not unmask
    denied = client.post(f"/api/v1/registry/entities/{target['uscc']}/unmask", headers={"X-CSRF-Token": csrf})
    assert denied.status_code == 403
    client.cookies.clear()
    csrf = login(client, "lx_registrar")
    with db.read() as s:
        before = s.scalar(PII_VIEWS)
    body = client.post(f"/api/v1/registry/entities/{target['uscc']}/unmask", headers={"X-CSRF-Token": csrf}).json()
    assert body["legal_rep_id_number"] == target["legal_rep_id_number"] and body["masked"] is False
    with db.read() as s:
        row = s.scalars(select(AuditEvent).where(AuditEvent.action == "registry.pii_viewed")
                        .order_by(AuditEvent.seq.desc())).first()
        after = s.scalar(PII_VIEWS)
    assert after == before + 1
    assert (row.actor_name, row.subject_id) == ("lx_registrar", target["uscc"])


def test_search_by_pinyin_initials_and_name(client, entities):
    login(client, "sd_admin")
    target = entities[0]
    by_initials = client.get("/api/v1/registry/entities", params={"q": target["name_initials"][:6]}).json()
    assert target["uscc"] in {i["uscc"] for i in by_initials["items"]}
    by_name = client.get("/api/v1/registry/entities", params={"q": target["name"][2:6]}).json()
    assert target["uscc"] in {i["uscc"] for i in by_name["items"]}
    page = client.get("/staff/registry/entities", params={"q": target["uscc"].lower()})
    assert target["name"] in page.text


def test_export_is_an_excel_file_scoped_to_jurisdiction(client, entities):
    from openpyxl import load_workbook

    login(client, "lx_registrar")
    response = client.get("/staff/registry/entities.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][0] == "统一社会信用代码"
    assert {r[0] for r in values[1:]} == {e["uscc"] for e in _in(entities, "370102")}
    assert all("*" in (r[4] or "*") for r in values[1:])


def test_public_lookup_masks_and_hides_identity_numbers(client, entities):
    target = entities[0]
    found = client.get("/api/v1/public/entities", params={"q": target["uscc"]}).json()
    assert len(found) == 1
    assert found[0]["legal_rep_name"] != target["legal_rep_name"] and "*" in found[0]["legal_rep_name"]
    assert "legal_rep_id_number" not in found[0] and "legal_rep_phone" not in found[0]
    page = client.get("/entities", params={"q": target["name"][:4]})
    assert target["name"] in page.text and target["legal_rep_name"] not in page.text


@pytest.mark.parametrize(("q", "code"), [("", "registry.empty_query"), ("济", "registry.query_too_short"),
                                         ("x" * 100 + "y", "request.invalid")])
def test_public_lookup_rejects_bad_queries_in_chinese(client, q, code):
    response = client.get("/api/v1/public/entities", params={"q": q})
    assert response.status_code in (400, 422)
    assert response.json()["code"] == code
    assert any("\u4e00" <= ch <= "\u9fff" for ch in response.json()["message"])


def test_uscc_reference_endpoint_contract(client):
    from marketreg.kernel.codes import make_uscc

    code = make_uscc("9", "1", "370284", "MA1B2C3D")  # 胶南市, abolished 2012
    body = client.get(f"/api/v1/reference/uscc/{code}").json()
    contract = {"code", "valid", "reason", "registration_authority", "entity_type", "region_code", "region_name"}
    assert contract <= set(body)
    assert body["valid"] is True and body["region_code"] == "370284"
    assert body["region_successor"] == "370211"


def test_export_is_audited_with_its_filters_and_rows_and_never_cached(client, db, entities):
    login(client, "lx_registrar")
    response = client.get("/staff/registry/entities.xlsx", params={"status": "active"})
    assert response.status_code == 200 and response.headers["cache-control"] == "no-store"
    with db.read() as s:
        row = s.scalars(select(AuditEvent).where(AuditEvent.action == "registry.exported")).one()
    active = [e for e in _in(entities, "370102") if e["status"] == "active"]
    assert (row.actor_name, row.new["filters"], row.new["rows"]) == ("lx_registrar", {"status": "active"}, len(active))


def test_unmasked_views_are_never_cached(client, entities):
    target = _in(entities, "370102")[0]
    csrf = login(client, "lx_registrar")
    api = client.post(f"/api/v1/registry/entities/{target['uscc']}/unmask", headers={"X-CSRF-Token": csrf})
    page = client.post(f"/staff/registry/entities/{target['uscc']}/unmask", data={"csrf_token": csrf})
    assert page.status_code == 200 and target["legal_rep_id_number"] in page.text
    assert api.headers["cache-control"] == page.headers["cache-control"] == "no-store"
    masked = client.get(f"/staff/registry/entities/{target['uscc']}")
    assert "no-store" not in masked.headers.get("cache-control", "")
@pytest.fixture
def cross_city_file(db, tmp_path):
    """A 青岛 entity in the database, and a file that renames it, deregisters it and erases its
    ID number and phone, adds another 青岛 entity and one 济南 entity."""
    from marketreg.domains.registry.importer import import_entities
    from marketreg.platform.authz import SYSTEM

    with db.read() as s:
        counties = [registry_seed.County(*r) for r in reference.county_rows(s) if r[0] in ("370102", "370202")]
        made = list(registry_seed.generate_entities(40, counties=counties,
                                                    industries=reference.industry_leaves_by_section(s), seed=8))
    qingdao = [r for r in made if r["region_code"] == "370202"]
    jinan = [r for r in made if r["region_code"] == "370102"]
    base = tmp_path / "base.csv"
    registry_seed.write_csv(base, iter([qingdao[0]]))
    import_entities(db, path=base, actor=SYSTEM)
    renamed = registry_seed.csv_row(qingdao[0])
    renamed[1], renamed[3], renamed[5], renamed[6] = "被改名的青岛企业有限公司", "注销", "", ""
    path = tmp_path / "cross.csv"
    lines = [registry_seed.CSV_HEADER, renamed, registry_seed.csv_row(qingdao[1]), registry_seed.csv_row(jinan[0])]
    path.write_text("\n".join(",".join(line) for line in lines) + "\n", encoding="utf-8")
    return path, qingdao, jinan


def _unchanged(db, entity: dict) -> bool:
    with db.read() as s:
        stored = s.scalar(select(Entity).where(Entity.uscc == entity["uscc"]))
    return (stored.name, stored.status, stored.legal_rep_id_number, stored.legal_rep_phone) == (
        entity["name"], entity["status"], entity["legal_rep_id_number"], entity["legal_rep_phone"])


def _last_import_job(db):
    from marketreg.platform.jobs import Job

    with db.read() as s:
        return s.scalars(select(Job).where(Job.kind == "registry.import").order_by(Job.id.desc())).first()


def test_page_import_of_another_citys_rows_changes_nothing_there(client, db, cross_city_file):
    path, qingdao, _ = cross_city_file
    csrf = login(client, "jn_registrar")
    with path.open("rb") as fh:
        response = client.post("/staff/registry/import", files={"file": ("主体.csv", fh, "text/csv")},
                               data={"csrf_token": csrf}, follow_redirects=False)
    assert response.status_code == 303
    job = _last_import_job(db)
    assert job.status == "succeeded", job.message
    assert (job.created_by, job.result["inserted"], job.result["reasons"]) == (
        "jn_registrar", 1, {"outside_jurisdiction": 2})
    assert "该主体不在您的管辖范围内" in job.message  # the job monitor says why, in Chinese
    assert _unchanged(db, qingdao[0])
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(Entity).where(Entity.uscc == qingdao[1]["uscc"])) == 0
        chunk = s.scalars(select(AuditEvent).where(AuditEvent.action == "registry.import_chunk")
                          .order_by(AuditEvent.id.desc())).first()
    assert chunk.actor_name == "jn_registrar"  # the job runs as the user who started it
    page = client.get("/staff/registry/import")
    assert f"/staff/registry/import/{job.id}/errors.csv" in page.text
    report = client.get(f"/staff/registry/import/{job.id}/errors.csv")
    assert report.status_code == 200
    text = report.content.decode("utf-8-sig")
    assert "不在您的管辖范围内" in text and "被改名的青岛企业有限公司" in text and text.splitlines()[1].startswith("2,")


def test_api_import_is_scoped_to_the_users_jurisdiction(client, db, cross_city_file):
    path, qingdao, _ = cross_city_file
    csrf = login(client, "jn_registrar")
    with path.open("rb") as fh:
        response = client.post("/api/v1/registry/imports", files={"file": ("entities.csv", fh, "text/csv")},
                               headers={"X-CSRF-Token": csrf})
    assert response.status_code == 202, response.text
    body = response.json()
    assert body["status"] == "succeeded" and body["result"]["reasons"] == {"outside_jurisdiction": 2}
    assert "error_file" not in body["result"]
    assert _unchanged(db, qingdao[0])
    errors = client.get(body["error_report"])
    assert errors.status_code == 200 and "outside_jurisdiction" in errors.content.decode("utf-8-sig")
    with db.read() as s:
        downloads = s.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "registry.import_errors_downloaded"))
    assert downloads == 1
    client.cookies.clear()
    login(client, "sn_registrar")  # 青岛: not this job's jurisdiction
    assert client.get(f"/api/v1/registry/imports/{body['id']}").status_code == 404
    assert client.get(body["error_report"]).status_code == 404


def test_import_template_has_the_import_columns(client):
    from openpyxl import load_workbook

    from marketreg.domains.registry.importer import COLUMNS, TEMPLATE_HEADER, map_header

    login(client, "lx_registrar")
    sheet = load_workbook(io.BytesIO(client.get("/staff/registry/import/template.xlsx").content)).active
    header = list(next(sheet.iter_rows(values_only=True)))
    assert header == TEMPLATE_HEADER and set(map_header(header)) == set(COLUMNS)
    text = client.get("/staff/registry/import/template.csv").content.decode("utf-8-sig")
    assert text.strip().split(",") == TEMPLATE_HEADER

