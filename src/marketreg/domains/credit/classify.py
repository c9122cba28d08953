"""Credit risk classification A–D (RULES 4): a transparent additive score over the credit file and
the registry's basic facts, with the weights and thresholds of ``credit.yaml``.

Scale (15M entities): entities are read in id ranges; per range, the facts and the file's counts
are extracted as columns (SQL aggregates), scored in one NumPy pass, and written back in bulk
with plain ``executemany`` (the class, its score and its top factors); class changes go to the
history. Staff overrides survive recomputation.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from marketreg.domains.credit import rules, service
from marketreg.domains.credit.enums import EntryStatus, ListType
from marketreg.domains.credit.models import (
    AnnualReport,
    ClassificationRun,
    CreditEvent,
    ListEntry,
    RiskClass,
    RiskClassHistory,
)
from marketreg.domains.credit.service import market_entity
from marketreg.kernel import clock

RISK = service.config()["risk"]
FACTORS = tuple(RISK["factors"])
LABELS = {f: RISK["factors"][f]["label"] for f in FACTORS}
WEIGHTS = np.array([RISK["factors"][f]["weight"] for f in FACTORS], dtype=np.float64)
CAPS = np.array([RISK["factors"][f]["cap"] for f in FACTORS], dtype=np.float64)
CLASS_CODES = np.array(["A", "B", "C", "D"])
CHUNK = 100_000


def due_report_year(today: dt.date) -> int:
    """The latest report year whose filing window (RULES 3.1) has closed."""
    return today.year - 1 if today > rules.report_window(today.year - 1)[1] else today.year - 2


def score(features: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(scores, class codes, contributions) for a (n × factors) feature matrix — the whole model."""
    contributions = np.minimum(features, CAPS) * WEIGHTS
    scores = contributions.sum(axis=1)
    t = RISK["thresholds"]
    classes = np.searchsorted(np.array([t["A"], t["B"], t["C"]]), scores, side="right")
    return scores, CLASS_CODES[classes], contributions


def top_factors(contributions: np.ndarray, k: int = RISK["top_factors"]) -> list[str]:
    """Comma-joined codes of the k largest positive contributions per row."""
    k = min(k, contributions.shape[1])
    order = np.argsort(-contributions, axis=1)[:, :k]
    picked = np.take_along_axis(contributions, order, axis=1) > 0
    names = np.array(FACTORS, dtype=object)[order]
    return [",".join(n[p]) for n, p in zip(names, picked, strict=True)]


def explain(features: dict[str, float]) -> list[tuple[str, str, float, float]]:
    """(code, label, value, points) of every non-zero factor of one entity, largest first."""
    row = np.array([[features.get(f, 0.0) for f in FACTORS]])
    _, _, contributions = score(row)
    out = [(f, LABELS[f], float(row[0, i]), float(contributions[0, i]))
           for i, f in enumerate(FACTORS) if contributions[0, i] != 0]
    return sorted(out, key=lambda r: -abs(r[3]))


# ----------------------------------------------------------------------------- extraction


@dataclass
class Extract:
    ids: np.ndarray
    features: np.ndarray  # n × len(FACTORS)


def extract_range(session: Session, lo: int, hi: int, *, today: dt.date) -> Extract:
    """The feature columns of entities with lo <= id < hi."""
    e = market_entity.c
    in_range = (e.id >= lo) & (e.id < hi)
    base = session.execute(select(e.id, e.uscc, e.entity_type, e.status, e.established_on)
                           .where(in_range).order_by(e.id)).all()
    n = len(base)
    feats = np.zeros((n, len(FACTORS)), dtype=np.float64)
    if not n:
        return Extract(np.zeros(0, dtype=np.int64), feats)
    ids = np.fromiter((r[0] for r in base), dtype=np.int64, count=n)
    pos = {r[1]: i for i, r in enumerate(base)}
    col = {f: i for i, f in enumerate(FACTORS)}
    young_since = rules.add_years(today, -2)
    year = due_report_year(today)
    for i, (_, _, etype, status, established) in enumerate(base):
        feats[i, col["young"]] = established > young_since
        feats[i, col["not_active"]] = status != "active"
        feats[i, col["no_annual_report"]] = (etype in rules.REPORTING_TYPES and status == "active"
                                             and established.year <= year)
    usccs = select(e.uscc).where(in_range).scalar_subquery()
    for uscc, late in session.execute(select(AnnualReport.entity_uscc, AnnualReport.late).where(
            AnnualReport.report_year == year, AnnualReport.entity_uscc.in_(usccs))):
        if uscc in pos:
            feats[pos[uscc], col["no_annual_report"]] = 0
            feats[pos[uscc], col["late_annual_report"]] = bool(late)
    c = CreditEvent
    since = today - dt.timedelta(days=365)
    counts = (
        ("complaints", (c.flag == "complaint") & (c.occurred_on > since)),
        ("reports", (c.flag == "report") & (c.occurred_on > since)),
        ("cases", c.name == "enforcement.case_filed"),
        ("penalties", c.name == "enforcement.penalty_decided"),
        ("heavy_penalties", c.flag == "heavy"),
        ("inspection_problems", c.flag == "problem"),
        ("unreachable", c.flag == "unreachable"),
        ("repairs", c.name == "credit.repair_granted"),
    )
    stmt = (select(c.entity_uscc, *(func.sum(case((cond, 1), else_=0)) for _, cond in counts))
            .where(c.entity_uscc.in_(usccs)).group_by(c.entity_uscc))
    for row in session.execute(stmt):
        i = pos.get(row[0])
        if i is not None:
            feats[i, [col[name] for name, _ in counts]] = row[1:]
    for uscc, list_type in session.execute(select(ListEntry.entity_uscc, ListEntry.list_type).where(
            ListEntry.status == EntryStatus.listed, ListEntry.entity_uscc.in_(usccs))):
        if uscc in pos:
            feats[pos[uscc], col["abnormal_listed" if list_type == ListType.abnormal else "serious_listed"]] = 1
    return Extract(ids, feats)


