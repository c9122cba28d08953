"""Reference reads against a database: loading, USCC description, searches, the CLI."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from marketreg.domains.reference import cli, service
from marketreg.domains.reference.loader import load_reference_data
from marketreg.domains.reference.models import Industry, Region
from marketreg.kernel.codes import make_uscc
from marketreg.kernel.errors import DomainError
from marketreg.platform.db import Base, make_engine

_TABLES = [Region.__table__, Industry.__table__]


def _uscc(region: str) -> str:
    return make_uscc("9", "1", region, "MA3C0000")


# ---- loading ------------------------------------------------------------------------------


def test_load_reference_data_is_idempotent(session):
    counts = load_reference_data(session)
    assert counts["regions_inserted"] == counts["regions_updated"] == 0
    assert counts["industries_inserted"] == counts["industries_updated"] == 0
    assert session.scalar(select(func.count()).select_from(Region)) == counts["regions"]
    assert session.scalar(select(func.count()).select_from(Industry)) == counts["industries"] == 1971


def test_load_reference_data_repairs_a_changed_row(session):
    session.get(Region, "370102").name = "改错了"
    session.flush()
    counts = load_reference_data(session)
    assert counts["regions_updated"] == 1
    session.expire_all()
    assert session.get(Region, "370102").name == "历下区"


# ---- USCC ---------------------------------------------------------------------------------

_KEYS = {"code", "valid", "reason", "registration_authority", "entity_type", "region_code", "region_name",
         "region_status", "region_successor"}


def test_gb32100_uscc_with_current_region(session):
    info = service.describe_uscc(session, raw=_uscc("370102").lower())
    assert set(info) == _KEYS
    assert info["code"] == _uscc("370102")
    assert (info["valid"], info["reason"]) == (True, None)
    assert (info["region_code"], info["region_name"], info["region_status"]) == (
        "370102", "济南市历下区", "current")
    assert info["registration_authority"] == "工商（市场监管）" and info["entity_type"] == "企业"
    assert info["region_successor"] is None


@pytest.mark.parametrize(("region", "name", "successor"), [
    ("371202", "莱芜市莱城区", "370116"),
    ("370284", "青岛市胶南市", "370211"),
    ("371200", "莱芜市", None),
    ("370111", "济南市郊区", None),  # split: no single successor
])
def test_gb32100_uscc_with_abolished_gbt2260_region_stays_valid(session, region, name, successor):
    info = service.describe_uscc(session, raw=_uscc(region))
    assert info["valid"] is True
    assert (info["region_status"], info["region_name"], info["region_successor"]) == (
        "abolished", name, successor)


@pytest.mark.parametrize(("region", "name", "successor"), [
    ("370176", "济南市（开发区）", "370100"),  # 济南高新技术产业开发区
    ("371471", "德州市（开发区）", "371400"),  # 德州天衢新区
    ("371271", "莱芜市（开发区）", None),  # zone of the abolished 莱芜市
])
def test_gb32100_uscc_with_nbs_zone_code_is_statistical_zone(session, region, name, successor):
    info = service.describe_uscc(session, raw=_uscc(region))
    assert (info["valid"], info["reason"]) == (True, None)
    assert (info["region_status"], info["region_name"], info["region_successor"]) == (
        "statistical_zone", name, successor)


@pytest.mark.parametrize("region", ["379999", "370199", "999999", "370180"])
def test_gb32100_uscc_with_region_never_in_gbt2260_is_invalid(session, region):
    info = service.describe_uscc(session, raw=_uscc(region))
    assert (info["valid"], info["reason"], info["region_status"]) == (False, "region_unknown", "unknown")
    assert info["region_name"] is None


def test_gb32100_uscc_other_province_and_national(session):
    assert service.describe_uscc(session, raw=_uscc("320102"))["region_name"] == "江苏省南京市玄武区"
    national = service.describe_uscc(session, raw=_uscc("100000"))
    assert (national["valid"], national["region_status"]) == (True, "current")


def test_gb32100_structural_failure_keeps_its_reason(session):
    code = _uscc("370102")
    bad = code[:-1] + ("0" if code[-1] != "0" else "1")
    info = service.describe_uscc(session, raw=bad)
    assert (info["valid"], info["reason"], info["region_name"]) == (False, "checksum", "济南市历下区")
    short = service.describe_uscc(session, raw="9137")
    assert (short["valid"], short["reason"], short["region_status"]) == (False, "length", "unknown")


def test_describe_uscc_without_reference_data_refuses(session):
    session.execute(Region.__table__.delete())
    with pytest.raises(DomainError) as err:
        service.describe_uscc(session, raw=_uscc("370102"))
    assert err.value.code == "reference.not_loaded"
    assert "marketreg migrate" in err.value.message_zh


# ---- regions and industries -----------------------------------------------------------------


def test_region_name(session):
    assert service.region_name(session, code="370103") == "济南市市中区"
    assert service.region_name(session, code="370000") == "山东省"
    assert service.region_name(session, code="370100") == "济南市"
    assert service.region_name(session, code="110105") == "北京市朝阳区"
    assert service.region_name(session, code="371202") == "莱芜市莱城区"
    assert service.region_name(session, code="379999") is None


def test_shandong_counties_and_county_codes_of(session):
    counties = service.shandong_counties(session)
    assert len(counties) == 136
    assert service.county_codes_of(session, city_code="370100") == [
        "370102", "370103", "370104", "370105", "370112", "370113", "370114", "370115", "370116", "370117",
        "370124", "370126"]
    assert service.county_codes_of(session, city_code="371200") == []  # 莱芜 abolished
    assert service.county_codes(session) == frozenset(c.code for c in counties)
    units = service.shandong_units(session)
    assert len(units) == 1 + 16 + 136 and units[0] == ("370000", "山东省")


def test_current_successors(session):
    successors = service.current_successors(session)
    assert successors["370284"] == "370211"
    assert "370111" not in successors  # split
    assert "370102" not in successors  # current


def test_search_regions(session):
    found = service.search_regions(session, q="市中区", level="county", limit=50)
    assert [r.code for r in found][:2] == ["370103", "370402"]
    statuses = [r.status for r in found]
    assert statuses == sorted(statuses, key=lambda st: st != "current")  # current codes first
    assert "370802" in [r.code for r in found]  # 济宁 市中区, abolished 2013
    assert service.search_regions(session, q="苍山", limit=5)[0].code == "371324"  # former name
    assert [r.code for r in service.search_regions(session, q="3701", level="prefecture")] == ["370100"]
    assert len(service.search_regions(session, q="", limit=3)) == 3
    assert service.search_regions(session, q="100%") == []


def test_search_industries(session):
    found = service.search_industries(session, q="稻谷种植", limit=5)
    assert [(i.code, i.level) for i in found] == [("0111", 4)]
    sections = service.search_industries(session, level=1, limit=50)
    assert len(sections) == 20
    assert [i.code for i in service.search_industries(session, q="01", section="a", level=2)] == ["01"]
    assert service.industry_sections(session)["0111"] == "A"


# ---- address resolution through the database ---------------------------------------------------


def test_resolve_address(session):
    found = service.resolve_address(session, text="莱芜市莱城区凤城街道")
    assert (found.kind, found.code) == ("county", "370116")


def test_get_resolver_is_cached_per_database(session, tmp_path):
    assert service.get_resolver(session) is service.get_resolver(session)
    other = make_engine(f"sqlite:///{tmp_path / 'other.db'}")
    Base.metadata.create_all(other, tables=_TABLES)
    with Session(other) as s:
        with pytest.raises(DomainError):
            service.get_resolver(s)
        s.add(Region(code="370000", name="山东省", short_name="山东", level="province", county_type="",
                     parent_code=None, province_code="370000", status="current", valid_from=1981,
                     valid_to=None, successor_code=None))
        s.flush()
        tiny = service.get_resolver(s)
        assert tiny is not service.get_resolver(session)
        assert tiny.resolve("济南市历下区").kind == "unknown"
    other.dispose()


# ---- CLI ----------------------------------------------------------------------------------------


@pytest.fixture
def runner(session, monkeypatch):
    monkeypatch.setattr(cli, "_session", lambda: _NoClose(session))
    return CliRunner()


class _NoClose:
    """Lets the CLI's ``with _session()`` use the test's session without closing it."""

    def __init__(self, session: Session):
        self.session = session

    def __enter__(self) -> Session:
        return self.session

    def __exit__(self, *exc) -> None:
        return None


def test_cli_uscc(runner):
    good, laiwu, bad = _uscc("370102"), _uscc("371202"), _uscc("379999")
    result = runner.invoke(cli.codes_app, ["uscc", good.lower(), laiwu])
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [f"{good}\tvalid", f"{laiwu}\tvalid"]
    result = runner.invoke(cli.codes_app, ["uscc", good, bad, "123"])
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"{good}\tvalid", f"{bad}\tinvalid\tregion_unknown", "123\tinvalid\tlength"]


@pytest.mark.parametrize(("address", "out", "code"), [
    ("济南市历下区泉城路1号", "370102\t历下区", 0),
    ("胶南市", "370211\t黄岛区", 0),
    ("市中区", "ambiguous\t370103,370402", 1),
    ("江苏省南京市玄武区", "outside\t320000", 1),
    ("泉城路", "unknown", 1),
])
def test_cli_region(runner, address, out, code):
    result = runner.invoke(cli.codes_app, ["region", address])
    assert (result.stdout.strip(), result.exit_code) == (out, code)


def test_cli_without_reference_data(runner, session):
    session.execute(Region.__table__.delete())
    result = runner.invoke(cli.codes_app, ["region", "济南市历下区"])
    assert result.exit_code == 2
    assert "参考数据未加载，请先运行 marketreg migrate" in result.stderr
