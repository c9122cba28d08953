"""Reads over the reference tables: regions, industries, address resolution, USCC description.

Reference data is public, so these reads take no actor.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from marketreg.domains.reference.address import AddressResolver, RegionRow, Resolution
from marketreg.domains.reference.enums import SHANDONG, RegionLevel, RegionStatus, UsccRegionStatus
from marketreg.domains.reference.models import Industry, Region
from marketreg.kernel.codes import check_uscc
from marketreg.kernel.errors import DomainError

# GB 32100 position 3–8 value used by national-level registration authorities (e.g. SAMR).
NATIONAL_REGION = "100000"
NATIONAL_NAME = "国家（国家级登记管理机关）"

_lock = threading.Lock()
_resolvers: dict[tuple[int, str, int], AddressResolver] = {}


def clear_resolver_cache() -> None:
    with _lock:
        _resolvers.clear()


def _not_loaded() -> DomainError:
    return DomainError("reference.not_loaded", "参考数据未加载，请先运行 marketreg migrate", status=503)


def region_row_from_model(region: Region) -> RegionRow:
    """A stored region as the resolver's row (the inverse of ``loader.region_row_to_dict``)."""
    return RegionRow(
        code=region.code, name=region.name, short_name=region.short_name, level=region.level,
        county_type=region.county_type, parent_code=region.parent_code, province_code=region.province_code,
        status=region.status, valid_from=region.valid_from, valid_to=region.valid_to,
        successor_code=region.successor_code,
        successor_codes=tuple(filter(None, region.successor_codes.split(","))),
        former_names=tuple(filter(None, region.former_names.split("；"))),
    )


def get_resolver(session: Session) -> AddressResolver:
    """The in-memory resolver for this session's database, built once per process.

    Keyed by engine and row count so that two databases (tests on SQLite and PostgreSQL) each
    get their own; ``load_reference_data`` clears the cache when it changes rows.
    """
    bind = session.get_bind()
    engine = getattr(bind, "engine", bind)
    count = session.scalar(select(func.count()).select_from(Region)) or 0
    if count == 0:
        raise _not_loaded()
    key = (id(engine), str(engine.url), count)
    with _lock:
        resolver = _resolvers.get(key)
    if resolver is None:
        regions = session.scalars(select(Region)).all()
        resolver = AddressResolver(region_row_from_model(r) for r in regions)
        with _lock:
            _resolvers[key] = resolver
    return resolver


def resolve_address(session: Session, *, text: str) -> Resolution:
    """The current Shandong county an address lies in (see ``address.AddressResolver``)."""
    return get_resolver(session).resolve(text)


def _display_name(session: Session, region: Region) -> str:
    """济南市历下区 for Shandong; other provinces carry the province (江苏省南京市玄武区)."""
    parts = [region.name]
    parent_code = region.parent_code
    while parent_code:
        parent = session.get(Region, parent_code)
        if parent is None:
            break
        if parent.level == RegionLevel.PROVINCE and parent.code == SHANDONG:
            break
        parts.append(parent.name)
        parent_code = parent.parent_code
    return "".join(reversed(parts))


def region_name(session: Session, *, code: str) -> str | None:
    """Display name of a GB/T 2260 code, current or abolished (莱芜市莱城区), else None."""
    if code == NATIONAL_REGION:
        return NATIONAL_NAME
    region = session.get(Region, code)
    return _display_name(session, region) if region is not None else None


def _is_statistical_zone(session: Session, code: str) -> Region | None:
    """NBS 统计用区划代码 for development zones: a prefecture's code with 7x in positions 5–6
    (370176 济南高新技术产业开发区, 371471 德州天衢新区). Returns the prefecture."""
    if len(code) != 6 or not code.isdigit() or code[4] != "7":
        return None
    prefecture = session.get(Region, code[:4] + "00")
    if prefecture is None or prefecture.level != RegionLevel.PREFECTURE:
        return None
    return prefecture


