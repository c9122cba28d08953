"""Benchmark: bulk import of market entities vs. the database's own bulk load, like for like.

    .venv/bin/python bench/import_entities.py --rows 1000000 --db sqlite
    .venv/bin/python bench/import_entities.py --rows 1000000 --db postgres

Builds a fresh database (bench/out/import_<N>.db, or the PostgreSQL schema ``bench_import``;
an existing non-empty one is refused), migrates it and loads the base data, streams N
synthetic rows (registry seed generator) to a CSV file and, in the same pass, the same rows
as they are stored (all 18 written columns) to a "prepared" file, then times

  ours  ``importer.import_entities`` of the CSV file: the real path (read, validate every row,
        staging table, set-based upsert on USCC, an audit row per chunk);
  raw   the database's own bulk path for the prepared rows into a scratch table with the same
        columns, constraints and indexes as ``market_entity``: SQLite one transaction of
        ``executemany`` over the prepared tuples; PostgreSQL ``COPY … FROM STDIN`` fed the
        prepared file.

and a re-import of the same file (must insert and update nothing). Both arms must end in the
same state: the same row count and the same checksum of the loaded columns (else exit 1).
Generation is timed separately and is part of neither measurement. The last line is
``ratio=<ours/raw>`` (rows per second; 1.0 would mean as fast as the raw bulk load).
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
# the fixed created_at/updated_at of the raw arm (timestamps are not compared)
RAW_STAMP = "2026-12-01 00:00:00.000000+00:00"
SCHEMA = "bench_import"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows to generate and import")
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--chunk", type=int, default=50_000, help="import_entities chunk_rows")
    parser.add_argument("--keep", action="store_true", help="keep the database and the CSV file afterwards")
    parser.add_argument("--seed", type=int, default=2021)
    parser.add_argument("--reuse-csv", action="store_true",
                        help="reuse bench/out/entities_<N>_<seed>.csv if a complete one exists")
    parser.add_argument("--no-raw", action="store_true",
                        help="time ours and the re-import only (the raw arm of 15 M rows takes long); "
                             "the last line is then ratio=nan")
    parser.add_argument("--copies", type=int, default=1,
                        help="generate rows/K distinct rows and write them K times, each copy with its own "
                             "USCCs (the generator's codes for the later indexes); needs --no-raw")
    parser.add_argument("--generate-only", action="store_true",
                        help="only write the CSV file (and with raw, its prepared twin) for a later --reuse-csv")
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


def prepared_path(path: Path) -> Path:
    return path.with_suffix(".prepared.csv")


def stored_columns() -> list[str]:
    """market_entity's written columns (all but the key), in table order."""
    from marketreg.domains.registry.models import Entity

    return [c.name for c in Entity.__table__.columns if c.name != "id"]


def generate_csv(sessions, path: Path, rows: int, seed: int, reuse: bool, *, prepared_too: bool = True
                 ) -> tuple[float, bool]:
    """Stream ``rows`` generated entities to ``path`` (the import file) and to its prepared
    twin (the rows as stored, for raw); returns (seconds, reused)."""
    from marketreg.domains.reference import service as reference
    from marketreg.domains.registry import seed as registry_seed

    meta = path.with_suffix(".meta.json")
    want = {"rows": rows, "seed": seed, "bytes": None}
    if reuse and path.exists() and meta.exists() and (prepared_path(path).exists() or not prepared_too):
        have = json.loads(meta.read_text())
        if have.get("rows") == rows and have.get("seed") == seed and have.get("bytes") == path.stat().st_size:
            return 0.0, True
    meta.unlink(missing_ok=True)
    with sessions.read() as session:
        counties = [registry_seed.County(*row) for row in reference.county_rows(session)]
        industries = reference.industry_leaves_by_section(session)
    columns = stored_columns()
    started = time.perf_counter()
    tmp, tmp_prepared = path.with_suffix(".csv.part"), prepared_path(path).with_suffix(".part")
    written = 0
    with tmp.open("w", encoding="utf-8", newline="") as fh, \
            (tmp_prepared.open("w", encoding="utf-8", newline="") if prepared_too else io.StringIO()) as ph:
        out, prepared = csv.writer(fh), csv.writer(ph)
        out.writerow(registry_seed.CSV_HEADER)
        prepared.writerow(columns)
        for row in registry_seed.generate_entities(rows, counties=counties, industries=industries, seed=seed):
            out.writerow(registry_seed.csv_row(row))
            if prepared_too:
                row["created_at"] = row["updated_at"] = RAW_STAMP
                prepared.writerow(["" if row[c] is None else str(row[c]) for c in columns])
            written += 1
    tmp.replace(path)
    if prepared_too:
        tmp_prepared.replace(prepared_path(path))
    seconds = time.perf_counter() - started
    assert written == rows, (written, rows)
    want["bytes"] = path.stat().st_size
    meta.write_text(json.dumps(want))
    return seconds, False


