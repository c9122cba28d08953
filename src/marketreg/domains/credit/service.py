"""Reads of the credit domain (keyword-only, scoped to the actor's jurisdiction)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml
from sqlalchemy import ColumnElement, Select, case, func, or_, select
from sqlalchemy.orm import Session

from marketreg.domains.credit import rules
from marketreg.domains.credit.enums import EntryStatus, ListType, ObjectionStatus, RepairStatus
from marketreg.domains.credit.models import (
    AnnualReport,
    ClassificationRun,
    CreditEvent,
    ListEntry,
    Objection,
    RepairApplication,
    RiskClass,
)
from marketreg.domains.registry import service as registry
from marketreg.domains.registry.enums import EntityStatus
from marketreg.kernel import clock
from marketreg.platform.authz import Actor, scope


@cache
def config() -> dict:
    """The editable configuration (``credit.yaml``): joint measures and the risk model."""
    return yaml.safe_load((Path(__file__).parent / "credit.yaml").read_text(encoding="utf-8"))


def joint_measures(list_type: str) -> list[dict]:
    return list(config()["joint_measures"].get(list_type, []))


# ----------------------------------------------------------------------------- registry extracts
# The registry's basic facts (the 基础库) for set-based work — the annual-report sweep, filing rates,
# the class distribution — come from the registry's own selectables (``registry.entity_facts``),
# so credit never names the registry's tables (DESIGN §3: other domains' public surface only).


def missing_reporters(session: Session, *, actor: Actor, types: tuple[str, ...], established_by: dt.date,
                      filed: Select, listed: Select) -> list:
    """(uscc, name, legal_rep_name, city_code, org_path) of entities in the actor's jurisdiction due to
    report without a report or an entry for it."""
    facts = registry.entity_facts("id", "uscc", "name", "legal_rep_name", "city_code", "org_path", "entity_type",
                                  "status", "established_on", actor=actor)
    e = facts.selected_columns
    stmt = (facts.with_only_columns(e.uscc, e.name, e.legal_rep_name, e.city_code, e.org_path)
            .where(e.entity_type.in_(types), e.status == EntityStatus.active, e.established_on <= established_by,
                   e.uscc.not_in(filed), e.uscc.not_in(listed)).order_by(e.id))
    return list(session.execute(stmt))


def reporting_totals(session: Session, *, types: tuple[str, ...], established_by: dt.date,
                     actor: Actor) -> dict[tuple[str, str], int]:
    """Entities due to report in the actor's jurisdiction, by (city_code, entity_type) — the
    filing-rate denominator."""
    facts = registry.entity_facts("city_code", "entity_type", "status", "established_on", actor=actor)
    e = facts.selected_columns
    stmt = (facts.with_only_columns(e.city_code, e.entity_type, func.count())
            .where(e.entity_type.in_(types), e.status == EntityStatus.active, e.established_on <= established_by)
            .group_by(e.city_code, e.entity_type))
    return {(city, t): n for city, t, n in session.execute(stmt)}


def class_dimensions(session: Session, *, actor: Actor) -> Iterator[tuple[int, str, str]]:
    """(id, city_code, industry_section) of entities in scope, for the class distribution."""
    stmt = registry.entity_facts("id", "city_code", "industry_section", actor=actor)
    yield from session.execute(stmt.execution_options(yield_per=50_000))


# ----------------------------------------------------------------------------- reads


def risk_classes(session: Session) -> Iterator[tuple[int, str]]:
    """(market_entity.id, "A"|"B"|"C"|"D") of every classified entity, staff override applied.
    Streams (server-side cursor) so that it works at 15M entities. Unclassified entities: "B"."""
    stmt = (select(RiskClass.entity_id, func.coalesce(RiskClass.override_class, RiskClass.computed_class))
            .order_by(RiskClass.entity_id).execution_options(yield_per=50_000))
    yield from session.execute(stmt)


def class_index_of(entity_id) -> ColumnElement[int]:
    """0..3 (A..D) of an entity's current class, staff override applied; 1 (B) when it has none
    yet — a correlated scalar subquery on ``entity_id`` (one primary-key probe per row), for
    set-based joins in other domains' bulk work (the draw's directory)."""
    current = func.coalesce(RiskClass.override_class, RiskClass.computed_class)
    index = case({"A": 0, "B": 1, "C": 2, "D": 3}, value=current, else_=1)
    return func.coalesce(select(index).where(RiskClass.entity_id == entity_id).scalar_subquery(), 1)


def timeline(session: Session, *, uscc: str, public_only: bool = False, today: dt.date | None = None,
             limit: int = 500) -> list[CreditEvent]:
    """An entity's credit file, newest first; ``public_only``: what the law makes public today."""
    stmt = select(CreditEvent).where(CreditEvent.entity_uscc == uscc)
    if public_only:
        today = today or clock.today()
        stmt = stmt.where(CreditEvent.public.is_(True), CreditEvent.withdrawn_on.is_(None),
                          or_(CreditEvent.public_until.is_(None), CreditEvent.public_until >= today))
    return list(session.scalars(stmt.order_by(CreditEvent.occurred_on.desc(), CreditEvent.id.desc()).limit(limit)))


