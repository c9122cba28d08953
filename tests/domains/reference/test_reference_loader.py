"""The packaged GB/T 2260 and GB/T 4754 files, read without a database."""

from __future__ import annotations

from collections import Counter

import pytest

from marketreg.domains.reference.loader import _parse_successors, read_industry_rows, read_region_rows


@pytest.fixture(scope="module")
def regions():
    return {r.code: r for r in read_region_rows()}


def test_gbt2260_shandong_has_16_cities_and_136_counties(regions):
    current = [r for r in regions.values() if r.province_code == "370000" and r.status == "current"]
    levels = Counter(r.level for r in current)
    assert levels == {"province": 1, "prefecture": 16, "county": 136}
    types = Counter(r.county_type for r in current if r.level == "county")
    assert types == {"市辖区": 58, "县级市": 26, "县": 52}


def test_gbt2260_national_current_codes_are_all_loaded(regions):
    assert sum(r.status == "current" for r in regions.values()) == 3213
    assert regions["110101"].name == "东城区"
    assert regions["110101"].parent_code == "110000"


def test_gbt2260_abolished_code_maps_to_successor(regions):
    for old, new in [("370284", "370211"), ("370282", "370215"), ("370181", "370114"), ("370521", "370505"),
                     ("371202", "370116"), ("371203", "370117"), ("379013", "370215"), ("370802", "370811")]:
        row = regions[old]
        assert row.status == "abolished"
        assert row.successor_code == new, old
        assert regions[new].status == "current"


def test_gbt2260_successor_chain_is_followed_to_a_current_code(regions):
    # 即墨县 (1981–1989) → 379013 即墨市 (province-administered) → 370282 即墨市 → 370215 即墨区.
    assert regions["370222"].successor_code == "370215"
    # 蓬莱县 → 蓬莱市 370684 → 蓬莱区 370614 (2020).
    assert regions["370622"].successor_code == "370614"


def test_gbt2260_split_code_has_no_single_successor(regions):
    row = regions["370111"]  # 济南 郊区, split in 1987
    assert row.successor_code is None
    assert row.successor_codes == ("370102", "370103", "370104", "370105", "370112")


def test_gbt2260_partial_transfers_before_abolition_are_not_successors():
    # 莱城区: part went to 钢城区 (371203) in 2006; the whole became 370116 in 2019.
    assert _parse_successors("371203[2006];370116") == ["370116"]
    assert _parse_successors("370211[1996];370211[2003];370211") == ["370211"]
    assert _parse_successors("372802[1985]") == ["372802"]
    assert _parse_successors("") == []


def test_gbt2260_abolished_prefecture_and_years(regions):
    laiwu = regions["371200"]
    assert (laiwu.name, laiwu.level, laiwu.status, laiwu.valid_from, laiwu.valid_to) == (
        "莱芜市", "prefecture", "abolished", 1992, 2018)
    assert regions["370102"].valid_to is None


def test_gbt2260_renamed_code_keeps_its_former_name(regions):
    assert regions["371324"].name == "兰陵县"
    assert regions["371324"].former_names == ("苍山县",)


def test_gbt2260_nbs_development_zone_codes_are_not_gbt2260(regions):
    assert "370176" not in regions
    assert "371471" not in regions


def test_gbt4754_2017_counts():
    levels = Counter(i.level_name for i in read_industry_rows())
    assert levels == {"门类": 20, "大类": 97, "中类": 473, "小类": 1381}


def test_gbt4754_2017_parent_chain():
    rows = {i.code: i for i in read_industry_rows()}
    small = rows["0111"]
    assert (small.name, small.parent, small.section) == ("稻谷种植", "011", "A")
    assert rows["011"].parent == "01" and rows["01"].parent == "A" and rows["A"].parent is None