def replicate_csv(source: Path, target: Path, copies: int) -> None:
    """``copies`` copies of ``source``'s rows; copy k gives row i the USCC the generator gives
    row i + k·n (same authority, type and region; new organisation code and check characters)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.csv as pa_csv

    from marketreg.domains.registry.importer import _ORG_VALUE, _ORG_WEIGHTS, _USCC_VALUE, _USCC_WEIGHTS
    from marketreg.domains.registry.seed import _USCC_ORG_ALPHABET

    alphabet = np.frombuffer(_USCC_ORG_ALPHABET.encode(), np.uint8)
    table = pa_csv.read_csv(source, convert_options=pa_csv.ConvertOptions(
        column_types={c: pa.string() for c in pa_csv.read_csv(source).column_names}, strings_can_be_null=False))
    n = table.num_rows
    codes = np.frombuffer("".join(table.column(0).to_pylist()).encode(), np.uint8).reshape(n, 18).copy()
    with target.open("wb") as out:
        for k in range(copies):
            index = np.arange(n, dtype=np.int64) + k * n
            for position in range(15, 9, -1):  # 'MA' + six base-31 digits, most significant first
                codes[:, position] = alphabet[index % 31]
                index //= 31
            org = 11 - (_ORG_VALUE[codes[:, 8:16]] @ _ORG_WEIGHTS) % 11
            codes[:, 16] = np.where(org == 10, ord("X"), np.where(org == 11, ord("0"), org + ord("0")))
            total = _USCC_VALUE[codes[:, :17]] @ _USCC_WEIGHTS
            codes[:, 17] = np.frombuffer(b"0123456789ABCDEFGHJKLMNPQRTUWXY", np.uint8)[(31 - total % 31) % 31]
            usccs = pa.array(np.frombuffer(codes.tobytes(), dtype="S18").astype(str))
            pa_csv.write_csv(table.set_column(0, table.column_names[0], usccs), out,
                             pa_csv.WriteOptions(include_header=k == 0, quoting_style="needed"))


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


def scratch_table(engine):
    """A copy of market_entity (columns, key, unique USCC, every index) named SCRATCH."""
    from sqlalchemy import MetaData

    from marketreg.domains.registry.models import Entity

    table = Entity.__table__.to_metadata(MetaData(), name=SCRATCH)
    for item in [*table.indexes, *table.constraints]:
        if item.name:
            item.name = str(item.name).replace(Entity.__tablename__, SCRATCH)
    return table


def run_raw(engine, prepared: Path) -> tuple[int, float, float]:
    """Load the prepared rows into the scratch table with the database's bulk path; returns
    (rows, seconds, CPU seconds of this process). The table stays (for the state check)."""
    import pyarrow as pa
    import pyarrow.csv as pa_csv

    from marketreg.domains.registry.loader import SQLITE_CACHE_KIB

    table = scratch_table(engine)
    table.drop(engine, checkfirst=True)
    table.create(engine)
    columns = stored_columns()
    raw = engine.raw_connection()
    try:
        dbapi = raw.driver_connection
        cpu = time.process_time()
        started = time.perf_counter()
        if engine.dialect.name == "sqlite":
            # The engine's connections run in autocommit mode (SQLAlchemy emits BEGIN itself),
            # so the transaction is explicit here; same pragmas and page cache as the importer.
            cur = dbapi.cursor()
            cur.execute(f"PRAGMA main.cache_size=-{SQLITE_CACHE_KIB}")
            sql = f"INSERT INTO {SCRATCH} ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})"
            reader = pa_csv.open_csv(prepared, convert_options=pa_csv.ConvertOptions(
                column_types=dict.fromkeys(columns, pa.string()), strings_can_be_null=True))
            cur.execute("BEGIN IMMEDIATE")
            for batch in reader:
                cur.executemany(sql, zip(*(c.to_pylist() for c in batch.columns), strict=True))
            cur.execute("COMMIT")
            cur.execute("PRAGMA main.cache_size=-2000")
            cur.close()
        else:
            sql = f"COPY {SCRATCH} ({', '.join(columns)}) FROM STDIN (FORMAT csv, HEADER true)"
            with prepared.open("rb") as fh, dbapi.cursor() as cur, cur.copy(sql) as copy:
                while block := fh.read(1 << 20):
                    copy.write(block)
            dbapi.commit()
        seconds = time.perf_counter() - started
        cpu = time.process_time() - cpu
    finally:
        raw.close()
    with engine.connect() as conn:
        count = conn.execute(text(f"SELECT count(*) FROM {SCRATCH}")).scalar_one()
    return count, seconds, cpu


def drop_scratch(engine) -> None:
    scratch_table(engine).drop(engine, checkfirst=True)


def checksum(engine, table: str) -> tuple[int, str]:
    """(rows, digest) of the loaded content columns (timestamps and keys differ by design)."""
    import hashlib

    from marketreg.domains.registry.loader import CONTENT_COLUMNS

    digest = hashlib.blake2b(digest_size=16)
    rows = 0
    with engine.connect() as conn:
        result = conn.execution_options(yield_per=50_000).execute(
            text(f"SELECT {', '.join(CONTENT_COLUMNS)} FROM {table} ORDER BY uscc"))
        for part in result.partitions():
            rows += len(part)
            digest.update("\n".join("\x1f".join(map(str, row)) for row in part).encode())
    return rows, digest.hexdigest()


def refuse_unless_empty(db: str, name: str, schema: str) -> str | None:
    """Why the benchmark's database may not be used (it exists and holds data), or None."""
    from sqlalchemy import create_engine

    if db == "sqlite":
        path = _common.sqlite_path(name)
        if not path.exists():
            return None
        engine = create_engine(f"sqlite:///{path}")
        try:
            with engine.connect() as conn:
                tables = conn.exec_driver_sql("SELECT count(*) FROM sqlite_master WHERE type = 'table'").scalar()
        finally:
            engine.dispose()
        return f"{path} exists and is not empty ({tables} tables); remove it first" if tables else None
    engine = create_engine(_common.PG_URL)
    try:
        with engine.connect() as conn:
            tables = conn.exec_driver_sql(
                "SELECT count(*) FROM information_schema.tables WHERE table_schema = %(s)s", {"s": schema}).scalar()
    finally:
        engine.dispose()
    return f"PostgreSQL schema {schema} exists and is not empty ({tables} tables); drop it first" if tables else None


