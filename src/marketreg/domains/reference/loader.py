"""Load the packaged reference data: GB/T 2260 regions (MCA codes as of 2024-12-31 plus the
1981–2024 history, so abolished codes of every province are known) and GB/T 4754-2017.

Sources (see ``data/`` and shared/data/README.md): ``mca_xzqh_2024.txt`` decides which codes are
current and their names; ``mca_xzqh_history_1981_2024.csv`` gives abolished codes, years and
the 新代码 chain; ``shandong_gbt2260_2024.csv`` gives the Shandong county types.

In the history, each code has exactly one 在用 or 弃用 row plus any number of 变更 rows (older
names under the same code). In 新代码, ``code[year]`` marks a part transferred to ``code`` in
that year before the abolition; the codes without a year are where the division went when it
was abolished, so only those are followed (莱城区 ``371203[2006];370116`` → 370116).
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from marketreg.domains.reference import service
from marketreg.domains.reference.address import RegionRow, short_name
from marketreg.domains.reference.models import Industry, Region

_PKG = "marketreg.domains.reference.data"
_LEVELS = {"省级": "province", "地级": "prefecture", "县级": "county"}
_SUCCESSOR = re.compile(r"^(\d{6})(?:\[(\d{4})\])?$")


def _open(name: str):
    return resources.files(_PKG).joinpath(name).open(encoding="utf-8-sig", newline="")


@dataclass(frozen=True, slots=True)
class IndustryRow:
    code: str
    level: int
    level_name: str
    name: str
    parent: str | None
    section: str
    description: str


def _county_type(name: str) -> str:
    if name.endswith(("林区", "特区")):
        return "县"
    if name.endswith("区"):
        return "市辖区"
    if name.endswith("市"):
        return "县级市"
    return "县"


def _parse_successors(raw: str) -> list[str]:
    final, partial = [], []
    for token in filter(None, (t.strip() for t in raw.split(";"))):
        m = _SUCCESSOR.match(token)
        if not m:
            continue
        (partial if m.group(2) else final).append(m.group(1))
    return list(dict.fromkeys(final or partial))


@cache
def read_region_rows() -> tuple[RegionRow, ...]:
    """Every GB/T 2260 code (current and abolished, all provinces) from the packaged files,
    without a database. Cached: the files do not change while the process runs."""
    with _open("mca_xzqh_2024.txt") as fh:
        current = dict(line.split(maxsplit=1) for line in fh if line.strip())
    current = {code: name.strip() for code, name in current.items()}
    with _open("shandong_gbt2260_2024.csv") as fh:
        shandong = {r["code"]: r for r in csv.DictReader(fh)}
    with _open("mca_xzqh_history_1981_2024.csv") as fh:
        history = list(csv.DictReader(fh))

    main: dict[str, dict[str, str]] = {}
    renames: dict[str, list[str]] = defaultdict(list)
    first_year: dict[str, int] = {}
    for h in history:
        code = h["代码"]
        if h["状态"] in ("在用", "弃用"):
            main[code] = h
        elif code in _parse_successors(h["新代码"]) or not h["新代码"]:
            renames[code].append(h["名称"])
        if h["启用时间"]:
            year = int(h["启用时间"])
            first_year[code] = min(year, first_year.get(code, year))

    def successors(code: str, seen: frozenset[str]) -> set[str]:
        if code in current:
            return {code}
        row = main.get(code)
        if row is None:
            return set()
        found: set[str] = set()
        for nxt in _parse_successors(row["新代码"]):
            if nxt not in seen:
                found |= successors(nxt, seen | {code})
        return found

    rows = []
    for code, h in main.items():
        is_current = code in current
        name = current[code] if is_current else h["名称"]
        level = _LEVELS[h["级别"]]
        province = code[:2] + "0000"
        if level == "province":
            parent = None
        elif level == "prefecture" or h["二级行政区"] == "直辖":
            parent = province
        else:
            pref = code[:4] + "00"
            parent = pref if pref in main else province
        county_type = ""
        if level == "county":
            sd = shandong.get(code) if is_current else None
            county_type = sd["county_type"] if sd else _county_type(name)
        succ = () if is_current else tuple(sorted(successors(code, frozenset())))
        former = tuple(n for n in dict.fromkeys(renames.get(code, ())) if n != name)
        rows.append(RegionRow(
            code=code, name=name, short_name=short_name(name), level=level, county_type=county_type,
            parent_code=parent, province_code=province, status="current" if is_current else "abolished",
            valid_from=first_year.get(code), valid_to=None if is_current else _year(h["变更/弃用时间"]),
            successor_code=succ[0] if len(succ) == 1 else None, successor_codes=succ, former_names=former,
        ))
    rows.sort(key=lambda r: r.code)
    return tuple(rows)


def _year(raw: str) -> int | None:
    return int(raw) if raw and raw.isdigit() else None


@cache
def read_industry_rows() -> tuple[IndustryRow, ...]:
    """GB/T 4754-2017 classes from the packaged CSV (20 门类, 97 大类, 473 中类, 1381 小类)."""
    with _open("gbt4754_2017.csv") as fh:
        return tuple(
            IndustryRow(code=r["code"], level=int(r["level"]), level_name=r["level_name"], name=r["name"],
                        parent=r["parent"] or None, section=r["section"], description=r["description"])
            for r in csv.DictReader(fh)
        )


def region_row_to_dict(row: RegionRow) -> dict[str, Any]:
    return {
        "code": row.code, "name": row.name, "short_name": row.short_name, "level": row.level,
        "county_type": row.county_type, "parent_code": row.parent_code, "province_code": row.province_code,
        "status": row.status, "valid_from": row.valid_from, "valid_to": row.valid_to,
        "successor_code": row.successor_code, "successor_codes": ",".join(row.successor_codes),
        "former_names": "；".join(row.former_names),
    }


def _upsert(session: Session, model: type[Region] | type[Industry],
            rows: list[dict[str, Any]]) -> tuple[int, int]:
    columns = list(rows[0])
    existing = {
        r[0]: dict(zip(columns, r, strict=True))
        for r in session.execute(select(*(getattr(model, c) for c in columns)))
    }
    new = [r for r in rows if r["code"] not in existing]
    changed = [r for r in rows if r["code"] in existing and existing[r["code"]] != r]
    if new:
        session.execute(insert(model), new)
    if changed:
        session.execute(update(model), changed)
    return len(new), len(changed)


def load_reference_data(session: Session) -> dict[str, int]:
    """Insert or update every region and industry row; idempotent (a second run changes
    nothing). Rows that disappeared from the data are kept: other tables may refer to them.
    The caller owns the transaction."""
    regions = [region_row_to_dict(r) for r in read_region_rows()]
    industries = [
        {"code": i.code, "level": i.level, "level_name": i.level_name, "name": i.name, "parent": i.parent,
         "section": i.section, "description": i.description}
        for i in read_industry_rows()
    ]
    r_new, r_changed = _upsert(session, Region, regions)
    i_new, i_changed = _upsert(session, Industry, industries)
    if r_new or r_changed:
        service.clear_resolver_cache()
    return {
        "regions": len(regions), "regions_inserted": r_new, "regions_updated": r_changed,
        "industries": len(industries), "industries_inserted": i_new, "industries_updated": i_changed,
    }