def describe_uscc(session: Session, *, raw: str) -> dict[str, Any]:
    """Check a unified social credit code (GB 32100-2015) including its region part.

    Positions 3–8 hold the registration authority's administrative division code:

    - a current GB/T 2260 code → ``region_status`` ``current``;
    - an **abolished** GB/T 2260 code → still **valid**, ``abolished``: a USCC never changes
      for the life of the entity and division codes are never reissued, so enterprises
      registered in 莱芜 (3712xx) or 胶南市 (370284) keep those codes. ``region_name`` comes
      from the history and ``region_successor`` is today's code (None if the division was split);
    - an NBS development-zone code (prefecture code with 7x in positions 5–6, e.g. 370176) →
      valid, ``statistical_zone``: registration authorities of development zones issue codes
      with them although they are not GB/T 2260 codes (they are never accepted in ID numbers).
      ``region_name`` is the prefecture with （开发区）, ``region_successor`` the prefecture;
    - 100000 (national registration authority) → valid, ``current``;
    - anything else → invalid with reason ``region_unknown``.

    Keys: code, valid, reason, registration_authority, entity_type, region_code, region_name,
    region_status, region_successor. Raises ``reference.not_loaded`` when the region table is
    empty (a region cannot then be judged).
    """
    check = check_uscc(raw)
    result: dict[str, Any] = {
        "code": check.code, "valid": check.valid, "reason": check.reason,
        "registration_authority": check.registration_authority, "entity_type": check.entity_type,
        "region_code": check.region_code, "region_name": None,
        "region_status": UsccRegionStatus.UNKNOWN.value, "region_successor": None,
    }
    region_code = check.region_code
    if region_code is None:
        return result
    if session.scalar(select(Region.code).limit(1)) is None:
        raise _not_loaded()
    region = session.get(Region, region_code)
    if region_code == NATIONAL_REGION:
        result.update(region_name=NATIONAL_NAME, region_status=UsccRegionStatus.CURRENT.value)
    elif region is not None:
        result["region_name"] = _display_name(session, region)
        if region.status == RegionStatus.CURRENT:
            result["region_status"] = UsccRegionStatus.CURRENT.value
        else:
            result["region_status"] = UsccRegionStatus.ABOLISHED.value
            result["region_successor"] = region.successor_code
    elif (prefecture := _is_statistical_zone(session, region_code)) is not None:
        result.update(
            region_name=f"{_display_name(session, prefecture)}（开发区）",
            region_status=UsccRegionStatus.STATISTICAL_ZONE.value,
            region_successor=prefecture.code if prefecture.status == RegionStatus.CURRENT
            else prefecture.successor_code,
        )
    elif check.valid:
        result.update(valid=False, reason="region_unknown")
    return result


def search_regions(session: Session, *, q: str = "", level: str | None = None, status: str | None = None,
                   limit: int = 20) -> Sequence[Region]:
    """Regions whose code starts with ``q`` or whose name contains it; current codes first."""
    stmt = select(Region)
    q = q.strip()
    if q:
        stmt = stmt.where(or_(Region.code.startswith(q, autoescape=True),
                              Region.name.contains(q, autoescape=True),
                              Region.former_names.contains(q, autoescape=True)))
    if level:
        stmt = stmt.where(Region.level == level)
    if status:
        stmt = stmt.where(Region.status == status)
    stmt = stmt.order_by((Region.status != RegionStatus.CURRENT.value), Region.code).limit(limit)
    return session.scalars(stmt).all()


def search_industries(session: Session, *, q: str = "", section: str | None = None, level: int | None = None,
                      limit: int = 20) -> Sequence[Industry]:
    """GB/T 4754 classes whose code starts with ``q`` or whose name contains it."""
    stmt = select(Industry)
    q = q.strip()
    if q:
        stmt = stmt.where(or_(Industry.code.startswith(q.upper(), autoescape=True),
                              Industry.name.contains(q, autoescape=True)))
    if section:
        stmt = stmt.where(Industry.section == section.upper())
    if level is not None:
        stmt = stmt.where(Industry.level == level)
    stmt = stmt.order_by(Industry.level, Industry.code).limit(limit)
    return session.scalars(stmt).all()


def county_codes_of(session: Session, *, city_code: str) -> list[str]:
    """Current county-level codes under a prefecture (or a municipality / province-level code)."""
    stmt = (select(Region.code)
            .where(Region.parent_code == city_code, Region.level == RegionLevel.COUNTY.value,
                   Region.status == RegionStatus.CURRENT.value)
            .order_by(Region.code))
    return list(session.scalars(stmt))