def entity_features(session: Session, entity_id: int, *, today: dt.date) -> dict[str, float]:
    ex = extract_range(session, entity_id, entity_id + 1, today=today)
    return dict(zip(FACTORS, ex.features[0].tolist(), strict=True)) if len(ex.ids) else {}


# ----------------------------------------------------------------------------- the run


@dataclass(frozen=True, slots=True)
class RunResult:
    run_id: int
    entities: int
    counts: dict[str, int]
    changed: int


def _placeholders(session: Session, n: int) -> str:
    mark = "?" if session.bind.dialect.name == "sqlite" else "%s"
    return ", ".join([mark] * n)


def _write(session: Session, ids: np.ndarray, scores: np.ndarray, classes: np.ndarray, factors: list[str], *,
           run_id: int, today: dt.date) -> int:
    """Replace the range's current classes in bulk (keeping overrides); history rows for changes."""
    if not len(ids):
        return 0
    lo, hi = int(ids[0]), int(ids[-1])
    previous = dict(session.execute(select(RiskClass.entity_id, RiskClass.computed_class).where(
        RiskClass.entity_id.between(lo, hi))).all())
    overrides = {r[0]: r[1:] for r in session.execute(
        select(RiskClass.entity_id, RiskClass.override_class, RiskClass.override_reason, RiskClass.override_by)
        .where(RiskClass.entity_id.between(lo, hi), RiskClass.override_class.is_not(None)))}
    conn = session.connection()
    conn.exec_driver_sql(f"DELETE FROM credit_risk_class WHERE entity_id BETWEEN {lo} AND {hi}")
    iso = today.isoformat() if session.bind.dialect.name == "sqlite" else today
    id_list, score_list, class_list = ids.tolist(), np.round(scores, 2).tolist(), classes.tolist()
    rows = [(i, c, s, f, iso, run_id, *overrides.get(i, (None, None, None)))
            for i, c, s, f in zip(id_list, class_list, score_list, factors, strict=True)]
    conn.exec_driver_sql(
        "INSERT INTO credit_risk_class (entity_id, computed_class, score, factors, computed_on, run_id, "
        f"override_class, override_reason, override_by) VALUES ({_placeholders(session, 9)})", rows)
    changed = [(i, run_id, c, s, iso, "重新分类") for i, c, s in zip(id_list, class_list, score_list, strict=True)
               if previous.get(i) not in (None, c)]
    if changed:
        conn.exec_driver_sql("INSERT INTO credit_risk_class_history (entity_id, run_id, risk_class, score, changed_on,"
                             f" note) VALUES ({_placeholders(session, 6)})", changed)
    return len(changed)


def start_run(session: Session, *, today: dt.date, job_id: int | None = None) -> ClassificationRun:
    run = ClassificationRun(run_on=today, config_version=RISK["version"], job_id=job_id, created_at=clock.now(),
                            counts={})
    session.add(run)
    session.flush()
    return run


def classify_range(session: Session, *, run_id: int, lo: int, hi: int, today: dt.date) -> tuple[int, dict, int]:
    """Classify entities with lo <= id < hi: (entities, class counts, class changes)."""
    ex = extract_range(session, lo, hi, today=today)
    scores, classes, contributions = score(ex.features)
    changed = _write(session, ex.ids, scores, classes, top_factors(contributions), run_id=run_id, today=today)
    values, n = np.unique(classes, return_counts=True)
    return len(ex.ids), dict(zip(values.tolist(), n.tolist(), strict=True)), changed


def finish_run(session: Session, *, run_id: int, entities: int, counts: dict) -> None:
    run = session.get(ClassificationRun, run_id)
    run.entities, run.counts = entities, counts


def classify_all(session: Session, *, today: dt.date | None = None, chunk: int = CHUNK) -> RunResult:
    """Recompute every entity's class in one transaction (monthly, RULES 4.4; CLI; demo). The staff
    job runs the same ranges in a transaction each, reporting progress between them."""
    today = today or clock.today()
    run = start_run(session, today=today)
    lo, hi, _ = service.id_bounds(session)
    counts = dict.fromkeys(CLASS_CODES.tolist(), 0)
    done = changed = 0
    for start in range(lo, hi + 1, chunk):
        n, found, moved = classify_range(session, run_id=run.id, lo=start, hi=start + chunk, today=today)
        for cls, k in found.items():
            counts[cls] += k
        done, changed = done + n, changed + moved
    finish_run(session, run_id=run.id, entities=done, counts=counts)
    return RunResult(run.id, done, counts, changed)


def history_of(session: Session, entity_id: int) -> list[RiskClassHistory]:
    return list(session.scalars(select(RiskClassHistory).where(RiskClassHistory.entity_id == entity_id)
                                .order_by(RiskClassHistory.id.desc()).limit(50)))
