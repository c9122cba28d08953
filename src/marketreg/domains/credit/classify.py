"""Credit risk classification A–D (RULES 4): a transparent additive score over the credit file and
the registry's basic facts, with the weights and thresholds of ``credit.yaml``.

Scale (15M entities): the run goes through the registry in id ranges. Per range, one set-based
statement (``feature_select``: the registry's facts joined to the credit file's counts, every
factor already a number) is fetched straight into a NumPy matrix, scored in one vectorised pass,
and compared with the stored classes; only the rows whose class or score changed are written, in
a short write transaction of their own, so the single SQLite writer is never held for long.
Explanations (which factors made the class) are computed when shown (``explain``), not stored
for every entity. Staff overrides are separate columns that the run never touches.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from itertools import repeat

import numpy as np
from sqlalchemy import Select, and_, case, delete, exists, func, select
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
from marketreg.domains.registry import service as registry
from marketreg.kernel import clock
from marketreg.platform.arrays import fetch_array
from marketreg.platform.db import Sessions

RISK = service.config()["risk"]
FACTORS = tuple(RISK["factors"])
LABELS = {f: RISK["factors"][f]["label"] for f in FACTORS}
WEIGHTS = np.array([RISK["factors"][f]["weight"] for f in FACTORS], dtype=np.float64)
CAPS = np.array([RISK["factors"][f]["cap"] for f in FACTORS], dtype=np.float64)
CLASS_CODES = np.array(["A", "B", "C", "D"])
THRESHOLDS = np.array([RISK["thresholds"][c] for c in ("A", "B", "C")], dtype=np.float64)
CHUNK = 20_000  # ids per range on SQLite: a range's write transaction (the one writer) stays under a second
PG_CHUNK = 200_000  # on PostgreSQL writers do not block each other; larger ranges mean fewer scans of the file


def due_report_year(today: dt.date) -> int:
    """The latest report year whose filing window (RULES 3.1) has closed."""
    return today.year - 1 if today > rules.report_window(today.year - 1)[1] else today.year - 2


def score(features: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(scores, class codes, contributions) for a (n × factors) feature matrix — the whole model."""
    contributions = np.minimum(features, CAPS) * WEIGHTS
    scores = contributions.sum(axis=1)
    return scores, CLASS_CODES[class_index(scores)], contributions


def class_index(scores: np.ndarray) -> np.ndarray:
    """0..3 (A..D) for each score."""
    return np.searchsorted(THRESHOLDS, scores, side="right").astype(np.uint8)


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
    ids: np.ndarray       # int64, ascending
    features: np.ndarray  # n × len(FACTORS)


def _flag(condition) -> object:
    return case((condition, 1), else_=0)


def _event_counts(today: dt.date, usccs: Select):
    """The credit file's per-entity counts, grouped over the lines of the given entities only."""
    c = CreditEvent
    since = today - dt.timedelta(days=365)
    conditions = {
        "complaints": (c.flag == "complaint") & (c.occurred_on > since),
        "reports": (c.flag == "report") & (c.occurred_on > since),
        "cases": c.name == "enforcement.case_filed",
        "penalties": c.name == "enforcement.penalty_decided",
        "heavy_penalties": c.flag == "heavy",
        "inspection_problems": c.flag == "problem",
        "unreachable": c.flag == "unreachable",
        "repairs": c.name == "credit.repair_granted",
    }
    return (select(c.entity_uscc, *(func.sum(_flag(cond)).label(name) for name, cond in conditions.items()))
            .where(c.entity_uscc.in_(usccs)).group_by(c.entity_uscc).subquery("ev"))


