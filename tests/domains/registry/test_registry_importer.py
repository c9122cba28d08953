"""Bulk import of market entities: valid rows load, bad rows are reported, files that are
not tables are refused whole, and re-importing changes nothing."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlalchemy import func, select

from marketreg.domains.reference import service as reference
from marketreg.domains.registry import seed as registry_seed
from marketreg.domains.registry.importer import import_entities
from marketreg.domains.registry.models import Entity
from marketreg.kernel.codes import make_uscc
from marketreg.kernel.errors import DomainError
from marketreg.platform.audit import AuditEvent
from marketreg.platform.authz import SYSTEM

# The import's staging table, COPY and set-based upsert are per dialect.
pytestmark = pytest.mark.both_backends


@pytest.fixture
def rows(session) -> list[dict]:
    counties = [registry_seed.County(*r) for r in reference.county_rows(session)]
    return list(registry_seed.generate_entities(30, counties=counties,
                                                industries=reference.industry_leaves_by_section(session), seed=99))


def _write(path: Path, records: list[list[str]], *, header=registry_seed.CSV_HEADER, encoding="utf-8") -> Path:
    with path.open("w", encoding=encoding, newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(records)
    return path


def _count(db, model=Entity) -> int:
    with db.read() as s:
        return s.scalar(select(func.count()).select_from(model))


def test_valid_file_loads_and_reimport_changes_nothing(db, rows, tmp_path):
    path = _write(tmp_path / "entities.csv", [registry_seed.csv_row(r) for r in rows])
    before = _count(db)
    first = import_entities(db, path=path, actor=SYSTEM, chunk_rows=7)
    assert (first.rows, first.inserted, first.rejected) == (30, 30, 0)
    assert _count(db) == before + 30
    audit_rows = _count(db, AuditEvent)
    second = import_entities(db, path=path, actor=SYSTEM, chunk_rows=7)
    assert (second.inserted, second.updated, second.unchanged) == (0, 0, 30)
    assert _count(db) == before + 30
    assert _count(db, AuditEvent) == audit_rows


def test_changed_row_is_updated_on_reimport(db, rows, tmp_path):
    path = _write(tmp_path / "a.csv", [registry_seed.csv_row(r) for r in rows[:3]])
    import_entities(db, path=path, actor=SYSTEM)
    changed = registry_seed.csv_row(rows[0])
    changed[3] = "注销"
    report = import_entities(db, path=_write(tmp_path / "b.csv", [changed]), actor=SYSTEM)
    assert (report.inserted, report.updated) == (0, 1)
    with db.read() as s:
        assert s.scalar(select(Entity.status).where(Entity.uscc == rows[0]["uscc"])) == "cancelled"


def test_gbk_file_is_detected(db, rows, tmp_path):
    path = _write(tmp_path / "gbk.csv", [registry_seed.csv_row(r) for r in rows[:5]], encoding="gbk")
    report = import_entities(db, path=path, actor=SYSTEM)
    assert (report.inserted, report.rejected) == (5, 0)
    with db.read() as s:
        assert s.scalar(select(Entity.name).where(Entity.uscc == rows[0]["uscc"])) == rows[0]["name"]


def test_xlsx_file_loads(db, rows, tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(registry_seed.CSV_HEADER)
    for r in rows[:4]:
        sheet.append(registry_seed.csv_row(r))
    book.save(tmp_path / "e.xlsx")
    report = import_entities(db, path=tmp_path / "e.xlsx", actor=SYSTEM)
    assert (report.inserted, report.rejected) == (4, 0)


def _bad(rows: list[dict], field: int, value: str) -> list[str]:
    record = registry_seed.csv_row(rows.pop())
    record[field] = value
    return record


def test_bad_rows_are_reported_with_row_number_and_reason(db, rows, tmp_path):
    good = [registry_seed.csv_row(r) for r in rows[:5]]
    rows = rows[5:]
    bad = [
        _bad(rows, 0, "91370102MA3C4D5E7X"),                 # checksum
        good[0][:],                                           # duplicate USCC in file
        _bad(rows, 1, "<script>alert(1)</script>有限公司"),    # markup
        _bad(rows, 1, "某" * 201),                            # overlong
        _bad(rows, 2, "外星企业"),                              # unknown type
        _bad(rows, 5, "370102198001010011"),                  # bad ID checksum
        _bad(rows, 8, "379999"),                              # unknown region
        _bad(rows, 9, "9999"),                                # unknown industry
        _bad(rows, 10, "2099-01-01"),                         # future date
        _bad(rows, 11, "-5"),                                 # negative capital
        _bad(rows, 6, "12"),                                  # impossible phone
        [*_bad(rows, 7, "江苏省南京市玄武区中山路1号")[:8], "", *_bad(rows, 0, "x")[9:]],  # outside Shandong
        registry_seed.csv_row(rows.pop())[:4],                # truncated row
    ]
    path = _write(tmp_path / "mixed.csv", good + bad)
    report = import_entities(db, path=path, actor=SYSTEM)
    assert report.inserted == 5
    assert report.rejected == len(bad)
    with open(report.error_file, encoding="utf-8-sig") as fh:
        reported = {row["原因代码"]: int(row["行号"]) for row in csv.DictReader(fh)}
    assert reported["uscc_checksum"] == 7
    assert reported["duplicate_in_file"] == 8
    assert {"markup_not_allowed", "too_long", "entity_type_unknown", "id_number_invalid", "region_unknown",
            "industry_unknown", "date_out_of_range", "capital_invalid", "phone_invalid", "region_outside",
            "truncated_row"} <= set(reported)


def test_sql_injection_text_is_stored_literally(db, rows, tmp_path):
    record = registry_seed.csv_row(rows[0])
    record[1] = "济南'; DROP TABLE market_entity; --有限公司"
    import_entities(db, path=_write(tmp_path / "inj.csv", [record]), actor=SYSTEM)
    with db.read() as s:
        assert s.scalar(select(Entity.name).where(Entity.uscc == rows[0]["uscc"])) == record[1]


def test_region_is_resolved_from_address_when_no_code_column(db, rows, tmp_path):
    header = [h for h in registry_seed.CSV_HEADER if h != "行政区划代码"]
    record = registry_seed.csv_row(rows[0])
    del record[8]
    record[7] = "胶南市珠海路1号"  # abolished 2012 → 黄岛区 370211
    record[0] = make_uscc("9", "1", "370284", "MA9Y9Y9X")
    import_entities(db, path=_write(tmp_path / "addr.csv", [record], header=header), actor=SYSTEM)
    with db.read() as s:
        entity = s.scalar(select(Entity).where(Entity.uscc == record[0]))
    assert (entity.region_code, entity.org_path) == ("370211", "/370000/370200/370211/")


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"", "import.empty"),
        (b"\x00\x01\x02binary\x00garbage" * 10, "import.not_tabular"),
        ("统一社会信用代码,名称,颜色\n".encode(), "import.unknown_columns"),
        ("统一社会信用代码,名称\n".encode(), "import.missing_columns"),
        (b"PK\x03\x04corrupt-zip", "import.bad_workbook"),
    ],
    ids=["empty", "binary", "unknown-column", "missing-columns", "corrupt-xlsx"],
)
def test_bad_files_are_refused_whole(db, tmp_path, content, code):
    path = tmp_path / ("f.xlsx" if content.startswith(b"PK") else "f.csv")
    path.write_bytes(content)
    before = _count(db), _count(db, AuditEvent)
    with pytest.raises(DomainError) as refused:
        import_entities(db, path=path, actor=SYSTEM)
    assert refused.value.code == code
    assert (_count(db), _count(db, AuditEvent)) == before


def test_generated_demo_rows_are_all_valid_import_rows(db, session, tmp_path):
    counties = [registry_seed.County(*r) for r in reference.county_rows(session)]
    generated = registry_seed.generate_entities(1500, counties=counties,
                                                industries=reference.industry_leaves_by_section(session), seed=12)
    path = tmp_path / "demo.csv"
    registry_seed.write_csv(path, generated)
    report = import_entities(db, path=path, actor=SYSTEM, chunk_rows=1000)
    assert (report.rows, report.rejected, report.reasons) == (1500, 0, {})


def _actor(db, username: str):
    from marketreg.domains.org import service as org

    with db.read() as s:
        return org.actor_for(s, user=org.get_user_by_username(s, username=username))


def test_rows_outside_the_actors_jurisdiction_are_rejected_and_change_nothing(db, session, tmp_path):
    """Issue 10: a 济南 registrar's import renamed, deregistered and erased the ID number and
    phone of a 青岛 entity; now every row is checked against the importer's subtree."""
    counties = [registry_seed.County(*r) for r in reference.county_rows(session) if r[0] in ("370102", "370202")]
    made = list(registry_seed.generate_entities(40, counties=counties,
                                                industries=reference.industry_leaves_by_section(session), seed=7))
    qingdao = [r for r in made if r["region_code"] == "370202"]
    jinan = [r for r in made if r["region_code"] == "370102"]
    import_entities(db, path=_write(tmp_path / "base.csv", [registry_seed.csv_row(qingdao[0])]), actor=SYSTEM)
    renamed = registry_seed.csv_row(qingdao[0])
    renamed[1], renamed[3], renamed[5], renamed[6] = "被改名的青岛企业有限公司", "注销", "", ""
    path = _write(tmp_path / "jn.csv", [renamed, registry_seed.csv_row(qingdao[1]), registry_seed.csv_row(jinan[0])])
    report = import_entities(db, path=path, actor=_actor(db, "jn_registrar"))
    assert (report.inserted, report.updated, report.rejected) == (1, 0, 2)
    assert report.reasons == {"outside_jurisdiction": 2}
    with db.read() as s:
        stored = s.scalar(select(Entity).where(Entity.uscc == qingdao[0]["uscc"]))
        assert (stored.name, stored.status, stored.legal_rep_id_number, stored.legal_rep_phone) == (
            qingdao[0]["name"], qingdao[0]["status"], qingdao[0]["legal_rep_id_number"], qingdao[0]["legal_rep_phone"])
        assert s.scalar(select(func.count()).select_from(Entity).where(Entity.uscc == qingdao[1]["uscc"])) == 0
        chunk = s.scalars(select(AuditEvent).where(AuditEvent.action == "registry.import_chunk")
                          .order_by(AuditEvent.id.desc())).first()
    assert chunk.actor_name == "jn_registrar"
    with open(report.error_file, encoding="utf-8-sig") as fh:
        reported = list(csv.DictReader(fh))
    assert [(int(r["行号"]), r["原因代码"]) for r in reported] == [(2, "outside_jurisdiction"),
                                                                 (3, "outside_jurisdiction")]
    assert "管辖范围" in reported[0]["原因"]
    assert reported[0]["名称"] == "被改名的青岛企业有限公司"  # the original values, for correction


