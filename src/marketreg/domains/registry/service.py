"""Reads of the registry. Every staff read goes through ``authz.scope``."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import Integer, Select, case, cast, func, select
from sqlalchemy.orm import Session

from marketreg.domains.registry.models import Entity, Licence
from marketreg.kernel.codes import normalize_code
from marketreg.kernel.errors import DomainError, NotFound
from marketreg.platform.authz import Actor, ensure_visible, scope

COUNT_CAP = 10_000
_USCC_LIKE = re.compile(r"^[0-9A-Z]{18}$")
_INITIALS_LIKE = re.compile(r"^[a-zA-Z]{2,20}$")


@dataclass(frozen=True, slots=True)
class EntityFilter:
    q: str = ""
    region_code: str = ""
    industry: str = ""
    status: str = ""
    entity_type: str = ""


@dataclass(frozen=True, slots=True)
class SearchResult:
    items: list[Entity]
    total: int
    capped: bool


def _prefix_range(column, prefix: str):
    """Index-friendly ``column LIKE 'prefix%'`` that behaves the same on SQLite and PostgreSQL."""
    return (column >= prefix) & (column < prefix + "\U0010ffff")


def _filtered(stmt: Select, f: EntityFilter) -> Select:
    q = f.q.strip()
    if q:
        code = normalize_code(q)
        if _USCC_LIKE.match(code):
            stmt = stmt.where(Entity.uscc == code)
        elif _INITIALS_LIKE.match(q):
            stmt = stmt.where(_prefix_range(Entity.name_initials, q.lower()))
        else:
            stmt = stmt.where(Entity.name.contains(q, autoescape=True))
    if f.region_code:
        if len(f.region_code) != 6 or not f.region_code.isdigit():
            raise DomainError("registry.bad_region", "行政区划代码应为6位数字")
        column = Entity.city_code if f.region_code.endswith("00") else Entity.region_code
        stmt = stmt.where(column == f.region_code)
    if f.industry:
        stmt = stmt.where(Entity.industry_section == f.industry if len(f.industry) == 1
                          else _prefix_range(Entity.industry_code, f.industry))
    if f.status:
        stmt = stmt.where(Entity.status == f.status)
    if f.entity_type:
        stmt = stmt.where(Entity.entity_type == f.entity_type)
    return stmt


def search_entities(session: Session, *, actor: Actor, filters: EntityFilter, page: int = 1,
                    page_size: int = 20) -> SearchResult:
    """One page of entities in the actor's jurisdiction; the total is counted up to COUNT_CAP."""
    base = _filtered(scope(select(Entity), Entity.org_path, actor), filters)
    items = list(session.scalars(base.order_by(Entity.id).offset((page - 1) * page_size).limit(page_size)))
    capped_ids = base.with_only_columns(Entity.id).limit(COUNT_CAP + 1).subquery()
    total = session.scalar(select(func.count()).select_from(capped_ids)) or 0
    return SearchResult(items, min(total, COUNT_CAP), total > COUNT_CAP)


def iter_entities(session: Session, *, actor: Actor, filters: EntityFilter, limit: int) -> Iterator[Entity]:
    """Stream entities for export (bounded)."""
    stmt = _filtered(scope(select(Entity), Entity.org_path, actor), filters).order_by(Entity.id).limit(limit)
    yield from session.scalars(stmt.execution_options(yield_per=2000))


def get_entity(session: Session, *, actor: Actor, uscc: str) -> Entity:
    entity = session.scalar(select(Entity).where(Entity.uscc == normalize_code(uscc)))
    if entity is None:
        raise NotFound("registry.not_found", "未找到该市场主体")
    ensure_visible(actor, entity.org_path, "市场主体")
    return entity


def licences_of(session: Session, *, entity_id: int) -> list[Licence]:
    return list(session.scalars(select(Licence).where(Licence.entity_id == entity_id).order_by(Licence.issued_on)))


def public_lookup(session: Session, *, q: str, limit: int = 20) -> list[Entity]:
    """Public search: exact USCC or name prefix (index-only access, no scans)."""
    q = q.strip()
    if not q:
        raise DomainError("registry.empty_query", "请输入企业名称或统一社会信用代码")
    if len(q) > 100:
        raise DomainError("registry.query_too_long", "查询内容过长")
    code = normalize_code(q)
    if _USCC_LIKE.match(code):
        stmt = select(Entity).where(Entity.uscc == code)
    else:
        if len(q) < 2:
            raise DomainError("registry.query_too_short", "企业名称至少输入2个字")
        stmt = select(Entity).where(_prefix_range(Entity.name, q)).order_by(Entity.name)
    return list(session.scalars(stmt.limit(limit)))