def feature_select(today: dt.date, *, id_from: int | None = None, id_below: int | None = None) -> Select:
    """One statement: ``id`` and every factor (in ``FACTORS`` order, as numbers) of the entities in
    the id range — the registry's facts, the due year's annual report, the credit file's counts
    and the current list entries — in id order."""
    facts = registry.entity_facts("id", "uscc", "entity_type", "status", "established_on", id_from=id_from,
                                  id_below=id_below)
    e = facts.subquery("e")
    r = AnnualReport
    ev = _event_counts(today, facts.with_only_columns(facts.selected_columns.uscc))
    year = due_report_year(today)
    active = e.c.status == "active"
    due = e.c.entity_type.in_(rules.REPORTING_TYPES) & active & (e.c.established_on <= dt.date(year, 12, 31))

    def listed(list_type: str):
        return _flag(exists().where(ListEntry.entity_uscc == e.c.uscc, ListEntry.list_type == list_type,
                                    ListEntry.status == EntryStatus.listed))

    columns = {
        "young": _flag(e.c.established_on > rules.add_years(today, -2)),
        "not_active": _flag(~active),
        "no_annual_report": _flag(due & r.id.is_(None)),
        "late_annual_report": _flag(r.late.is_(True)),
        "abnormal_listed": listed(ListType.abnormal),
        "serious_listed": listed(ListType.serious),
    }
    columns |= {c.name: func.coalesce(c, 0) for c in ev.c if c.name != "entity_uscc"}
    return (select(e.c.id, *(columns[f] for f in FACTORS)).select_from(e)
            .outerjoin(r, and_(r.entity_uscc == e.c.uscc, r.report_year == year))
            .outerjoin(ev, ev.c.entity_uscc == e.c.uscc)
            .order_by(e.c.id))


def extract_range(session: Session, lo: int, hi: int, *, today: dt.date) -> Extract:
    """The feature matrix of entities with lo <= id < hi, straight from the one statement."""
    matrix = fetch_array(session, feature_select(today, id_from=lo, id_below=hi), np.float64)
    return Extract(matrix[:, 0].astype(np.int64), matrix[:, 1:])


def extract_with_stored(session: Session, lo: int, hi: int, *,
                        today: dt.date) -> tuple[Extract, np.ndarray, np.ndarray]:
    """``extract_range`` plus each entity's stored class index (-1: none yet) and score, from the
    same statement, so that the write transaction only writes."""
    features = feature_select(today, id_from=lo, id_below=hi).subquery("f")
    stored = (select(features, func.coalesce(case(*((RiskClass.computed_class == c, i)
                                                     for i, c in enumerate(CLASS_CODES.tolist()))), -1),
                     func.coalesce(RiskClass.score, 0))
              .outerjoin(RiskClass, RiskClass.entity_id == features.c.id).order_by(features.c.id))
    matrix = fetch_array(session, stored, np.float64)
    return (Extract(matrix[:, 0].astype(np.int64), matrix[:, 1:-2]), matrix[:, -2].astype(np.int8),
            matrix[:, -1])


def entity_features(session: Session, entity_id: int, *, today: dt.date) -> dict[str, float]:
    ex = extract_range(session, entity_id, entity_id + 1, today=today)
    return dict(zip(FACTORS, ex.features[0].tolist(), strict=True)) if len(ex.ids) else {}


# ----------------------------------------------------------------------------- writing the changes


@dataclass(frozen=True, slots=True)
class RunResult:
    run_id: int
    entities: int
    counts: dict[str, int]
    changed: int


def _bulk(session: Session, sql: str, arrays: dict[str, np.ndarray], constants: dict[str, object]) -> None:
    """Run ``sql`` for every row of the parallel ``arrays``. ``sql`` names its parameters as
    ``:name``; on SQLite it runs as one ``executemany``; on PostgreSQL as one statement over
    ``unnest`` of the arrays (one round trip instead of one per row), reading them from ``t``."""
    conn = session.connection()
    if conn.dialect.name == "sqlite":
        order = sorted((*arrays, *constants), key=lambda n: sql.index(f":{n}"))
        columns = [arrays[n].tolist() if n in arrays else repeat(constants[n]) for n in order]
        rows = list(zip(*columns, strict=False))  # the constants repeat as long as the arrays run
        conn.exec_driver_sql(re.sub(r":\w+", "?", sql.replace(" FROM_ROWS", "")), rows)
        return
    types = {"i": "bigint[]", "f": "float8[]", "U": "varchar[]"}
    source = ", ".join(f"%({n})s::{types[a.dtype.kind]}" for n, a in arrays.items())
    pg = sql
    for name in arrays:
        pg = pg.replace(f":{name}", f"t.{name}")
    for name in constants:
        pg = pg.replace(f":{name}", f"%({name})s")
    pg = pg.replace("FROM_ROWS", f"FROM unnest({source}) AS t({', '.join(arrays)})")
    conn.exec_driver_sql(pg, {**{n: a.tolist() for n, a in arrays.items()}, **constants})


