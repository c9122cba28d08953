"""Benchmark: bulk import of market entities vs. the database's own bulk load.

    .venv/bin/python bench/import_entities.py --rows 1000000 --db sqlite
    .venv/bin/python bench/import_entities.py --rows 1000000 --db postgres

Builds a fresh database (bench/out/import_<N>.db, or the PostgreSQL schema ``bench_import``),
migrates it and loads the base data, streams N synthetic rows (registry seed generator) to a
CSV file, then times

  ours  ``importer.import_entities`` of that file: the real path (read, validate every row,
        chunked upsert on USCC, an audit row per chunk);
  raw   the database's own bulk path for the same rows into a scratch table with the CSV's
        columns (typed like market_entity, no indexes): SQLite one ``executemany``
        transaction over ``csv.reader`` rows; PostgreSQL ``COPY … FROM STDIN`` fed the file.

and a re-import of the same file (must insert and update nothing). Generation is timed
separately and is part of neither measurement. The last line is ``ratio=<ours/raw>``
(rows per second; 1.0 would mean as fast as the raw bulk load).
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import io
import json
import os
import pstats
import sys
import time
from pathlib import Path

from sqlalchemy import text

import _common  # sets the environment before marketreg is imported

SCRATCH = "bench_raw"
SCRATCH_INDEXED = "bench_raw_ix"
SCHEMA = "bench_import"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows to generate and import")
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--chunk", type=int, default=5000, help="import_entities chunk_rows")
    parser.add_argument("--keep", action="store_true", help="keep the database and the CSV file afterwards")
    parser.add_argument("--seed", type=int, default=2021)
    parser.add_argument("--reuse-csv", action="store_true",
                        help="reuse bench/out/entities_<N>_<seed>.csv if a complete one exists")
    parser.add_argument("--raw-indexed", action="store_true",
                        help="also time the raw load into a scratch table with the unique USCC and "
                             "the other market_entity indexes on CSV columns (informational)")
    parser.add_argument("--profile", metavar="FILE",
                        help="run ours under cProfile, dump stats to FILE and print the top functions "
                             "(the timing is then inflated by the profiler)")
    return parser.parse_args(argv)


def log(message: str) -> None:
    print(message, flush=True)


def rss_now_mb() -> float | None:
    try:
        import psutil
    except ImportError:
        return None
    return psutil.Process().memory_info().rss / 2**20


# ---------------------------------------------------------------- data


def generate_csv(sessions, path: Path, rows: int, seed: int, reuse: bool) -> tuple[float, bool]:
    """Stream ``rows`` generated entities to ``path``; returns (seconds, reused)."""
    from marketreg.domains.reference import service as reference
    from marketreg.domains.registry import seed as registry_seed

    meta = path.with_suffix(".meta.json")
    want = {"rows": rows, "seed": seed, "bytes": None}
    if reuse and path.exists() and meta.exists():
        have = json.loads(meta.read_text())
        if have.get("rows") == rows and have.get("seed") == seed and have.get("bytes") == path.stat().st_size:
            return 0.0, True
    meta.unlink(missing_ok=True)
    with sessions.read() as session:
        counties = [registry_seed.County(*row) for row in reference.county_rows(session)]
        industries = reference.industry_leaves_by_section(session)
    started = time.perf_counter()
    tmp = path.with_suffix(".csv.part")
    written = registry_seed.write_csv(
        tmp, registry_seed.generate_entities(rows, counties=counties, industries=industries, seed=seed))
    tmp.replace(path)
    seconds = time.perf_counter() - started
    assert written == rows, (written, rows)
    want["bytes"] = path.stat().st_size
    meta.write_text(json.dumps(want))
    return seconds, False


# ---------------------------------------------------------------- ours


class Progress:
    """Prints progress lines (rows, cumulative and recent rate, memory) about every 5 %."""

    def __init__(self, total_rows: int, chunk: int):
        self.step = max(total_rows // 20, chunk)
        self.next = self.step
        self.started = self.last_time = time.perf_counter()
        self.last_rows = 0

    def __call__(self, position: int, size: int, report) -> None:
        if report.rows < self.next and position < size:
            return
        self.next = report.rows + self.step
        now = time.perf_counter()
        recent = (report.rows - self.last_rows) / (now - self.last_time) if now > self.last_time else 0.0
        rss = rss_now_mb()
        log(f"  … {report.rows:>11,} rows  {now - self.started:8.1f} s  "
            f"avg {report.rows / (now - self.started):>9,.0f} rows/s  recent {recent:>9,.0f} rows/s  "
            f"inserted {report.inserted:,} rejected {report.rejected:,}"
            + (f"  rss {rss:,.0f} MiB" if rss is not None else ""))
        self.last_time, self.last_rows = now, report.rows


def run_ours(sessions, path: Path, chunk: int, rows: int, profile: str | None = None):
    from marketreg.domains.registry.importer import import_entities
    from marketreg.platform.authz import SYSTEM

    progress = Progress(rows, chunk)
    profiler = cProfile.Profile() if profile else None
    cpu = time.process_time()
    started = time.perf_counter()
    if profiler:
        profiler.enable()
    report = import_entities(sessions, path=path, actor=SYSTEM, chunk_rows=chunk, progress=progress,
                             error_path=path.with_name(path.name + ".errors.csv"))
    if profiler:
        profiler.disable()
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu
    if profiler:
        profiler.dump_stats(profile)
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats("tottime").print_stats(25)
        stats.sort_stats("cumulative").print_stats(30)
        log(out.getvalue())
    return report, seconds, cpu


def report_line(report) -> str:
    reasons = ", ".join(f"{k}={v}" for k, v in sorted(report.reasons.items(), key=lambda kv: -kv[1])) or "-"
    return (f"rows={report.rows} inserted={report.inserted} updated={report.updated} "
            f"unchanged={report.unchanged} rejected={report.rejected} reasons: {reasons}")


# ---------------------------------------------------------------- raw


def scratch_columns(engine) -> list[tuple[str, str]]:
    """(column, type) of market_entity for each CSV column, in CSV order."""
    from marketreg.domains.registry.importer import COLUMNS, map_header
    from marketreg.domains.registry.models import Entity
    from marketreg.domains.registry.seed import CSV_HEADER

    positions = map_header(CSV_HEADER)
    by_position = sorted(positions.items(), key=lambda kv: kv[1])
    assert [p for _, p in by_position] == list(range(len(CSV_HEADER))), "CSV columns must all map"
    assert set(positions) <= set(COLUMNS)
    table = Entity.__table__
    return [(name, table.c[name].type.compile(dialect=engine.dialect)) for name, _ in by_position]


def create_scratch(engine, name: str, *, indexed: bool) -> list[str]:
    columns = scratch_columns(engine)
    with engine.begin() as conn:
        conn.execute(text(f"DROP TABLE IF EXISTS {name}"))
        conn.execute(text(f"CREATE TABLE {name} ({', '.join(f'{c} {t}' for c, t in columns)})"))
        if indexed:
            conn.execute(text(f"CREATE UNIQUE INDEX ux_{name}_uscc ON {name} (uscc)"))
            for column in ("name", "region_code", "industry_code"):
                conn.execute(text(f"CREATE INDEX ix_{name}_{column} ON {name} ({column})"))
    return [c for c, _ in columns]


def run_raw(engine, path: Path, name: str, *, indexed: bool) -> tuple[int, float, float]:
    """Load the CSV into a scratch table with the database's bulk path; returns (rows, seconds,
    CPU seconds of this process)."""
    columns = create_scratch(engine, name, indexed=indexed)
    raw = engine.raw_connection()
    try:
        dbapi = raw.driver_connection
        cpu = time.process_time()
        started = time.perf_counter()
        if engine.dialect.name == "sqlite":
            # The engine's connections run in autocommit mode (SQLAlchemy emits BEGIN itself),
            # so the transaction is explicit here; same pragmas (WAL, synchronous=NORMAL).
            placeholders = ", ".join("?" for _ in columns)
            with path.open(encoding="utf-8", newline="") as fh:
                reader = csv.reader(fh)
                next(reader)
                cur = dbapi.cursor()
                cur.execute("BEGIN IMMEDIATE")
                cur.executemany(f"INSERT INTO {name} ({', '.join(columns)}) VALUES ({placeholders})", reader)
                cur.execute("COMMIT")
                cur.close()
        else:
            sql = f"COPY {name} ({', '.join(columns)}) FROM STDIN (FORMAT csv, HEADER true)"
            with path.open("rb") as fh, dbapi.cursor() as cur, cur.copy(sql) as copy:
                while block := fh.read(1 << 20):
                    copy.write(block)
            dbapi.commit()
        seconds = time.perf_counter() - started
        cpu = time.process_time() - cpu
    finally:
        raw.close()
    with engine.connect() as conn:
        count = conn.execute(text(f"SELECT count(*) FROM {name}")).scalar_one()
    return count, seconds, cpu


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (1 min) {five:.2f} (5 min) on {os.cpu_count()} CPUs"


# ---------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    name = f"import_{args.rows}"
    where = _common.sqlite_path(name) if args.db == "sqlite" else f"schema {SCHEMA}"
    log(f"import benchmark: rows={args.rows:,} db={args.db} ({where}) chunk={args.chunk}; {load()}")

    started = time.perf_counter()
    url = _common.fresh_database(args.db, name=name, schema=SCHEMA)
    engine, sessions = _common.build_database(url)
    log(f"setup (fresh db, migrate, setup_base): {time.perf_counter() - started:.1f} s")

    _common.OUT.mkdir(parents=True, exist_ok=True)
    csv_path = _common.OUT / f"entities_{args.rows}_{args.seed}.csv"
    gen_seconds, reused = generate_csv(sessions, csv_path, args.rows, args.seed, args.reuse_csv)
    size_mb = csv_path.stat().st_size / 2**20
    if reused:
        log(f"generate: reused {csv_path.name} ({size_mb:,.0f} MiB)")
    else:
        log(f"generate: {args.rows:,} rows -> {csv_path.name} ({size_mb:,.0f} MiB) in {gen_seconds:.1f} s "
            f"({_common.fmt_rate(args.rows, gen_seconds)}); not part of either measurement")
    log(f"peak RSS after setup+generation: {_common.peak_rss_mb():,.0f} MiB (process peak, ru_maxrss)")

    log("ours: import_entities …")
    report, ours_s, ours_cpu = run_ours(sessions, csv_path, args.chunk, args.rows, args.profile)
    with engine.connect() as conn:
        stored = conn.execute(text("SELECT count(*) FROM market_entity")).scalar_one()
    ours_peak = _common.peak_rss_mb()
    log(f"ours: {report_line(report)}")
    log(f"ours: market_entity rows stored={stored:,}; database size {_common.database_size_mb(engine):,.0f} MiB")
    log(f"ours: {ours_s:.2f} s wall ({ours_cpu:.2f} s CPU in this process), {_common.fmt_rate(args.rows, ours_s)}; "
        f"peak RSS {ours_peak:,.0f} MiB (process peak so far, ru_maxrss); {load()}")

    log("re-import of the same file …")
    again, again_s, again_cpu = run_ours(sessions, csv_path, args.chunk, args.rows)
    idempotent = again.inserted == 0 and again.updated == 0
    log(f"re-import: {report_line(again)}")
    log(f"re-import: {again_s:.2f} s wall ({again_cpu:.2f} s CPU), {_common.fmt_rate(args.rows, again_s)}; "
        f"idempotent={'yes' if idempotent else 'NO'}; peak RSS {_common.peak_rss_mb():,.0f} MiB (process peak)")

    log("raw: " + ("executemany, one transaction" if args.db == "sqlite" else "COPY FROM STDIN") + " …")
    raw_rows, raw_s, raw_cpu = run_raw(engine, csv_path, SCRATCH, indexed=False)
    log(f"raw: {raw_rows:,} rows in {raw_s:.2f} s wall ({raw_cpu:.2f} s CPU in this process), "
        f"{_common.fmt_rate(raw_rows, raw_s)}; peak RSS {_common.peak_rss_mb():,.0f} MiB (process peak); {load()}")
    if args.raw_indexed:
        ix_rows, ix_s, _ = run_raw(engine, csv_path, SCRATCH_INDEXED, indexed=True)
        log(f"raw, indexed scratch (unique uscc + name, region_code, industry_code): {ix_rows:,} rows in "
            f"{ix_s:.2f} s, {_common.fmt_rate(ix_rows, ix_s)} (informational, not in the ratio)")

    ours_rate, raw_rate = args.rows / ours_s, raw_rows / raw_s
    log(f"summary: ours {ours_rate:,.0f} rows/s ({ours_s:.1f} s) | re-import {args.rows / again_s:,.0f} rows/s "
        f"({again_s:.1f} s) | raw {raw_rate:,.0f} rows/s ({raw_s:.1f} s) | generation {gen_seconds:.1f} s | "
        f"peak RSS {_common.peak_rss_mb():,.0f} MiB")
    engine.dispose()
    if not args.keep:
        _common.drop_database(args.db, name=name, schema=SCHEMA)
        for leftover in (csv_path, csv_path.with_suffix(".meta.json"),
                         csv_path.with_name(csv_path.name + ".errors.csv")):
            leftover.unlink(missing_ok=True)
    if not idempotent:
        log("ERROR: re-import changed rows")
    print(f"ratio={ours_rate / raw_rate:.3f}", flush=True)
    return 0 if idempotent else 1


if __name__ == "__main__":
    sys.exit(main())
