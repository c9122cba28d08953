"""Benchmark: the public entity lookup API vs. a bare FastAPI endpoint, over HTTP on 127.0.0.1.

    .venv/bin/python bench/public_lookup.py --db sqlite
    .venv/bin/python bench/public_lookup.py --db postgres --entities 200000 --seconds 15 --clients 8

Builds a database with N synthetic entities (``demo.seed_entities``; bench/out/lookup_<N>.db
or the PostgreSQL schema ``bench_lookup``), then serves, each in its own uvicorn subprocess
(one worker, access log off):

  ours  ``create_app()`` — ``GET /api/v1/public/entities?q=`` with its middleware, rate
        limiter (limit set very high), session dependency and response model;
  bare  bench/bare_app.py — ``GET /bare?q=`` returning a constant small JSON list.

C client threads (one keep-alive httpx.Client each) alternate lookups by USCC and by name
prefix (3–4 characters) sampled from the database, for a warm-up and then S seconds per
server, split into rounds that alternate between the two servers. Prints req/s, p50, p99
and errors for both; the last line is ``ratio=<ours/bare>`` (requests per second). With 2
cores the clients share the machine with the server; the CPU use of each server is printed
so that a client-bound run can be recognised.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import threading
import time
from dataclasses import dataclass, field

import httpx
from sqlalchemy import func, select, text

import _common
from _common import Server

SCHEMA = "bench_lookup"
PROJECT = _common.BENCH.parent
OURS_PATH = "/api/v1/public/entities"
BARE_PATH = "/bare"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--entities", type=int, default=200_000)
    parser.add_argument("--seconds", type=float, default=15.0, help="measured seconds per server")
    parser.add_argument("--clients", type=int, default=8, help="concurrent client threads")
    parser.add_argument("--warmup", type=float, default=2.0, help="unmeasured seconds before each run")
    parser.add_argument("--rounds", type=int, default=3,
                        help="alternate ours/bare this many times, S/rounds seconds each, so that a change "
                             "in background load hits both alike")
    parser.add_argument("--samples", type=int, default=2000, help="entities sampled for queries")
    parser.add_argument("--reuse", action="store_true",
                        help="reuse an existing database with exactly N entities instead of rebuilding")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    return parser.parse_args(argv)


def log(message: str) -> None:
    print(message, flush=True)


# ---------------------------------------------------------------- database


def database(args: argparse.Namespace) -> str:
    """URL of a database holding ``args.entities`` entities (built unless reused)."""
    from marketreg.app import demo
    from marketreg.platform.db import make_engine

    name = f"lookup_{args.entities}"
    if args.reuse:
        url = f"sqlite:///{_common.sqlite_path(name)}" if args.db == "sqlite" else _common.schema_url(SCHEMA)
        if args.db == "postgres" or _common.sqlite_path(name).exists():
            engine = make_engine(url)
            try:
                with engine.connect() as conn:
                    count = conn.execute(text("SELECT count(*) FROM market_entity")).scalar_one()
            except Exception:
                count = -1
            finally:
                engine.dispose()
            if count == args.entities:
                log(f"database: reusing {url} ({count:,} entities)")
                return url
    started = time.perf_counter()
    url = _common.fresh_database(args.db, name=name, schema=SCHEMA)
    engine, sessions = _common.build_database(url)
    setup_s = time.perf_counter() - started
    started = time.perf_counter()
    inserted = demo.seed_entities(sessions, n=args.entities)
    seed_s = time.perf_counter() - started
    with engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")
    engine.dispose()
    log(f"database: {url}; setup {setup_s:.1f} s; seed_entities inserted {inserted:,} in {seed_s:.1f} s")
    return url


def sample_queries(url: str, samples: int, seed: int = 7) -> list[tuple[str, str]]:
    """Alternating ("uscc", code) and ("prefix", first 3–4 characters of a name) queries."""
    from marketreg.domains.registry.models import Entity
    from marketreg.platform.db import make_engine

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(select(Entity.uscc, Entity.name).order_by(func.random()).limit(samples)).all()
    finally:
        engine.dispose()
    rng = random.Random(seed)
    queries: list[tuple[str, str]] = []
    for uscc, name in rows:
        queries.append(("uscc", uscc))
        queries.append(("prefix", name[: rng.choice((3, 4))]))
    return queries


# ---------------------------------------------------------------- servers


# ---------------------------------------------------------------- load


@dataclass
class Result:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    empty_uscc: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)
    first_error: str = ""


def drive(server: Server, path: str, queries: list[tuple[str, str]], *, clients: int, warmup: float,
          seconds: float) -> tuple[Result, float, float, float]:
    """Run the clients; returns (result, measured wall seconds, server CPU s, client CPU s)."""
    results = [Result() for _ in range(clients)]
    barrier = threading.Barrier(clients + 1)
    times: dict[str, float] = {}

    def client(index: int) -> None:
        result = results[index]
        position = index * 7919 % len(queries)
        with httpx.Client(base_url=server.base_url, timeout=30.0, trust_env=False) as http:
            barrier.wait()
            start, end = times["start"], times["end"]
            while True:
                kind, q = queries[position]
                position = (position + 1) % len(queries)
                begun = time.perf_counter()
                if begun >= end:
                    break
                try:
                    response = http.get(path, params={"q": q})
                    status, body, problem = response.status_code, response.content, ""
                except httpx.HTTPError as exc:
                    status, body, problem = 0, b"", repr(exc)
                done = time.perf_counter()
                if begun < start:
                    continue
                if status != 200:
                    result.errors += 1
                    if not result.first_error:
                        result.first_error = problem or f"HTTP {status} for q={q!r}: {body[:200]!r}"
                    continue
                result.latencies.append(done - begun)
                result.by_kind[kind] = result.by_kind.get(kind, 0) + 1
                if kind == "uscc" and len(body) <= 2:
                    result.empty_uscc += 1

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(clients)]
    for thread in threads:
        thread.start()
    now = time.perf_counter()
    times["start"], times["end"] = now + warmup, now + warmup + seconds
    barrier.wait()
    time.sleep(max(times["start"] - time.perf_counter(), 0))
    cpu_server, cpu_client = server.cpu_seconds(), time.process_time()
    for thread in threads:
        thread.join()
    measured = time.perf_counter() - times["start"]
    cpu_server, cpu_client = server.cpu_seconds() - cpu_server, time.process_time() - cpu_client
    merged = Result()
    for result in results:
        merged.latencies.extend(result.latencies)
        merged.errors += result.errors
        merged.empty_uscc += result.empty_uscc
        for kind, n in result.by_kind.items():
            merged.by_kind[kind] = merged.by_kind.get(kind, 0) + n
        merged.first_error = merged.first_error or result.first_error
    return merged, measured, cpu_server, cpu_client


def combine(runs: list[tuple[Result, float, float, float]]) -> tuple[Result, float, float, float]:
    merged, measured, cpu_server, cpu_client = Result(), 0.0, 0.0, 0.0
    for result, seconds, server_s, client_s in runs:
        merged.latencies.extend(result.latencies)
        merged.errors += result.errors
        merged.empty_uscc += result.empty_uscc
        for kind, n in result.by_kind.items():
            merged.by_kind[kind] = merged.by_kind.get(kind, 0) + n
        merged.first_error = merged.first_error or result.first_error
        measured, cpu_server, cpu_client = measured + seconds, cpu_server + server_s, cpu_client + client_s
    return merged, measured, cpu_server, cpu_client


def percentile(sorted_values: list[float], p: float) -> float:
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, max(0, round(p / 100 * len(sorted_values)) - 1))
    return sorted_values[index]


def summarize(name: str, result: Result, measured: float, cpu_server: float, cpu_client: float) -> float:
    latencies = sorted(result.latencies)
    rps = len(latencies) / measured if measured > 0 else 0.0
    kinds = " ".join(f"{k}={v}" for k, v in sorted(result.by_kind.items()))
    log(f"{name}: {rps:,.0f} req/s  p50 {percentile(latencies, 50) * 1000:.2f} ms  "
        f"p99 {percentile(latencies, 99) * 1000:.2f} ms  requests {len(latencies):,} ({kinds})  "
        f"errors {result.errors}  empty USCC answers {result.empty_uscc}  "
        f"server CPU {cpu_server / measured:.0%} of a core, client CPU {cpu_client / measured:.0%}")
    if result.first_error:
        log(f"{name}: first error: {result.first_error}")
    return rps


# ---------------------------------------------------------------- main


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (1 min) {five:.2f} (5 min) on {os.cpu_count()} CPUs"



def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    _common.OUT.mkdir(parents=True, exist_ok=True)
    log(f"public lookup benchmark: db={args.db} entities={args.entities:,} clients={args.clients} "
        f"seconds={args.seconds} warmup={args.warmup}; {load()}")
    url = database(args)
    queries = sample_queries(url, args.samples)
    log(f"queries: {len(queries):,} (alternating USCC / name prefix), e.g. {queries[0][1]} | {queries[1][1]}")

    env = {**os.environ, "MARKETREG_DATABASE_URL": url, "MARKETREG_PUBLIC_RATE_LIMIT": "100000000/minute",
           "MARKETREG_TASK_BACKEND": "immediate", "MARKETREG_ENVIRONMENT": "development"}
    ours = Server("ours", ["marketreg.app.main:create_app", "--factory"], env)
    bare = Server("bare", ["bare_app:app", "--app-dir", str(_common.BENCH)], env)
    try:
        ours.start()
        bare.start()
        ours.wait_ready(OURS_PATH, {"q": queries[0][1]})
        bare.wait_ready(BARE_PATH, {"q": "x"})
        log(f"servers: ours on :{ours.port} (pid {ours.process.pid}), bare on :{bare.port} (pid {bare.process.pid})")
        rounds = max(args.rounds, 1)
        ours_runs, bare_runs = [], []
        for index in range(rounds):
            warmup = args.warmup if index == 0 else min(args.warmup, 0.5)
            for server, path, runs in ((ours, OURS_PATH, ours_runs), (bare, BARE_PATH, bare_runs)):
                runs.append(drive(server, path, queries, clients=args.clients, warmup=warmup,
                                  seconds=args.seconds / rounds))
                rps = len(runs[-1][0].latencies) / runs[-1][1] if runs[-1][1] else 0.0
                log(f"  round {index + 1}/{rounds} {server.name}: {rps:,.0f} req/s")
        ours_result, bare_result = combine(ours_runs), combine(bare_runs)
    finally:
        ours.stop()
        bare.stop()
    ours_rps = summarize("ours", *ours_result)
    bare_rps = summarize("bare", *bare_result)
    if not args.keep:
        _common.drop_database(args.db, name=f"lookup_{args.entities}", schema=SCHEMA)
    errors = ours_result[0].errors + bare_result[0].errors
    log(f"errors total: {errors}; {load()}")
    print(f"ratio={ours_rps / bare_rps:.3f}" if bare_rps else "ratio=nan", flush=True)
    return 0 if errors == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