def write_changes(session: Session, lo: int, hi: int, ids: np.ndarray, scores: np.ndarray, stored_class: np.ndarray,
                  stored_score: np.ndarray, *, run_id: int, today: dt.date) -> int:
    """Bring the stored classes of ``lo <= id < hi`` in line with the new scores: insert new
    entities, update rows whose class or score changed (a history row when the class changed),
    delete rows of entities no longer in the registry. Returns the number of class changes."""
    scores = np.round(scores, 2)
    classes = class_index(scores)
    new = stored_class < 0
    moved = ~new & (stored_class != classes)
    changed = moved | (~new & (stored_score != scores))
    letters = CLASS_CODES[classes]
    stamp = {"day": today.isoformat() if session.get_bind().dialect.name == "sqlite" else today, "run": run_id}
    if new.any():
        _bulk(session, "INSERT INTO credit_risk_class (entity_id, computed_class, score, computed_on, run_id) "
                       "SELECT :id, :cls, :score, :day, :run FROM_ROWS",
              {"id": ids[new], "cls": letters[new], "score": scores[new]}, stamp)
    if changed.any():
        _bulk(session, "UPDATE credit_risk_class SET computed_class = :cls, score = :score, computed_on = :day, "
                       "run_id = :run FROM_ROWS WHERE entity_id = :id",
              {"cls": letters[changed], "score": scores[changed], "id": ids[changed]}, stamp)
    if moved.any():
        _bulk(session, "INSERT INTO credit_risk_class_history (entity_id, run_id, risk_class, score, changed_on, note) "
                       "SELECT :id, :run, :cls, :score, :day, :note FROM_ROWS",
              {"id": ids[moved], "cls": letters[moved], "score": scores[moved]}, {**stamp, "note": "重新分类"})
    session.execute(delete(RiskClass).where(RiskClass.entity_id >= lo, RiskClass.entity_id < hi,
                                            RiskClass.entity_id.not_in(registry.entity_facts(
                                                "id", id_from=lo, id_below=hi))))
    return int(moved.sum())


# ----------------------------------------------------------------------------- the run


def start_run(session: Session, *, today: dt.date, job_id: int | None = None) -> ClassificationRun:
    run = ClassificationRun(run_on=today, config_version=RISK["version"], job_id=job_id, created_at=clock.now(),
                            counts={})
    session.add(run)
    session.flush()
    return run


def _tally(counts: dict[str, int], scores: np.ndarray) -> None:
    for code, n in enumerate(np.bincount(class_index(np.round(scores, 2)), minlength=4).tolist()):
        counts[str(CLASS_CODES[code])] += n


def finish_run(session: Session, *, run_id: int, entities: int, counts: dict) -> None:
    run = session.get(ClassificationRun, run_id)
    run.entities, run.counts = entities, counts


def run_in_ranges(sessions: Sessions, *, today: dt.date | None = None, job_id: int | None = None,
                  chunk: int | None = None, progress: Callable[[int, int], None] | None = None) -> RunResult:
    """Recompute every entity's class (monthly, RULES 4.4; the staff job; the CLI): per id range,
    the extraction and scoring in a read transaction, then the changes in a short write
    transaction of their own; ``progress(done, total)`` between ranges."""
    today = today or clock.today()
    chunk = chunk or (CHUNK if sessions.engine.dialect.name == "sqlite" else PG_CHUNK)
    with sessions.transaction() as session:
        run_id = start_run(session, today=today, job_id=job_id).id
    with sessions.read() as session:
        lo, hi, total = registry.id_bounds(session)
    counts = dict.fromkeys(CLASS_CODES.tolist(), 0)
    done = changed = 0
    for start in range(lo, hi + 1, chunk):
        with sessions.read() as session:
            ex, stored_class, stored_score = extract_with_stored(session, start, start + chunk, today=today)
        scores, _, _ = score(ex.features)
        _tally(counts, scores)
        with sessions.transaction() as session:
            changed += write_changes(session, start, start + chunk, ex.ids, scores, stored_class, stored_score,
                                     run_id=run_id, today=today)
        done += len(ex.ids)
        if progress:
            progress(done, total)
    with sessions.transaction() as session:
        finish_run(session, run_id=run_id, entities=done, counts=counts)
    return RunResult(run_id, done, counts, changed)


def history_of(session: Session, entity_id: int) -> list[RiskClassHistory]:
    return list(session.scalars(select(RiskClassHistory).where(RiskClassHistory.entity_id == entity_id)
                                .order_by(RiskClassHistory.id.desc()).limit(50)))
