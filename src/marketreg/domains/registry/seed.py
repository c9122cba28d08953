"""A realistic synthetic Shandong for demos and benchmarks.

Entities get real GB/T 2260 county codes (weighted by each city's population), real
GB/T 4754 industry codes with a plausible mix per entity type and city, valid USCCs whose
region part is the entity's county, valid resident IDs for legal representatives, and names
and addresses built from Faker ``zh_CN`` pools. Generation is deterministic for a seed, so
seeding twice inserts nothing new.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from faker.providers.company.zh_CN import Provider as CompanyProvider
from faker.providers.person.zh_CN import Provider as PersonProvider
from sqlalchemy.dialects import postgresql, sqlite
from stdnum.cn import ric as stdnum_ric

from marketreg.domains.registry.enums import ENTITY_TYPE_LABELS, STATUS_LABELS
from marketreg.domains.registry.models import Entity
from marketreg.domains.registry.names import initials
from marketreg.kernel import clock
from marketreg.kernel.codes import make_uscc
from marketreg.kernel.regions import org_path_for_region
from marketreg.platform.db import Sessions

# Resident population of the 16 cities, millions (2020 census), as weights.
CITY_WEIGHTS = {
    "370100": 9.2, "370200": 10.1, "370300": 4.7, "370400": 3.9, "370500": 2.2, "370600": 7.1,
    "370700": 9.4, "370800": 8.4, "370900": 5.5, "371000": 2.9, "371100": 3.0, "371300": 11.0,
    "371400": 5.6, "371500": 5.9, "371600": 3.9, "371700": 8.8,
}
MANUFACTURING_CITIES = {"370200", "370300", "370600", "370700"}
FARMING_CITIES = {"371700", "371500", "371400", "370800"}

TYPE_WEIGHTS = {"individual": 0.68, "enterprise": 0.29, "cooperative": 0.025, "branch": 0.005}
SECTION_MIX = {
    "enterprise": {"F": 34, "C": 17, "L": 8, "M": 7, "E": 6, "I": 6, "H": 4, "G": 4, "A": 3, "O": 3,
                   "N": 2, "R": 2, "K": 1.5, "J": 1, "P": 1, "Q": 0.5},
    "individual": {"F": 55, "H": 15, "O": 12, "G": 5, "C": 4, "R": 3, "I": 2, "A": 2, "L": 1, "M": 1},
    "cooperative": {"A": 95, "F": 5},
    "branch": {"F": 40, "J": 20, "C": 15, "G": 10, "K": 10, "M": 5},
}
# Registered capital in 万元: log-normal (mu, sigma) per type; branches have none.
CAPITAL_LOGNORMAL = {"enterprise": (5, 1.6), "individual": (1.5, 1), "cooperative": (4, 1)}
STATUS_WEIGHTS = {"active": 0.88, "cancelled": 0.08, "revoked": 0.03, "moved_out": 0.01}
SECTION_WORDS = {
    "A": ["农业", "果蔬种植", "畜牧养殖", "林业", "渔业"], "C": ["机械制造", "食品", "化工", "纺织", "电子",
    "橡胶制品", "家具", "建材"], "E": ["建筑工程", "建设", "装饰工程", "安装工程"], "F": ["商贸", "百货", "超市",
    "五金", "建材销售", "食品销售", "医药"], "G": ["物流", "运输", "快递"], "H": ["餐饮", "饭店", "酒店", "小吃"],
    "I": ["信息技术", "网络科技", "软件"], "J": ["融资担保", "投资"], "K": ["房地产开发", "物业"],
    "L": ["企业管理", "咨询服务", "广告", "人力资源"], "M": ["科技", "检测", "设计"], "N": ["环保", "园林绿化"],
    "O": ["家政服务", "理发", "洗车", "维修"], "P": ["培训"], "Q": ["诊所", "养老"], "R": ["文化传媒", "健身"],
}
FORMS = {"enterprise": ["有限公司", "有限责任公司", "股份有限公司"], "individual": ["店", "经营部", "馆", "商行"],
         "cooperative": ["专业合作社"], "branch": ["有限公司分公司"]}
# Allocated mainland mobile prefixes (MIIT numbering plan), so every generated phone is valid.
MOBILE_PREFIXES = ("130", "131", "132", "133", "134", "135", "136", "137", "138", "139", "150", "151", "152", "153",
                   "155", "156", "157", "158", "159", "166", "173", "175", "176", "177", "178", "180", "181", "182",
                   "183", "184", "185", "186", "187", "188", "189", "191", "193", "195", "198", "199")
TRADE_CHARS = "鑫盛华泰恒瑞达祥宏源佳信诚德润鼎丰通联腾邦博锦安康福顺兴隆昌明远新海天正和嘉永金"
_USCC_ORG_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


@dataclass(frozen=True, slots=True)
class County:
    code: str
    name: str
    city_name: str
    valid_from: int


def _trade_names() -> list[str]:
    pairs = [a + b for a in TRADE_CHARS for b in TRADE_CHARS if a != b]
    prefixes = [p for p in CompanyProvider.company_prefixes if len(p) <= 4 and not p.startswith(("济南", "北京"))]
    return pairs + prefixes + [n for n in PersonProvider.first_names if len(n) == 2]


def _org_body(index: int) -> str:
    """Unique 8-character organisation code body: 'MA' + base-31 counter (new-style codes)."""
    digits = []
    for _ in range(6):
        index, r = divmod(index, 31)
        digits.append(_USCC_ORG_ALPHABET[r])
    return "MA" + "".join(reversed(digits))


def _resident_id(rng: random.Random, county: County) -> str:
    """A valid ID whose address code existed in the birth year (stdnum checks that)."""
    year = rng.randint(max(1950, county.valid_from), 2003)
    birth = dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(365))
    body = f"{county.code}{birth:%Y%m%d}{rng.randrange(1000):03d}"
    return body + stdnum_ric.calc_check_digit(body + "0")


def _short(name: str) -> str:
    for suffix in ("自治县", "市", "区", "县"):
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


def generate_entities(n: int, *, counties: list[County], industries: dict[str, list[str]], seed: int = 2021,
                      start: int = 0) -> Iterator[dict]:
    """Yield ``n`` entity rows (dicts of Entity columns, without timestamps)."""
    rng = random.Random(seed * 1_000_003 + start)
    by_city: dict[str, list[County]] = {}
    for county in counties:
        by_city.setdefault(county.code[:4] + "00", []).append(county)
    cities = [c for c in CITY_WEIGHTS if c in by_city]
    # Legal representatives were born before most of today's districts existed.
    old = [c for c in counties if c.valid_from <= 1990]
    birthplaces = {city: [c for c in members if c.valid_from <= 1990] or old for city, members in by_city.items()}
    city_weights = [CITY_WEIGHTS[c] for c in cities]
    trade = _trade_names()
    surnames, given = list(PersonProvider.last_names), list(PersonProvider.first_names)
    streets = [
        "人民路", "解放路", "建设路", "胜利街", "文化路", "和平路", "新华路", "东风街", "青年路", "中山路",
        "泰山路", "黄河路", "长江路", "花园路", "工业路", "经十路", "经二路", "纬一路", "滨河路", "府前街"]
    types, type_w = list(TYPE_WEIGHTS), list(TYPE_WEIGHTS.values())
    statuses, status_w = list(STATUS_WEIGHTS), list(STATUS_WEIGHTS.values())
    sections = {t: ([s for s in mix if s in industries], [mix[s] for s in mix if s in industries])
                for t, mix in SECTION_MIX.items()}
    for i in range(start, start + n):
        city = rng.choices(cities, city_weights)[0]
        county = rng.choice(by_city[city])
        kind = rng.choices(types, type_w)[0]
        secs, weights = sections[kind]
        if city in MANUFACTURING_CITIES and kind == "enterprise" and rng.random() < 0.1:
            section = "C"
        elif city in FARMING_CITIES and rng.random() < 0.05:
            section = "A"
        else:
            section = rng.choices(secs, weights)[0]
        word = rng.choice(SECTION_WORDS.get(section, ["服务"]))
        place = _short(county.name) if kind in ("individual", "cooperative") else _short(county.city_name)
        name = f"{place}{rng.choice(trade)}{word}{rng.choice(FORMS[kind])}"
        established = dt.date(1992, 1, 1) + dt.timedelta(days=int((rng.random() ** 0.5) * 12_600))
        established = min(established, dt.date(2026, 10, 31))
        type_code = {"enterprise": "1", "branch": "1", "individual": "2", "cooperative": "3"}[kind]
        yield {
            "uscc": make_uscc("9", type_code, county.code, _org_body(i)),
            "name": name,
            "name_initials": initials(name),
            "entity_type": kind,
            "status": rng.choices(statuses, status_w)[0],
            "legal_rep_name": rng.choice(surnames) + rng.choice(given),
            "legal_rep_id_number": _resident_id(rng, rng.choice(birthplaces[city])),
            "legal_rep_phone": f"{rng.choice(MOBILE_PREFIXES)}{rng.randrange(10**8):08d}",
            "address": f"山东省{county.city_name}{county.name}{rng.choice(streets)}{rng.randint(1, 999)}号",
            "region_code": county.code,
            "city_code": city,
            "org_path": org_path_for_region(county.code),
            "industry_code": rng.choice(industries[section]),
            "industry_section": section,
            "established_on": established,
            "registered_capital": None if kind == "branch"
            else Decimal(f"{min(rng.lognormvariate(*CAPITAL_LOGNORMAL[kind]), 5_000_000):.2f}"),
        }


CSV_HEADER = ["统一社会信用代码", "名称", "主体类型", "登记状态", "法定代表人", "法定代表人证件号码", "联系电话",
              "住所", "行政区划代码", "行业代码", "成立日期", "注册资本（万元）"]


def csv_row(row: dict) -> list[str]:
    return [row["uscc"], row["name"], ENTITY_TYPE_LABELS[row["entity_type"]], STATUS_LABELS[row["status"]],
            row["legal_rep_name"],
            row["legal_rep_id_number"] or "", row["legal_rep_phone"] or "", row["address"], row["region_code"],
            row["industry_code"], row["established_on"].isoformat(),
            "" if row["registered_capital"] is None else str(row["registered_capital"])]


def write_csv(path: Path, rows: Iterator[dict], *, encoding: str = "utf-8") -> int:
    count = 0
    with path.open("w", encoding=encoding, newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(CSV_HEADER)
        for row in rows:
            writer.writerow(csv_row(row))
            count += 1
    return count


def insert_generated(sessions: Sessions, rows: Iterator[dict], *, chunk: int = 20_000,
                     progress=None) -> int:
    """Bulk-insert generated rows, skipping USCCs already present (idempotent seeding)."""
    inserted, batch = 0, []
    dialect = sessions.engine.dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(Entity.__table__).on_conflict_do_nothing(index_elements=["uscc"]).returning(Entity.__table__.c.id)
    now = clock.now()

    def flush() -> int:
        with sessions.transaction() as session:
            return len(session.execute(stmt, batch).all())  # executemany rowcount varies by driver

    for row in rows:
        row["created_at"] = row["updated_at"] = now
        batch.append(row)
        if len(batch) >= chunk:
            inserted += flush()
            if progress:
                progress(len(batch))
            batch = []
    if batch:
        inserted += flush()
        if progress:
            progress(len(batch))
    return inserted