def annual_reports(session: Session, *, uscc: str) -> list[AnnualReport]:
    return list(session.scalars(select(AnnualReport).where(AnnualReport.entity_uscc == uscc)
                                .order_by(AnnualReport.report_year.desc())))


def entries_of(session: Session, *, uscc: str, public_only: bool = False) -> list[ListEntry]:
    """List entries of an entity; public: those listed and those removed (with the removal), never
    proposals or rejected ones, and serious entries only while listed (RULES 3.13)."""
    stmt = select(ListEntry).where(ListEntry.entity_uscc == uscc)
    if public_only:
        stmt = stmt.where(or_(ListEntry.status.in_([EntryStatus.listed, EntryStatus.transferred]),
                              (ListEntry.status == EntryStatus.removed) & (ListEntry.list_type == ListType.abnormal)))
    return list(session.scalars(stmt.order_by(ListEntry.id.desc())))


@dataclass(frozen=True, slots=True)
class EntryFilter:
    list_type: str = ""
    status: str = ""
    city: str = ""
    q: str = ""


def list_entries(session: Session, *, actor: Actor, filters: EntryFilter, limit: int = 200) -> list[ListEntry]:
    stmt = scope(select(ListEntry), ListEntry.org_path, actor)
    if filters.list_type:
        stmt = stmt.where(ListEntry.list_type == filters.list_type)
    if filters.status:
        stmt = stmt.where(ListEntry.status == filters.status)
    if filters.city:
        stmt = stmt.where(ListEntry.city_code == filters.city)
    if filters.q:
        stmt = stmt.where(or_(ListEntry.entity_name.contains(filters.q, autoescape=True),
                              ListEntry.entity_uscc == filters.q.upper()))
    return list(session.scalars(stmt.order_by(ListEntry.id.desc()).limit(limit)))


def public_entries(session: Session, *, list_type: str, limit: int = 50_000) -> Iterator[ListEntry]:
    stmt = (select(ListEntry).where(ListEntry.list_type == list_type, ListEntry.status == EntryStatus.listed)
            .order_by(ListEntry.listed_on.desc(), ListEntry.id.desc()).limit(limit))
    yield from session.scalars(stmt.execution_options(yield_per=2000))


def pending_objections(session: Session, *, actor: Actor) -> list[tuple[Objection, ListEntry]]:
    stmt = scope(select(Objection, ListEntry).join(ListEntry, ListEntry.id == Objection.entry_id),
                 ListEntry.org_path, actor).where(Objection.status == ObjectionStatus.accepted) \
        .order_by(Objection.verify_due_on)
    return [(o, e) for o, e in session.execute(stmt)]


def repairs(session: Session, *, actor: Actor, status: str = RepairStatus.accepted,
            limit: int = 200) -> list[RepairApplication]:
    stmt = scope(select(RepairApplication), RepairApplication.org_path, actor)
    if status:
        stmt = stmt.where(RepairApplication.status == status)
    return list(session.scalars(stmt.order_by(RepairApplication.id.desc()).limit(limit)))


def own_repairs(session: Session, *, uscc: str) -> list[RepairApplication]:
    return list(session.scalars(select(RepairApplication).where(RepairApplication.entity_uscc == uscc)
                                .order_by(RepairApplication.id.desc())))


def penalties_in_publicity(session: Session, *, uscc: str, today: dt.date | None = None) -> list[CreditEvent]:
    return [e for e in timeline(session, uscc=uscc, public_only=True, today=today)
            if e.name == "enforcement.penalty_decided"]


# ----------------------------------------------------------------------------- statistics


