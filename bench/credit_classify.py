"""Benchmark: credit risk classification (A–D) of every entity vs. the database's own limit.

    .venv/bin/python bench/credit_classify.py --entities 1000000 --db sqlite
    .venv/bin/python bench/credit_classify.py --entities 15000000 --db sqlite

Setup (not timed): a fresh database (bench/out/credit_<N>.db, or the PostgreSQL schema
``bench_credit``; a non-empty one is refused unless ``--replace``) migrated with the base data;
N synthetic ``market_entity`` rows and synthetic credit-file rows (complaints, cases, penalties
incl. heavier ones, inspection problems and unreachable results for ~12% of entities), annual
reports for ~85% of reporting entities and abnormal-list entries for ~2%, all by raw
``executemany`` in chunks (bounded memory).

Timed, both from the same starting state (no stored classes):
  ours  ``classify.run_in_ranges``: the real path (the staff job and the monthly run) — per id
        range, one set-based statement into NumPy, the score, and the changed classes (here: all,
        as none are stored yet) written in a short write transaction of its own.
  raw   one hand-written statement extracting the same features of the whole table, fetched into
        NumPy, the same scoring (``classify.score``), and one bulk write of the same classes into
        a scratch table with the same columns and primary key (SQLite: one ``executemany``
        transaction; PostgreSQL: ``COPY``). The scratch table is dropped afterwards.
The script checks that both arms stored the same class for every entity, then times a second run
of ours (the monthly steady state: nothing changed, nothing written).

Prints entities/s, the longest write transaction of ours, peak RSS and the load average; the
last line is ``ratio=<ours/raw>`` in entities per second (1.0: as fast as the limit).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import time
from itertools import repeat

from sqlalchemy import event

import _common  # sets the environment before marketreg is imported

SCHEMA = "bench_credit"
CHUNK = 100_000
TODAY = dt.date(2026, 11, 1)
CITIES = ["370100", "370200", "370300", "370600", "370700", "370800", "371300", "371400", "371600"]
SECTIONS = "ACEFGHIKLMOR"


def log(message: str) -> None:
    print(message, flush=True)


def _mark(engine) -> str:
    return "?" if engine.dialect.name == "sqlite" else "%s"


def insert_rows(engine, sql: str, rows: list[tuple]) -> None:
    with engine.begin() as conn:
        conn.exec_driver_sql(sql, rows)


def _values(engine, n: int) -> str:
    return ", ".join([_mark(engine)] * n)


def generate(engine, n: int, seed: int = 7) -> dict[str, int]:
    """Synthetic entities and credit rows, inserted chunk by chunk (not timed)."""
    rng = random.Random(seed)
    now = dt.datetime(2026, 11, 1, 8, tzinfo=dt.UTC)
    sqlite = engine.dialect.name == "sqlite"
    stamp = now.isoformat() if sqlite else now
    day = (lambda d: d.isoformat()) if sqlite else (lambda d: d)
    ent_sql = ("INSERT INTO market_entity (id, uscc, name, name_initials, entity_type, status, legal_rep_name, "
               "address, region_code, city_code, org_path, industry_code, industry_section, established_on, "
               f"created_at, updated_at) VALUES ({_values(engine, 16)})")
    ev_sql = ("INSERT INTO credit_event (event_id, name, category, entity_uscc, title, ref, occurred_on, flag, public, "
              f"payload, org_path, recorded_at) VALUES ({_values(engine, 12)})")
    ar_sql = ("INSERT INTO credit_annual_report (entity_uscc, entity_name, entity_type, city_code, org_path, "
              "report_year, filed_on, late, public_items, item7, item7_public, corrections, created_at) "
              f"VALUES ({_values(engine, 13)})")
    le_sql = ("INSERT INTO credit_list_entry (list_type, source_ref, entity_uscc, entity_name, city_code, org_path, "
              "status, ground_code, ground_label, basis, rule_version, evidence, reason, trigger_on, provisional, "
              f"calendar_version, listed_on, higher_consent, measures, created_at) VALUES ({_values(engine, 20)})")
    kinds = [("complaints.item_received", "complaint", "complaint"),
             ("complaints.item_received", "complaint", "report"), ("enforcement.case_filed", "case", None),
             ("enforcement.penalty_decided", "penalty", None), ("enforcement.penalty_decided", "penalty", "heavy"),
             ("inspections.result_recorded", "inspection", "problem"),
             ("inspections.result_recorded", "inspection", "unreachable")]
    counts = dict.fromkeys(("entities", "events", "reports", "entries"), 0)
    event_id = 0
    for start in range(1, n + 1, CHUNK):
        ents, events, reports, entries = [], [], [], []
        for i in range(start, min(start + CHUNK, n + 1)):
            city = CITIES[i % len(CITIES)]
            county = city[:4] + f"{(i // 7) % 9 + 2:02d}"
            org = f"/370000/{city}/{county}/"
            uscc = f"9137{i:014d}"
            etype = "individual" if rng.random() < 0.6 else "enterprise"
            established = dt.date(2000, 1, 1) + dt.timedelta(days=rng.randrange(9400))
            status = "active" if rng.random() < 0.95 else "revoked"
            ents.append((i, uscc, f"企业{i}", f"qy{i}", etype, status, "张三", "山东省某地", county, city, org,
                         "5211", SECTIONS[i % len(SECTIONS)], day(established), stamp, stamp))
            if rng.random() < 0.12:
                for _ in range(rng.randint(1, 3)):
                    name, category, flag = kinds[rng.randrange(len(kinds))]
                    event_id += 1
                    occurred = TODAY - dt.timedelta(days=rng.randrange(900))
                    events.append((event_id, name, category, uscc, "synthetic", f"R{event_id}", day(occurred), flag,
                                   False, "{}", org, stamp))
            if etype == "enterprise" and status == "active" and established.year <= 2025 and rng.random() < 0.85:
                reports.append((uscc, f"企业{i}", etype, city, org, 2025, day(dt.date(2026, 5, 1)), False, "{}", "{}",
                                False, 0, stamp))
            elif etype == "enterprise" and rng.random() < 0.2:
                entries.append(("abnormal", f"bench:{i}", uscc, f"企业{i}", city, org, "listed",
                                "annual_report_late", "未依照规定的期限公示年度报告",
                                "《企业经营异常名录管理办法》第六条", "samr101-2025", "", "",
                                day(dt.date(2026, 7, 1)), False, "", day(dt.date(2026, 7, 2)), False, "[]", stamp))
        insert_rows(engine, ent_sql, ents)
        for sql, rows in ((ev_sql, events), (ar_sql, reports), (le_sql, entries)):
            if rows:
                insert_rows(engine, sql, rows)
        counts["entities"] += len(ents)
        counts["events"] += len(events)
        counts["reports"] += len(reports)
        counts["entries"] += len(entries)
    return counts


def write_transactions(engine) -> list[float]:
    """Durations of every write transaction on ``engine`` from now on (BEGIN IMMEDIATE … COMMIT on
    SQLite; any transaction that wrote, on PostgreSQL)."""
    spans: list[float] = []
    started: dict[int, float] = {}

    @event.listens_for(engine, "begin")
    def _begin(conn) -> None:
        if conn.get_execution_options().get("sqlite_immediate") or engine.dialect.name != "sqlite":
            started[id(conn)] = time.perf_counter()

    @event.listens_for(engine, "commit")
    def _commit(conn) -> None:
        if id(conn) in started:
            spans.append(time.perf_counter() - started.pop(id(conn)))

    return spans


def run_ours(sessions) -> tuple[float, object]:
    from marketreg.domains.credit import classify

    t0 = time.perf_counter()
    result = classify.run_in_ranges(sessions, today=TODAY)
    return time.perf_counter() - t0, result


RAW_SQL = """
SELECT e.id,
  CASE WHEN e.established_on > '{young_since}' THEN 1 ELSE 0 END,
  CASE WHEN e.status <> 'active' THEN 1 ELSE 0 END,
  CASE WHEN e.entity_type IN ('enterprise', 'branch', 'cooperative') AND e.status = 'active'
            AND e.established_on <= '{year}-12-31' AND ar.id IS NULL THEN 1 ELSE 0 END,
  CASE WHEN ar.late THEN 1 ELSE 0 END,
  coalesce(ev.complaints, 0), coalesce(ev.reports, 0), coalesce(ev.cases, 0), coalesce(ev.penalties, 0),
  coalesce(ev.heavy, 0), coalesce(ev.problems, 0), coalesce(ev.unreachable, 0),
  CASE WHEN EXISTS (SELECT 1 FROM credit_list_entry l WHERE l.entity_uscc = e.uscc AND l.list_type = 'abnormal'
                    AND l.status = 'listed') THEN 1 ELSE 0 END,
  CASE WHEN EXISTS (SELECT 1 FROM credit_list_entry l WHERE l.entity_uscc = e.uscc AND l.list_type = 'serious'
                    AND l.status = 'listed') THEN 1 ELSE 0 END,
  coalesce(ev.repairs, 0)
