"""AddressResolver without a database: built from the packaged GB/T 2260 files."""

from __future__ import annotations

import pytest

from marketreg.domains.reference.address import AddressResolver, RegionRow, Resolution, short_name
from marketreg.domains.reference.loader import read_region_rows


@pytest.fixture(scope="module")
def resolver() -> AddressResolver:
    return AddressResolver(read_region_rows())


QINGDAO = ("370202", "370203", "370211", "370212", "370213", "370214", "370215", "370281", "370283", "370285")
JINAN = ("370102", "370103", "370104", "370105", "370112", "370113", "370114", "370115", "370116", "370117",
         "370124", "370126")

COUNTY_CASES = [
    ("full address", "山东省济南市历下区泉城路1号", "370102"),
    ("no province", "济南市历下区泉城路1号", "370102"),
    ("no province no city", "历下区泉城路1号", "370102"),
    ("city and county shortened", "济南历下泉城路1号", "370102"),
    ("short city, full county", "济南历下区泉城路", "370102"),
    ("spaces and country", "中国 山东省 济南市 历下区", "370102"),
    ("label before address", "住所：山东省青岛市崂山区松岭路", "370212"),
    ("county-level city without 市", "曲阜", "370881"),
    ("county-level city without 市, with more text", "寿光圣城街道", "370783"),
    ("county-level city with 市", "寿光市圣城街道", "370783"),
    ("county without 县", "平阴榆山街道", "370124"),
    ("county without 县 after short city", "临沂兰陵", "371324"),
    ("two-character county", "莒县城阳街道", "371122"),
    ("full chain with county-level city", "中国山东省潍坊市青州市王府街道", "370781"),
    ("city short, county short", "淄博张店", "370303"),
    ("市中区 with 济南", "济南市市中区经七路", "370103"),
    ("市中区 with 枣庄", "枣庄市市中区", "370402"),
    ("济南市中区 written without the second 市", "济南市中区经七路", "370103"),
    ("济宁市中区 merged into 任城区 (2013)", "济宁市市中区", "370811"),
    ("市南区 is unique", "市南区香港中路", "370202"),
    ("county name later in the text", "泉城路1号历下区", "370102"),
    ("county after a road containing a county short name", "青岛市市北区即墨路", "370203"),
    ("东营区 versus 东营市", "东营区西城", "370502"),
    ("泰安市泰山区", "泰安市泰山区", "370902"),
    ("兰陵县", "山东省临沂市兰陵县", "371324"),
]

HISTORIC_CASES = [
    ("莱城区 (莱芜市 abolished 2019)", "莱芜市莱城区凤城街道", "370116"),
    ("钢城区 under 莱芜市", "莱芜市钢城区", "370117"),
    ("莱城区 written under 济南", "济南市莱城区", "370116"),
    ("胶南市 merged into 黄岛区 (2012)", "胶南市珠海路", "370211"),
    ("胶南市 under 青岛", "山东省青岛市胶南市", "370211"),
    ("即墨市 → 即墨区 (2017)", "即墨市蓝村镇", "370215"),
    ("即墨 short", "即墨蓝村", "370215"),
    ("章丘市 → 章丘区 (2016)", "章丘市明水街道", "370114"),
    ("垦利县 → 垦利区 (2016)", "东营市垦利县", "370505"),
    ("苍山县 renamed 兰陵县 (2014)", "苍山县卞庄镇", "371324"),
    ("文登市 → 文登区 (2014), split part to 环翠区", "文登市龙山路", "371003"),
    ("蓬莱县 → 蓬莱市 → 蓬莱区", "烟台地区蓬莱县", "370614"),
    ("长岛县 → 蓬莱区 (2020)", "长岛县南长山街道", "370614"),
    ("陵县 → 陵城区 (2014)", "德州市陵县", "371403"),
    ("兖州市 → 兖州区 (2013)", "兖州市", "370812"),
    ("沾化县 → 沾化区 (2014)", "滨州沾化县", "371603"),
]


def _labels(cases):
    return [c[0] for c in cases]


@pytest.mark.parametrize(("label", "address", "code"), COUNTY_CASES, ids=_labels(COUNTY_CASES))
def test_resolves_county(resolver, label, address, code):
    found = resolver.resolve(address)
    assert (found.kind, found.code) == ("county", code), label
    assert found.candidates == (code,)


@pytest.mark.parametrize(("label", "address", "code"), HISTORIC_CASES, ids=_labels(HISTORIC_CASES))
def test_gbt2260_abolished_name_resolves_to_current_county(resolver, label, address, code):
    found = resolver.resolve(address)
    assert (found.kind, found.code) == ("county", code), label


def test_resolved_name_is_todays_name(resolver):
    assert resolver.resolve("胶南市").name == "黄岛区"
    assert resolver.resolve("莱芜市莱城区").name == "莱芜区"


def test_shared_county_name_alone_is_ambiguous(resolver):
    found = resolver.resolve("市中区解放路")
    assert found.kind == "ambiguous"
    # 济宁's 市中区 no longer exists (merged 2013), so only today's two remain.
    assert found.candidates == ("370103", "370402")
    assert found.code is None


@pytest.mark.parametrize(("label", "address", "expected"), [
    ("city only", "青岛市某路", QINGDAO),
    ("short city only", "青岛香港中路", QINGDAO),
    ("road named after a county, not in it", "青岛市即墨路17号", QINGDAO),
    ("market supervision bureau, not a city 市", "青岛市场监管局", QINGDAO),
    ("development zone is not a county", "济南市高新区舜华路", JINAN),
    ("abolished 莱芜市 → its counties today", "莱芜市凤城街道", ("370116", "370117")),
], ids=lambda v: v if isinstance(v, str) and not v.isdigit() else "")
def test_city_without_county_offers_its_counties(resolver, label, address, expected):
    found = resolver.resolve(address)
    assert found.kind == "ambiguous", label
    assert found.candidates == expected