def test_error_report_has_chinese_reasons_and_neutralised_original_values(db, rows, tmp_path):
    record = registry_seed.csv_row(rows[0])
    record[1] = "=HYPERLINK(\"http://x\")有限公司"
    record[10] = "2099-01-01"
    report = import_entities(db, path=_write(tmp_path / "f.csv", [record]), actor=SYSTEM)
    with open(report.error_file, encoding="utf-8-sig") as fh:
        (row,) = list(csv.DictReader(fh))
    assert (row["原因代码"], row["原因"]) == ("date_out_of_range", "成立日期超出合理范围")
    assert row["名称"].startswith("'=")  # a spreadsheet shows the text, never runs it


def test_blank_and_ragged_lines_keep_spreadsheet_row_numbers(db, rows, tmp_path):
    path = tmp_path / "ragged.csv"
    good = [",".join(registry_seed.csv_row(r)) for r in rows[:3]]
    lines = [",".join(registry_seed.CSV_HEADER), good[0], "", good[1][:30], good[2]]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = import_entities(db, path=path, actor=SYSTEM)
    assert (report.rows, report.inserted, report.reasons) == (3, 2, {"truncated_row": 1})
    with open(report.error_file, encoding="utf-8-sig") as fh:
        assert [int(r["行号"]) for r in csv.DictReader(fh)] == [4]


