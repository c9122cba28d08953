"""Benchmark: credit risk classification (A–D) of every entity vs. the bare arithmetic.

    .venv/bin/python bench/credit_classify.py --entities 1000000 --db sqlite
    .venv/bin/python bench/credit_classify.py --entities 15000000 --db sqlite

Setup (not timed): a fresh database (bench/out/credit_<N>.db, or the PostgreSQL schema
``bench_credit``) migrated with the base data; N synthetic ``market_entity`` rows and synthetic
credit-file rows (complaints, cases, penalties incl. heavier ones, inspection problems and
unreachable results for ~12% of entities), annual reports for ~85% of reporting entities and
abnormal-list entries for ~2%, all by raw ``executemany`` in chunks (bounded memory).

Timed:
  ours  ``classify.classify_all``: the real path — per id range, extract the registry facts and the
        credit file's counts (SQL aggregates), score in NumPy, write the classes in bulk (keeping
        overrides) and the history of changes; one transaction, committed.
  raw   the same arithmetic (``classify.score`` + top factors + class counts) as one vectorised NumPy
        pass over the same extracted columns (re-extracted range by range, extraction not timed).

Prints entities/s and peak RSS; the last line is ``ratio=<ours/raw>`` (entities per second;
1.0 would mean the whole path runs as fast as the bare arithmetic).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import time

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


def run_ours(sessions) -> tuple[float, object]:
    from marketreg.domains.credit import classify

    t0 = time.perf_counter()
    with sessions.transaction() as session:
        result = classify.classify_all(session, today=TODAY)
    return time.perf_counter() - t0, result


def run_raw(sessions) -> tuple[float, int, dict]:
    """The arithmetic alone over the same columns, range by range (extraction untimed)."""
    import numpy as np

    from marketreg.domains.credit import classify, service

    spent, n = 0.0, 0
    counts = dict.fromkeys(classify.CLASS_CODES.tolist(), 0)
    with sessions.read() as session:
        lo, hi, _ = service.id_bounds(session)
        for start in range(lo, hi + 1, classify.CHUNK):
            ex = classify.extract_range(session, start, start + classify.CHUNK, today=TODAY)
            t0 = time.perf_counter()
            _, classes, contributions = classify.score(ex.features)
            classify.top_factors(contributions)
            values, k = np.unique(classes, return_counts=True)
            spent += time.perf_counter() - t0
            for v, c in zip(values.tolist(), k.tolist(), strict=True):
                counts[v] += c
            n += len(ex.ids)
    return spent, n, counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entities", type=int, default=1_000_000)
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    db = "sqlite" if args.db == "sqlite" else "postgres"
    name = f"credit_{args.entities}"
    url = _common.fresh_database(db, name=name, schema=SCHEMA)
    engine, sessions = _common.build_database(url)
    t0 = time.perf_counter()
    counts = generate(engine, args.entities)
    log(f"setup (not timed): {counts} in {time.perf_counter() - t0:,.1f} s; "
        f"peak RSS {_common.peak_rss_mb():,.0f} MiB")
    before = _common.peak_rss_mb()
    ours_s, result = run_ours(sessions)
    ours_rate = result.entities / ours_s
    log(f"ours: classify_all of {result.entities:,} entities in {ours_s:,.1f} s = {ours_rate:,.0f} entities/s; "
        f"classes {result.counts}; peak RSS {_common.peak_rss_mb():,.0f} MiB (before: {before:,.0f} MiB)")
    raw_s, raw_n, raw_counts = run_raw(sessions)
    raw_rate = raw_n / raw_s
    log(f"raw: NumPy scoring of {raw_n:,} entities in {raw_s:,.2f} s = {raw_rate:,.0f} entities/s; "
        f"classes {raw_counts} ({'same' if raw_counts == result.counts else 'DIFFERENT'})")
    log(f"database size {_common.database_size_mb(engine):,.0f} MiB")
    engine.dispose()
    if not args.keep:
        _common.drop_database(db, name=name, schema=SCHEMA)
    print(f"ratio={ours_rate / raw_rate:.4f}", flush=True)


if __name__ == "__main__":
    main()