def test_county_not_in_stated_city_is_ambiguous(resolver):
    found = resolver.resolve("济南市崂山区")
    assert found.kind == "ambiguous"
    assert found.candidates[0] == "370212"
    assert set(JINAN) <= set(found.candidates)


def test_gbt2260_split_division_is_ambiguous(resolver):
    # 沧口区 (abolished 1994) went to 四方区 (now 市北区 370203) and 李沧区 370213.
    found = resolver.resolve("青岛市沧口区")
    assert (found.kind, found.candidates) == ("ambiguous", ("370203", "370213"))


def test_gbt2260_split_division_prefers_the_part_that_kept_the_name(resolver):
    # 文登市 went to 文登区 and 环翠区; 莱芜市 (county-level, 1990–1992) to 莱城区 (now 莱芜区) and 钢城区.
    assert resolver.resolve("威海市文登市").code == "371003"
    assert resolver.resolve("泰安市莱芜市").code == "370116"


@pytest.mark.parametrize(("address", "province"), [
    ("江苏省南京市玄武区中山路1号", "320000"),
    ("北京市朝阳区建国路", "110000"),
    ("上海浦东新区世纪大道", "310000"),
    ("广东深圳南山", "440000"),
    ("南京市鼓楼区", "320000"),
    ("海淀区中关村", "110000"),
    ("内蒙古自治区呼和浩特市", "150000"),
    ("收货地址江苏省苏州市", "320000"),
    ("天津市河东区", "120000"),
])
def test_other_province_is_outside(resolver, address, province):
    found = resolver.resolve(address)
    assert (found.kind, found.code) == ("outside", province)


def test_shandong_name_wins_over_same_name_elsewhere(resolver):
    # 河东区 exists in 临沂 and in 天津; without a province it is read as Shandong's.
    assert resolver.resolve("河东区九曲街道").code == "371312"


@pytest.mark.parametrize("address", [
    "",
    "   ",
    "泉城路1号",
    "山东省",
    "泰山路",
    "黄河口大道",
    "某某公司",
    "郊区",
    "朝阳区建国路",  # 朝阳区 is in both 北京 and 长春: no single province
])
def test_unknown(resolver, address):
    assert resolver.resolve(address) == Resolution("unknown")


@pytest.mark.parametrize(("address", "not_code"), [
    ("泰山路88号", "370902"),
    ("青岛市崂山路", "370212"),
    ("历下大街", "370102"),
    ("牡丹广场", "371702"),
    ("寿光东路", "370783"),
])
def test_short_name_inside_road_or_place_is_not_a_county(resolver, address, not_code):
    assert resolver.resolve(address).code != not_code


def test_short_name_only_where_an_address_part_is_expected(resolver):
    # 历下 in the middle of other text is not taken; the full name 历下区 is.
    assert resolver.resolve("某某公司历下分公司").kind == "unknown"
    assert resolver.resolve("某某公司历下区分公司").code == "370102"


def test_generic_name_counts_after_a_city(resolver):
    # 郊区 alone means nothing; 济南市郊区 (1983–1987) was split into five districts.
    assert resolver.resolve("济南市郊区").candidates == ("370102", "370103", "370104", "370105", "370112")


@pytest.mark.parametrize(("name", "short"), [
    ("山东省", "山东"), ("曲阜市", "曲阜"), ("莒县", "莒县"), ("郊区", "郊区"), ("广西壮族自治区", "广西"),
    ("新疆维吾尔自治区", "新疆"), ("延边朝鲜族自治州", "延边"), ("香港特别行政区", "香港"),
    ("东营区", "东营"),
])
def test_short_name(name, short):
    assert short_name(name) == short


def test_resolver_from_hand_made_rows():
    rows = [
        RegionRow("370000", "山东省", "山东", "province", "", None, "370000", "current", 1981, None, None),
        RegionRow("370100", "济南市", "济南", "prefecture", "", "370000", "370000", "current", 1981, None,
                  None),
        RegionRow("370102", "历下区", "历下", "county", "市辖区", "370100", "370000", "current", 1981, None,
                  None),
        RegionRow("370181", "章丘市", "章丘", "county", "县级市", "370100", "370000", "abolished", 1992, 2016,
                  "370102", ("370102",)),
    ]
    resolver = AddressResolver(rows)
    assert resolver.resolve("章丘").code == "370102"
    assert resolver.resolve("济南").candidates == ("370102",)


@pytest.fixture(scope="module")
def current_counties():
    rows = {r.code: r for r in read_region_rows()}
    return [(r, rows[r.parent_code]) for r in rows.values()
            if r.province_code == "370000" and r.level == "county" and r.status == "current"]


def test_every_current_county_resolves_by_full_name_under_its_city(resolver, current_counties):
    assert len(current_counties) == 136
    wrong = [(c.code, c.name) for c, city in current_counties
             if resolver.resolve(f"山东省{city.name}{c.name}某某路1号").code != c.code]
    assert wrong == []


def test_every_current_county_resolves_by_short_names(resolver, current_counties):
    # 市中区, 市南区, 市北区 have no short form (市中 is an ordinary word); 济南市中区 still works.
    def short(c):
        return c.name if c.short_name.startswith("市") else c.short_name

    wrong = [(c.code, c.name) for c, city in current_counties
             if resolver.resolve(f"{city.short_name}{short(c)}").code != c.code]
    assert wrong == []