FROM market_entity e
LEFT JOIN credit_annual_report ar ON ar.entity_uscc = e.uscc AND ar.report_year = {year}
LEFT JOIN (SELECT entity_uscc,
    sum(CASE WHEN flag = 'complaint' AND occurred_on > '{since}' THEN 1 ELSE 0 END) AS complaints,
    sum(CASE WHEN flag = 'report' AND occurred_on > '{since}' THEN 1 ELSE 0 END) AS reports,
    sum(CASE WHEN name = 'enforcement.case_filed' THEN 1 ELSE 0 END) AS cases,
    sum(CASE WHEN name = 'enforcement.penalty_decided' THEN 1 ELSE 0 END) AS penalties,
    sum(CASE WHEN flag = 'heavy' THEN 1 ELSE 0 END) AS heavy,
    sum(CASE WHEN flag = 'problem' THEN 1 ELSE 0 END) AS problems,
    sum(CASE WHEN flag = 'unreachable' THEN 1 ELSE 0 END) AS unreachable,
    sum(CASE WHEN name = 'credit.repair_granted' THEN 1 ELSE 0 END) AS repairs
  FROM credit_event GROUP BY entity_uscc) ev ON ev.entity_uscc = e.uscc
ORDER BY e.id
"""
SCRATCH = "bench_raw_risk_class"


def run_raw(engine) -> tuple[float, int, dict]:
    """One statement into NumPy, the same scoring, one bulk write into a scratch table."""
    import numpy as np

    from marketreg.domains.credit import classify, rules

    sql = RAW_SQL.format(young_since=rules.add_years(TODAY, -2).isoformat(),
                         year=classify.due_report_year(TODAY), since=(TODAY - dt.timedelta(days=365)).isoformat())
    sqlite = engine.dialect.name == "sqlite"
    with engine.begin() as conn:
        key = "INTEGER" if sqlite else "BIGINT"  # as credit_risk_class: the rowid on SQLite
        conn.exec_driver_sql(f"CREATE TABLE {SCRATCH} (entity_id {key} PRIMARY KEY, computed_class VARCHAR(1) NOT NULL,"
                             " score FLOAT NOT NULL, computed_on DATE NOT NULL, run_id INTEGER NOT NULL,"
                             " override_class VARCHAR(1), override_reason TEXT, override_by VARCHAR(64))")
    t0 = time.perf_counter()
    with engine.begin() as conn:
        cursor = conn.connection.cursor()
        cursor.execute(sql)
        ids, scores = [], []
        while batch := cursor.fetchmany(100_000):  # scored batch by batch: memory holds no n × 15 matrix
            matrix = np.array(batch, dtype=np.float64)
            ids.append(matrix[:, 0].astype(np.int64))
            scores.append(np.round(classify.score(matrix[:, 1:])[0], 2))
        cursor.close()
        ids, scores = np.concatenate(ids), np.concatenate(scores)
        classes = classify.CLASS_CODES[classify.class_index(scores)]
        day = TODAY.isoformat() if sqlite else TODAY

        def rows():
            for at in range(0, len(ids), 100_000):
                part = slice(at, at + 100_000)
                yield from zip(ids[part].tolist(), classes[part].tolist(), scores[part].tolist(), repeat(day))

        if sqlite:
            conn.connection.cursor().executemany(
                f"INSERT INTO {SCRATCH} (entity_id, computed_class, score, computed_on, run_id) VALUES (?, ?, ?, ?, 0)",
                rows())
        else:
            with conn.connection.cursor().copy(
                    f"COPY {SCRATCH} (entity_id, computed_class, score, computed_on, run_id) FROM STDIN") as copy:
                for row in rows():
                    copy.write_row((*row, 0))
    spent = time.perf_counter() - t0
    values, k = np.unique(classes, return_counts=True)
    return spent, len(ids), dict(zip(values.tolist(), k.tolist(), strict=True))


def compare(engine) -> tuple[int, int]:
    """(entities classified differently by the two arms, entities in only one of them)."""
    with engine.connect() as conn:
        differ = conn.exec_driver_sql(
            f"SELECT count(*) FROM credit_risk_class c JOIN {SCRATCH} s ON s.entity_id = c.entity_id "
            "WHERE s.computed_class <> c.computed_class OR abs(s.score - c.score) > 0.001").scalar()
        only = conn.exec_driver_sql(
            f"SELECT (SELECT count(*) FROM credit_risk_class) + (SELECT count(*) FROM {SCRATCH}) - 2 * "
            f"(SELECT count(*) FROM credit_risk_class c JOIN {SCRATCH} s ON s.entity_id = c.entity_id)").scalar()
    return int(differ), int(only)


def drop_scratch(engine) -> None:
    with engine.begin() as conn:
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS {SCRATCH}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entities", type=int, default=1_000_000)
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--replace", action="store_true", help="drop a non-empty database of the same name first")
    args = parser.parse_args()
    name = f"credit_{args.entities}"
    url = _common.empty_database(args.db, name=name, schema=SCHEMA, replace=args.replace)
    engine, sessions = _common.build_database(url)
    try:
        t0 = time.perf_counter()
        counts = generate(engine, args.entities)
        if engine.dialect.name == "postgresql":  # planner statistics, as autovacuum would have them by now
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("ANALYZE")
        log(f"setup (not timed): {counts} in {time.perf_counter() - t0:,.1f} s; "
            f"peak RSS {_common.peak_rss_mb():,.0f} MiB; {_common.load_average()}")
        spans = write_transactions(engine)
        ours_s, result = run_ours(sessions)
        ours_rate = result.entities / ours_s
        log(f"ours: run_in_ranges of {result.entities:,} entities in {ours_s:,.1f} s = {ours_rate:,.0f} entities/s; "
            f"classes {result.counts}; {len(spans)} write transactions, longest {max(spans):.2f} s; "
            f"peak RSS {_common.peak_rss_mb():,.0f} MiB; {_common.load_average()}")
        spans.clear()
        again_s, again = run_ours(sessions)
        log(f"ours again (nothing changed): {again_s:,.1f} s, {again.changed} class changes; "
            f"longest write transaction {max(spans):.2f} s")
        raw_s, raw_n, raw_counts = run_raw(engine)
        raw_rate = raw_n / raw_s
        differ, only = compare(engine)
        log(f"raw: one statement + NumPy + one bulk write of {raw_n:,} entities in {raw_s:,.1f} s = "
            f"{raw_rate:,.0f} entities/s; classes {raw_counts}; peak RSS {_common.peak_rss_mb():,.0f} MiB; "
            f"{_common.load_average()}")
        same = raw_counts == result.counts and differ == 0 and only == 0
        log(f"check: class counts {'same' if raw_counts == result.counts else 'DIFFERENT'}; "
            f"{differ} entities classified differently, {only} in one arm only")
        log(f"database size {_common.database_size_mb(engine):,.0f} MiB")
    finally:
        drop_scratch(engine)
        engine.dispose()
    if not args.keep:
        _common.drop_database(args.db, name=name, schema=SCHEMA)
    print(f"ratio={ours_rate / raw_rate:.4f}", flush=True)
    if not same:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