def existing_usccs(session: Session, *, usccs: list[str]) -> set[str]:
    return set(session.scalars(select(Entity.uscc).where(Entity.uscc.in_(usccs))))


def find_respondent(session: Session, *, uscc: str | None = None, name: str | None = None) -> Entity | None:
    """An entity named in a complaint or report: by USCC, else by exact registered name."""
    if uscc:
        return session.scalar(select(Entity).where(Entity.uscc == normalize_code(uscc)))
    if name:
        return session.scalar(select(Entity).where(Entity.name == name.strip()).limit(1))
    return None


@dataclass(frozen=True, slots=True)
class DirectoryFilter:
    """The scope of a random-check directory (抽查对象名录库) within a jurisdiction: registry fields."""

    region_code: str = ""
    industry: str = ""
    entity_type: str = ""
    status: str = ""
    licence_type: str = ""


def directory_select(*, filters: DirectoryFilter, actor: Actor) -> Select:
    """``(id, uscc, region as an integer, 1 if active else 0)`` of the directory's entities in
    ``actor``'s jurisdiction (through ``authz.scope``, so a county batch reads only its county),
    in id order — one set-based statement that callers extend (the draw joins the classes) and
    fetch straight into arrays."""
    stmt = _filtered(select(Entity.id, Entity.uscc, cast(Entity.region_code, Integer).label("region"),
                            case((Entity.status == "active", 1), else_=0).label("active")),
                     EntityFilter(region_code=filters.region_code, industry=filters.industry,
                                  status=filters.status, entity_type=filters.entity_type))
    if filters.licence_type:
        stmt = stmt.where(select(Licence.id).where(Licence.entity_id == Entity.id,
                                                   Licence.licence_type == filters.licence_type,
                                                   Licence.status == "valid").exists())
    return scope(stmt, Entity.org_path, actor).order_by(Entity.id)


def ids_by_uscc(session: Session, *, usccs: list[str]) -> dict[str, int]:
    """``uscc → id`` of the given entities (a handful: declared relations)."""
    found: dict[str, int] = {}
    for start in range(0, len(usccs), 1000):
        rows = session.execute(select(Entity.uscc, Entity.id).where(Entity.uscc.in_(usccs[start:start + 1000])))
        found.update({uscc: entity_id for uscc, entity_id in rows})
    return found


# ----------------------------------------------------------------------------- set-based extracts
# Other domains' bulk work (credit's sweep and classification, the draw, the analytics marts) joins
# the registry's basic facts (基础库) in SQL. They get them here, as selectables, and never name the
# ``market_entity`` table themselves, so that the registry stays free to change how it stores them.

FACT_COLUMNS = ("id", "uscc", "name", "entity_type", "status", "city_code", "region_code", "org_path",
                "industry_section", "established_on", "legal_rep_name")


def entity_facts(*columns: str, id_from: int | None = None, id_below: int | None = None,
                 actor: Actor | None = None) -> Select:
    """``SELECT <columns> FROM market_entity`` over ``id_from <= id < id_below`` (either bound
    optional), scoped to ``actor``'s jurisdiction when given; callers use it as a subquery."""
    unknown = set(columns) - set(FACT_COLUMNS)
    if unknown or not columns:
        raise ValueError(f"not a registry fact column: {sorted(unknown)}")
    stmt = select(*(getattr(Entity, c) for c in columns))
    if id_from is not None:
        stmt = stmt.where(Entity.id >= id_from)
    if id_below is not None:
        stmt = stmt.where(Entity.id < id_below)
    return stmt if actor is None else scope(stmt, Entity.org_path, actor)


def id_bounds(session: Session) -> tuple[int, int, int]:
    """(lowest id, highest id, count) of the registry, for work done in id ranges."""
    lo, hi, n = session.execute(select(func.min(Entity.id), func.max(Entity.id), func.count(Entity.id))).one()
    return lo or 0, hi or 0, n or 0


def entity_names(session: Session, *, ids: list[int]) -> dict[int, tuple[str, str]]:
    """``id → (name, org_path)`` of the given entities (a drawn batch's tasks)."""
    found: dict[int, tuple[str, str]] = {}
    for start in range(0, len(ids), 1000):
        rows = session.execute(select(Entity.id, Entity.name, Entity.org_path)
                               .where(Entity.id.in_(ids[start:start + 1000])))
        found.update({i: (n, p) for i, n, p in rows})
    return found
