"""Demo credit data: annual reports for most reporting entities, the abnormal-list sweep for the
rest (through the real action), a few staff listings for unreachable entities, and one
classification run — so that `make run` shows realistic lists, rates and classes.
Idempotent: reports are inserted once per year; the sweep and listings are idempotent."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from sqlalchemy import func, insert, select

from marketreg.domains.credit import actions, classify, rules
from marketreg.domains.credit.models import AnnualReport, ListEntry
from marketreg.domains.registry import service as registry
from marketreg.domains.registry.enums import EntityStatus
from marketreg.kernel import clock
from marketreg.platform.authz import SYSTEM
from marketreg.platform.db import Sessions

UNREACHABLE = 12


@dataclass(frozen=True, slots=True)
class CreditSeedReport:
    report_year: int
    reports: int
    listed: int
    unreachable: int
    classified: int


def seed_credit(sessions: Sessions, *, seed: int = 2021, filed_share: float = 0.86, keep_unfiled: str | None = None,
                today: dt.date | None = None) -> CreditSeedReport:
    """``keep_unfiled``: a USCC left without its report (the demo enterprise, to show listing and cure)."""
    today = today or clock.today()
    year = classify.due_report_year(today)
    rng = random.Random(seed)
    with sessions.transaction() as session:
        reports = _file_reports(session, rng, year, filed_share, keep_unfiled)
    with sessions.transaction() as session:
        listed = actions.sweep_annual_reports(session, actor=SYSTEM, report_year=year, today=today).listed
        unreachable = _unreachable(session, rng, today)
    classified = classify.run_in_ranges(sessions, today=today).entities
    return CreditSeedReport(year, reports, listed, unreachable, classified)


def _file_reports(session, rng: random.Random, year: int, share: float, keep_unfiled: str | None) -> int:
    if session.scalar(select(func.count(AnnualReport.id)).where(AnnualReport.report_year == year)):
        return 0
    opens, closes = rules.report_window(year)
    span = (closes - opens).days
    rows = []
    facts = registry.entity_facts("uscc", "name", "entity_type", "city_code", "org_path", "status", "established_on")
    e = facts.selected_columns
    stmt = facts.with_only_columns(e.uscc, e.name, e.entity_type, e.city_code, e.org_path).where(
        e.entity_type.in_(rules.REPORTING_TYPES), e.status == EntityStatus.active,
        e.established_on <= dt.date(year, 12, 31))
    for uscc, name, etype, city, org_path in session.execute(stmt):
        if uscc == keep_unfiled or rng.random() > share:
            continue
        rows.append({"entity_uscc": uscc, "entity_name": name, "entity_type": etype, "city_code": city,
                     "org_path": org_path, "report_year": year,
                     "filed_on": opens + dt.timedelta(days=int(span * rng.betavariate(4, 1.5))), "late": False,
                     "public_items": {"address": "（见登记住所）", "operating_status": "开业", "phone": "", "email": "",
                                      "postcode": "", "investments": "无", "shareholders": "", "equity_transfers": "无",
                                      "websites": ""},
                     "item7": {"headcount": str(rng.randint(1, 300))}, "item7_public": rng.random() < 0.4,
                     "corrections": 0, "created_at": clock.now()})
    for start in range(0, len(rows), 5000):
        session.execute(insert(AnnualReport), rows[start:start + 5000])
    return len(rows)


def _unreachable(session, rng: random.Random, today: dt.date) -> int:
    """A few staff listings for entities that could not be reached at their registered address."""
    if session.scalar(select(func.count(ListEntry.id)).where(ListEntry.ground_code == "unreachable")):
        return 0
    facts = registry.entity_facts("id", "uscc", "status")
    e = facts.selected_columns
    usccs = list(session.scalars(facts.with_only_columns(e.uscc).where(e.status == EntityStatus.active).order_by(e.id)
                                 .limit(2000)))
    picked = rng.sample(usccs, min(UNREACHABLE, len(usccs)))
    for i, uscc in enumerate(picked):
        actions.do_list(session, actor=SYSTEM, uscc=uscc, ground_code="unreachable",
                        evidence=f"挂号信两次退回（邮件号 KA{rng.randint(10**8, 10**9 - 1)}CN）",
                        reason="通过登记的住所无法联系", today=today - dt.timedelta(days=30 * (i % 10)))
    return len(picked)