def test_vectorised_checks_agree_with_the_row_checks(session):
    """The column-batch check characters accept exactly what the per-row checks accept."""
    import datetime as dt
    import random

    from marketreg.domains.registry.importer import resident_id_valid, uscc_valid
    from marketreg.kernel.codes import birth_place_known, check_resident_id, check_uscc

    rng = random.Random(5)
    counties = [registry_seed.County(*r) for r in reference.county_rows(session)]
    made = list(registry_seed.generate_entities(300, counties=counties,
                                                industries=reference.industry_leaves_by_section(session), seed=1))
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    usccs = [r["uscc"] for r in made]
    usccs += [u[:i] + rng.choice(alphabet) + u[i + 1:] for u in usccs for i in (rng.randrange(18),)]
    assert list(uscc_valid(usccs)) == [check_uscc(u).valid for u in usccs]
    today = dt.date(2026, 12, 1)
    ids = [r["legal_rep_id_number"] for r in made]
    ids += [i[:k] + rng.choice("0123456789") + i[k + 1:] for i in ids for k in (rng.randrange(17),)]
    ids += ["370102" + "20991231" + "0014", "370102" + "19800230" + "0011"]
    ids = [i[:17] + "0" for i in ids[-2:]] + ids
    assert list(resident_id_valid(ids, today, birth_place_known)) == [
        check_resident_id(i, today=today).valid for i in ids]


def _index_names(db) -> set[str]:
    from sqlalchemy import inspect

    with db.read() as s:
        return {ix["name"] for ix in inspect(s.connection()).get_indexes("market_entity")}


def test_large_load_rebuilds_the_secondary_indexes_and_a_missing_one_comes_back(db, rows, tmp_path, monkeypatch):
    from sqlalchemy import text

    from marketreg.domains.registry import loader

    expected = {ix.name for ix in Entity.__table__.indexes}
    with db.transaction() as s:
        s.execute(text("DROP INDEX ix_market_entity_name"))  # as a crash mid-rebuild would leave it
    monkeypatch.setattr(loader, "REBUILD_MIN_ROWS", 1)  # this small file counts as a first load
    report = import_entities(db, path=_write(tmp_path / "big.csv", [registry_seed.csv_row(r) for r in rows]),
                             actor=SYSTEM)
    assert report.inserted == 30
    assert expected <= _index_names(db)
    with db.read() as s:
        by_name = s.scalar(select(Entity.uscc).where(Entity.name == rows[3]["name"]))
    assert by_name == rows[3]["uscc"]


def test_a_user_without_the_import_permission_is_refused_before_anything_is_read(db, rows, tmp_path):
    path = _write(tmp_path / "x.csv", [registry_seed.csv_row(rows[0])])
    before = _count(db), _count(db, AuditEvent)
    with pytest.raises(DomainError) as refused:
        import_entities(db, path=path, actor=_actor(db, "lx_inspector"))
    assert refused.value.code == "auth.forbidden"
    assert (_count(db), _count(db, AuditEvent)) == before
