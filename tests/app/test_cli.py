"""The command-line contracts, run as real processes against each database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import build_database, database_url
from marketreg.kernel.codes import make_uscc

MARKETREG = [sys.executable, "-m", "marketreg.app.cli"]


@pytest.fixture(scope="session")
def cli_env(backend, tmp_path_factory) -> dict[str, str]:
    url = database_url(backend, tmp_path_factory, "cli")
    build_database(url).dispose()
    return {**os.environ, "MARKETREG_DATABASE_URL": url}


def run(env, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*MARKETREG, *args], env=env, capture_output=True, text=True, timeout=120)


def test_codes_uscc_contract(cli_env):
    good = make_uscc("9", "1", "370102", "MA3C4D5E")
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    ok = run(cli_env, "codes", "uscc", good.lower())
    assert (ok.returncode, ok.stdout) == (0, f"{good}\tvalid\n")
    mixed = run(cli_env, "codes", "uscc", good, bad, "123")
    assert mixed.returncode == 1
    assert mixed.stdout.splitlines() == [f"{good}\tvalid", f"{bad}\tinvalid\tchecksum", "123\tinvalid\tlength"]


@pytest.mark.parametrize(
    ("address", "expected", "code"),
    [
        ("山东省济南市历下区泉城路1号", "370102\t历下区", 0),
        ("莱芜市莱城区凤城大街", "370116\t莱芜区", 0),
        ("胶南市珠海路", "370211\t黄岛区", 0),
        ("市中区建设路1号", "ambiguous\t370103,370402", 1),
        ("江苏省南京市玄武区中山路", "outside\t320000", 1),
        ("没有地名的文字", "unknown", 1),
    ],
)
def test_codes_region_contract(cli_env, address, expected, code):
    result = run(cli_env, "codes", "region", address)
    assert (result.returncode, result.stdout.strip()) == (code, expected)


def test_calendar_add_workdays_contract(cli_env):
    assert run(cli_env, "calendar", "add-workdays", "2025-09-30", "1").stdout == "2025-10-09\n"
    assert run(cli_env, "calendar", "add-workdays", "2026-12-30", "5").stdout == "2027-01-06\tprovisional\n"
    bad = run(cli_env, "calendar", "add-workdays", "2026-13-01", "1")
    assert bad.returncode != 0 and "invalid date" in bad.stderr


def test_calendar_import_makes_2027_official(cli_env, tmp_path):
    file = tmp_path / "2027.csv"
    file.write_text("date,type,name\n2027-01-01,holiday,元旦\n2027-01-04,holiday,测试\n", encoding="utf-8")
    assert run(cli_env, "calendar", "import", str(file)).returncode == 0
    assert run(cli_env, "calendar", "add-workdays", "2026-12-30", "3").stdout == "2027-01-06\n"
    broken = tmp_path / "bad.csv"
    broken.write_text("date,type\n2027-02-30,holiday\n", encoding="utf-8")
    result = run(cli_env, "calendar", "import", str(broken))
    assert result.returncode != 0 and "calendar.bad_date" in result.stderr


def test_import_entities_and_audit_verify(cli_env, tmp_path):
    from marketreg.domains.registry.seed import CSV_HEADER

    good = make_uscc("9", "2", "370102", "MA7Y7Y7Y")
    file = tmp_path / "e.csv"
    file.write_text(",".join(CSV_HEADER) + "\n"
                    f"{good},济南测试商行,个体工商户,存续,张三,,13912345678,济南市历下区泉城路1号,370102,5211,2020-01-02,10\n"
                    "BAD,坏数据,企业,,李四,,,济南市历下区,370102,5211,2020-01-02,\n", encoding="utf-8")
    result = run(cli_env, "import", "entities", str(file))
    assert result.returncode == 0, result.stderr
    assert "inserted=1" in result.stdout and "rejected=1" in result.stdout
    assert Path(str(file) + ".errors.csv").exists()
    again = run(cli_env, "import", "entities", str(file))
    assert "inserted=0 updated=0 unchanged=1" in again.stdout
    missing = run(cli_env, "import", "entities", str(tmp_path / "nope.csv"))
    assert missing.returncode != 0 and "import.no_file" in missing.stderr
    verify = run(cli_env, "audit", "verify")
    assert verify.returncode == 0 and verify.stdout.startswith("ok\t")


def test_import_entities_as_a_city_registrar_leaves_other_cities_alone(cli_env, tmp_path):
    """Issue 10: ``import entities FILE --as jn_registrar`` with a 青岛 row changed that entity."""
    from sqlalchemy import create_engine, text

    from marketreg.domains.registry.seed import CSV_HEADER

    qingdao = make_uscc("9", "2", "370202", "MA6Q6Q6Q")
    row = (f"{qingdao},青岛测试商行,个体工商户,存续,王五,,13912345679,青岛市市南区香港中路1号,370202,5211,"
           "2020-01-02,10\n")
    base = tmp_path / "qd.csv"
    base.write_text(",".join(CSV_HEADER) + "\n" + row, encoding="utf-8")
    assert "inserted=1" in run(cli_env, "import", "entities", str(base)).stdout
    changed = tmp_path / "qd_changed.csv"
    changed.write_text(",".join(CSV_HEADER) + "\n" + row.replace("青岛测试商行,个体工商户,存续,王五,,13912345679",
                                                                  "改名商行,个体工商户,注销,王五,,"), encoding="utf-8")
    result = run(cli_env, "import", "entities", str(changed), "--as", "jn_registrar")
    assert result.returncode == 0, result.stderr
    assert "inserted=0 updated=0 unchanged=0 rejected=1" in result.stdout and "outside_jurisdiction" in result.stdout
    engine = create_engine(cli_env["MARKETREG_DATABASE_URL"])
    try:
        with engine.connect() as conn:
            stored = conn.execute(text("SELECT name, status, legal_rep_phone FROM market_entity WHERE uscc = :u"),
                                  {"u": qingdao}).one()
    finally:
        engine.dispose()
    assert tuple(stored) == ("青岛测试商行", "active", "13912345679")
    unknown = run(cli_env, "import", "entities", str(changed), "--as", "nobody")
    assert unknown.returncode != 0 and "nobody" in unknown.stderr


@pytest.mark.both_backends
def test_audit_verify_names_the_tampered_row(backend, tmp_path_factory):
    from sqlalchemy import text

    url = database_url(backend, tmp_path_factory, "tamper")
    engine = build_database(url)  # demo users' creation wrote audit rows
    env = {**os.environ, "MARKETREG_DATABASE_URL": url,
           "MARKETREG_STORAGE_DIR": str(tmp_path_factory.mktemp("tamper_storage"))}
    pending = run(env, "audit", "verify")
    assert pending.returncode == 0 and "\t0 rows sealed" in pending.stdout
    sealed = run(env, "audit", "seal")
    assert sealed.returncode == 0 and sealed.stdout.startswith("sealed\t")
    head = json.loads(run(env, "audit", "head").stdout)
    assert head["seq"] == int(sealed.stdout.split("\t")[1].split()[0]) and len(head["mac"]) == 64
    assert run(env, "audit", "verify").stdout.startswith(f"ok\t{head['seq']} rows sealed\t0 pending")
    with engine.begin() as conn:
        if backend == "postgresql":
            conn.execute(text("DROP TRIGGER audit_event_no_update ON audit_event"))
        else:
            conn.execute(text("DROP TRIGGER audit_event_no_update"))
        conn.execute(text("UPDATE audit_event SET actor_name = 'intruder' WHERE seq = 3"))
    engine.dispose()
    result = run(env, "audit", "verify")
    assert result.returncode == 1
    assert result.stdout.strip() == "broken\tseq=3\taltered\t记录内容被篡改"


def test_rule_c8_complaints_clocks_prints_the_3_year_time_limit(cli_env):
    result = run(cli_env, "complaints", "clocks", "--kind", "complaint", "--received", "2026-05-02",
                 "--harm-known", "2023-05-01")
    assert result.returncode == 0, result.stderr
    lines = {line.split("\t")[0]: line.split("\t") for line in result.stdout.splitlines()}
    _, last_day, version, basis = lines["time_limit"]
    assert (last_day, version) == ("2026-05-06", "samr121-2026")  # 1 May 2026 falls in the 1–5 May holiday
    assert "办法第十六条第（四）项" in basis and "第四十五条" in basis
    provisional = run(cli_env, "complaints", "clocks", "--kind", "complaint", "--received", "2026-05-02",
                      "--harm-known", "2025-03-04")  # 2028 has no official arrangement
    last = provisional.stdout.splitlines()[-1]
    assert last.startswith("time_limit\t2028-03-06\t") and last.endswith("\tprovisional")
    bad = run(cli_env, "complaints", "clocks", "--kind", "report", "--received", "2026-05-02",
              "--harm-known", "2023-05-01")
    assert bad.returncode != 0 and "--harm-known" in bad.stderr