def service_missing(db: str) -> str | None:
    """Why PostgreSQL cannot be reached, or None."""
    if db != "postgres":
        return None
    from sqlalchemy import create_engine
    from sqlalchemy.exc import OperationalError

    engine = create_engine(_common.PG_URL, connect_args={"connect_timeout": 5})
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
    except OperationalError as exc:
        return f"PostgreSQL is not reachable at {_common.PG_URL}: {str(exc.orig).strip().splitlines()[0]}"
    finally:
        engine.dispose()
    return None


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (1 min) {five:.2f} (5 min) on {os.cpu_count()} CPUs"


# ---------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    name = f"import_{args.rows}"
    where = _common.sqlite_path(name) if args.db == "sqlite" else f"schema {SCHEMA}"
    log(f"import benchmark: rows={args.rows:,} db={args.db} ({where}) chunk={args.chunk}; {load()}")
    if args.copies > 1 and (args.rows % args.copies or not args.no_raw):
        log("ERROR: --copies needs --no-raw and a row count that it divides")
        return 2
    refused = service_missing(args.db) or refuse_unless_empty(args.db, name, SCHEMA)
    if refused:
        log(f"ERROR: {refused}")
        return 2

    started = time.perf_counter()
    url = _common.fresh_database(args.db, name=name, schema=SCHEMA)
    engine, sessions = _common.build_database(url)
    log(f"setup (fresh db, migrate, setup_base): {time.perf_counter() - started:.1f} s")
    _common.OUT.mkdir(parents=True, exist_ok=True)
    suffix = f"_x{args.copies}" if args.copies > 1 else ""
    csv_path = _common.OUT / f"entities_{args.rows}_{args.seed}{suffix}.csv"
    try:
        return run(args, engine, sessions, csv_path)
    finally:
        drop_scratch(engine)
        engine.dispose()
        if not args.keep:
            _common.drop_database(args.db, name=name, schema=SCHEMA)
        if not args.keep and not args.generate_only:
            for leftover in (csv_path, prepared_path(csv_path), csv_path.with_suffix(".meta.json"),
                             csv_path.with_name(csv_path.name + ".errors.csv")):
                leftover.unlink(missing_ok=True)