@dataclass(frozen=True, slots=True)
class FilingRate:
    city_code: str
    entity_type: str
    due: int
    filed: int
    late: int

    @property
    def rate(self) -> float:
        return round(self.filed * 100 / self.due, 1) if self.due else 0.0


def filing_rates(session: Session, *, actor: Actor, report_year: int) -> list[FilingRate]:
    """Annual-report filing rate by city and entity type (staff, scoped)."""
    totals = reporting_totals(session, types=rules.REPORTING_TYPES, established_by=dt.date(report_year, 12, 31),
                              actor=actor)
    stmt = scope(select(AnnualReport.city_code, AnnualReport.entity_type, func.count(),
                        func.sum(case((AnnualReport.late.is_(True), 1), else_=0)))
                 .where(AnnualReport.report_year == report_year)
                 .group_by(AnnualReport.city_code, AnnualReport.entity_type), AnnualReport.org_path, actor)
    filed = {(c, t): (n, int(late or 0)) for c, t, n, late in session.execute(stmt)}
    keys = sorted(set(totals) | set(filed))
    return [FilingRate(c, t, totals.get((c, t), 0), *filed.get((c, t), (0, 0))) for c, t in keys]


def entry_stats(session: Session, *, actor: Actor) -> dict:
    """Listed entries by city, reason and month (staff dashboard)."""
    stmt = scope(select(ListEntry.list_type, ListEntry.city_code, ListEntry.ground_label, ListEntry.listed_on)
                 .where(ListEntry.listed_on.is_not(None)), ListEntry.org_path, actor)
    by_city: Counter = Counter()
    by_reason: Counter = Counter()
    by_month: Counter = Counter()
    for list_type, city, ground, listed_on in session.execute(stmt):
        by_city[(list_type, city)] += 1
        by_reason[ground] += 1
        by_month[listed_on.strftime("%Y-%m")] += 1
    return {"by_city": by_city, "by_reason": by_reason, "by_month": dict(sorted(by_month.items()))}


def upcoming_deadlines(session: Session, *, actor: Actor, today: dt.date | None = None,
                       days: int = 90) -> list[tuple[str, dt.date, ListEntry]]:
    """(what, date, entry): transfer warnings due, transfers, serious removals, cure decisions."""
    today = today or clock.today()
    horizon = today + dt.timedelta(days=days)
    base = scope(select(ListEntry).where(ListEntry.status == EntryStatus.listed), ListEntry.org_path, actor)
    out: list[tuple[str, dt.date, ListEntry]] = []
    for label, col in (("转入严重违法失信名单前公告", ListEntry.warning_from),
                          ("列入满三年转入严重违法失信名单", ListEntry.transfer_on),
                          ("严重违法失信名单期满移出", ListEntry.removal_due_on),
                          ("移出申请决定期限", ListEntry.cure_decision_due_on)):
        for entry in session.scalars(base.where(col.is_not(None), col <= horizon).order_by(col).limit(200)):
            out.append((label, getattr(entry, col.key), entry))
    return sorted(out, key=lambda r: r[1])


def class_distribution(session: Session, *, actor: Actor) -> dict:
    """Class counts by city and by industry section (staff, scoped); streams the join."""
    stmt = select(RiskClass.entity_id, func.coalesce(RiskClass.override_class, RiskClass.computed_class))
    if actor.org_path != "/":
        stmt = stmt.where(RiskClass.entity_id.in_(registry.entity_facts("id", actor=actor)))
    classes = dict(session.execute(stmt).all())
    by_city: Counter = Counter()
    by_industry: Counter = Counter()
    total: Counter = Counter()
    for entity_id, city, section in class_dimensions(session, actor=actor):
        cls = classes.get(entity_id)
        if cls is None:
            continue
        by_city[(city, cls)] += 1
        by_industry[(section, cls)] += 1
        total[cls] += 1
    return {"by_city": by_city, "by_industry": by_industry, "total": total}


def risk_class_of(session: Session, *, entity_id: int) -> RiskClass | None:
    return session.get(RiskClass, entity_id)


def latest_run(session: Session) -> ClassificationRun | None:
    return session.scalar(select(ClassificationRun).order_by(ClassificationRun.id.desc()).limit(1))


def last_updated(session: Session, *, uscc: str) -> dt.datetime | None:
    return session.scalar(select(func.max(CreditEvent.recorded_at)).where(CreditEvent.entity_uscc == uscc))