def shandong_counties(session: Session) -> Sequence[Region]:
    """The 136 current county-level divisions of Shandong (58 市辖区, 26 县级市, 52 县)."""
    stmt = (select(Region)
            .where(Region.province_code == SHANDONG, Region.level == RegionLevel.COUNTY.value,
                   Region.status == RegionStatus.CURRENT.value)
            .order_by(Region.code))
    return session.scalars(stmt).all()


# ---- whole-table reads for importers and the org tree (small, cached by callers) -------------


def shandong_units(session: Session) -> list[tuple[str, str]]:
    """(code, name) of the province, its 16 cities and 136 counties — current codes, code order."""
    stmt = (select(Region.code, Region.name)
            .where(Region.province_code == SHANDONG, Region.status == RegionStatus.CURRENT.value)
            .order_by(Region.code))
    return [(code, name) for code, name in session.execute(stmt)]


def county_codes(session: Session) -> frozenset[str]:
    """Current Shandong county-level codes."""
    return frozenset(r.code for r in shandong_counties(session))


def industry_sections(session: Session) -> dict[str, str]:
    """GB/T 4754 code (any level) → its 门类 letter."""
    return {code: section for code, section in session.execute(select(Industry.code, Industry.section))}


def current_successors(session: Session) -> dict[str, str]:
    """Abolished GB/T 2260 code → the one current code it maps to (split divisions left out)."""
    stmt = select(Region.code, Region.successor_code).where(
        Region.status == RegionStatus.ABOLISHED.value, Region.successor_code.is_not(None))
    return {code: successor for code, successor in session.execute(stmt) if successor}


def county_rows(session: Session) -> list[tuple[str, str, str, int]]:
    """(code, name, city name, first year in use) of each current Shandong county."""
    cities = {code: name for code, name in shandong_units(session)}
    return [(c.code, c.name, cities.get(c.parent_code or "", ""), c.valid_from or 1981)
            for c in shandong_counties(session)]


def industry_leaves_by_section(session: Session) -> dict[str, list[str]]:
    """门类 letter → its 小类 (level 4) codes, in code order."""
    leaves: dict[str, list[str]] = {}
    stmt = select(Industry.code, Industry.section).where(Industry.level == 4).order_by(Industry.code)
    for code, section in session.execute(stmt):
        leaves.setdefault(section, []).append(code)
    return leaves


def region_choices(session: Session, *, within: str = "/") -> list[tuple[str, str]]:
    """(code, display name) of the current Shandong cities and counties inside an org path
    (``/370000/370100/``), for filter drop-downs; ``/`` means all."""
    from marketreg.kernel.regions import org_path_for_region

    names = region_names(session)
    return [(code, names[code]) for code, _ in shandong_units(session)
            if code != SHANDONG and org_path_for_region(code).startswith(within)]


def region_names(session: Session) -> dict[str, str]:
    """Shandong code → display name (济南市历下区), current and abolished codes."""
    rows = session.execute(select(Region.code, Region.name, Region.parent_code, Region.level)
                           .where(Region.province_code == SHANDONG)).all()
    plain = {code: name for code, name, _, _ in rows}
    return {code: (plain.get(parent or "", "") + name if level == RegionLevel.COUNTY else name)
            for code, name, parent, level in rows}


def section_choices(session: Session) -> list[tuple[str, str]]:
    """(letter, name) of the 20 GB/T 4754 门类."""
    stmt = select(Industry.code, Industry.name).where(Industry.level == 1).order_by(Industry.code)
    return [(code, name) for code, name in session.execute(stmt)]


def industry_name(session: Session, *, code: str) -> str | None:
    industry = session.get(Industry, code.upper()) if code else None
    return industry.name if industry is not None else None


def region_extract() -> Select:
    """(code, name) of every region, for set-based joins elsewhere (analytics)."""
    return select(Region.code, Region.name)


def industry_extract() -> Select:
    """(code, name) of every GB/T 4754 industry, for set-based joins elsewhere (analytics)."""
    return select(Industry.code, Industry.name)