def copied_csv(args, sessions, csv_path: Path) -> tuple[float, bool]:
    """The file of ``--copies``: generated distinct rows, replicated with new USCCs."""
    meta = csv_path.with_suffix(".meta.json")
    if args.reuse_csv and csv_path.exists() and meta.exists() and \
            json.loads(meta.read_text()).get("bytes") == csv_path.stat().st_size:
        return 0.0, True
    base = _common.OUT / f"entities_{args.rows // args.copies}_{args.seed}.csv"
    seconds, _ = generate_csv(sessions, base, args.rows // args.copies, args.seed, args.reuse_csv, prepared_too=False)
    started = time.perf_counter()
    replicate_csv(base, csv_path, args.copies)
    meta.write_text(json.dumps({"rows": args.rows, "seed": args.seed, "copies": args.copies,
                                "bytes": csv_path.stat().st_size}))
    return seconds + time.perf_counter() - started, False


def run(args, engine, sessions, csv_path: Path) -> int:
    if args.copies > 1:
        gen_seconds, reused = copied_csv(args, sessions, csv_path)
    else:
        gen_seconds, reused = generate_csv(sessions, csv_path, args.rows, args.seed, args.reuse_csv,
                                           prepared_too=not args.no_raw)
    size_mb = csv_path.stat().st_size / 2**20
    if reused:
        log(f"generate: reused {csv_path.name} ({size_mb:,.0f} MiB)")
    else:
        log(f"generate: {args.rows:,} rows -> {csv_path.name} ({size_mb:,.0f} MiB) and its prepared twin in "
            f"{gen_seconds:.1f} s; not part of either measurement")
    log(f"peak RSS after setup+generation: {_common.peak_rss_mb():,.0f} MiB (process peak, ru_maxrss)")
    if args.generate_only:
        return 0

    log("ours: import_entities …")
    report, ours_s, ours_cpu = run_ours(sessions, csv_path, args.chunk, args.rows, args.profile)
    ours_peak = _common.peak_rss_mb()
    log(f"ours: {report_line(report)}")
    log(f"ours: database size {_common.database_size_mb(engine):,.0f} MiB")
    log(f"ours: {ours_s:.2f} s wall ({ours_cpu:.2f} s CPU in this process), {_common.fmt_rate(args.rows, ours_s)}; "
        f"peak RSS {ours_peak:,.0f} MiB (process peak so far, ru_maxrss); {load()}")

    log("re-import of the same file …")
    again, again_s, again_cpu = run_ours(sessions, csv_path, args.chunk, args.rows)
    idempotent = again.inserted == 0 and again.updated == 0
    log(f"re-import: {report_line(again)}")
    log(f"re-import: {again_s:.2f} s wall ({again_cpu:.2f} s CPU), {_common.fmt_rate(args.rows, again_s)}; "
        f"idempotent={'yes' if idempotent else 'NO'}; peak RSS {_common.peak_rss_mb():,.0f} MiB (process peak)")
    if not idempotent:
        log("ERROR: re-import changed rows")
        return 1
    if args.no_raw:
        log(f"summary: ours {args.rows / ours_s:,.0f} rows/s ({ours_s:.1f} s) | re-import "
            f"{args.rows / again_s:,.0f} rows/s ({again_s:.1f} s) | peak RSS {_common.peak_rss_mb():,.0f} MiB")
        print("ratio=nan", flush=True)
        return 0

    log("raw: " + ("executemany of prepared tuples, one transaction" if args.db == "sqlite"
                   else "COPY FROM STDIN of the prepared file") + ", into a copy of market_entity …")
    raw_rows, raw_s, raw_cpu = run_raw(engine, prepared_path(csv_path))
    log(f"raw: {raw_rows:,} rows in {raw_s:.2f} s wall ({raw_cpu:.2f} s CPU in this process), "
        f"{_common.fmt_rate(raw_rows, raw_s)}; peak RSS {_common.peak_rss_mb():,.0f} MiB (process peak); {load()}")
    peak = _common.peak_rss_mb()  # before the state check, which is not part of either arm
    ours_state, raw_state = checksum(engine, "market_entity"), checksum(engine, SCRATCH)
    same = ours_state == raw_state and ours_state[0] == args.rows
    log(f"state: ours rows={ours_state[0]:,} checksum={ours_state[1]} | raw rows={raw_state[0]:,} "
        f"checksum={raw_state[1]} | same={'yes' if same else 'NO'}")

    ours_rate, raw_rate = args.rows / ours_s, raw_rows / raw_s
    log(f"summary: ours {ours_rate:,.0f} rows/s ({ours_s:.1f} s) | re-import {args.rows / again_s:,.0f} rows/s "
        f"({again_s:.1f} s) | raw {raw_rate:,.0f} rows/s ({raw_s:.1f} s) | generation {gen_seconds:.1f} s | "
        f"peak RSS {peak:,.0f} MiB")
    if not same:
        log("ERROR: the two arms did not end in the same state")
    print(f"ratio={ours_rate / raw_rate:.3f}", flush=True)
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
