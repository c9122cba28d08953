"""Shared helpers of the benchmark scripts: fresh databases, memory, formatting.

Imported before anything from ``marketreg`` so that the environment below is in place when
the settings are first read (no task queue file, no real rate limits).
"""

from __future__ import annotations

import os

os.environ.setdefault("MARKETREG_TASK_BACKEND", "immediate")
os.environ.setdefault("MARKETREG_ENVIRONMENT", "development")

import resource
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text

BENCH = Path(__file__).resolve().parent
OUT = BENCH / "out"
PG_URL = os.environ.get("MARKETREG_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def sqlite_path(name: str) -> Path:
    return OUT / f"{name}.db"


def remove_sqlite(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def pg_admin(sql: str) -> None:
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(sql))
    finally:
        admin.dispose()


def fresh_database(db: str, *, name: str, schema: str) -> str:
    """The URL of an empty database: a new SQLite file under bench/out/ or a new PG schema."""
    if db == "sqlite":
        OUT.mkdir(parents=True, exist_ok=True)
        path = sqlite_path(name)
        remove_sqlite(path)
        return f"sqlite:///{path}"
    pg_admin(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    pg_admin(f'CREATE SCHEMA "{schema}"')
    return schema_url(schema)


def schema_url(schema: str) -> str:
    sep = "&" if "?" in PG_URL else "?"
    return f"{PG_URL}{sep}options=-csearch_path%3D{schema}"


def drop_database(db: str, *, name: str, schema: str) -> None:
    if db == "sqlite":
        remove_sqlite(sqlite_path(name))
    else:
        pg_admin(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def build_database(url: str):
    """Migrate with Alembic and load the base data; returns (engine, Sessions)."""
    from marketreg.app.bootstrap import setup_base
    from marketreg.app.migrations_runner import upgrade
    from marketreg.platform.db import Sessions, make_engine

    engine = make_engine(url)
    upgrade("head", engine=engine)
    sessions = Sessions(engine)
    setup_base(sessions)
    return engine, sessions


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far (ru_maxrss is in KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def database_size_mb(engine) -> float:
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            pages = conn.exec_driver_sql("PRAGMA page_count").scalar() or 0
            size = conn.exec_driver_sql("PRAGMA page_size").scalar() or 0
            return pages * size / 2**20
        return (conn.exec_driver_sql(
            "SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = current_schema() AND c.relkind = 'r'").scalar() or 0) / 2**20


def fmt_rate(rows: int, seconds: float) -> str:
    return f"{rows / seconds:,.0f} rows/s" if seconds > 0 else "inf rows/s"


# ---------------------------------------------------------------- servers


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    """One uvicorn process on 127.0.0.1, with its log under bench/out/ and its CPU time."""

    name: str
    target: list[str]
    env: dict[str, str]
    log_prefix: str = "server"
    port: int = 0
    process: subprocess.Popen | None = None
    log_path: Path | None = None
    cpu_before_restart: float = 0.0

    def start(self, *, port: int | None = None) -> None:
        """Start (or, with ``port``, restart on that port) the uvicorn process."""
        self.port = port or free_port()
        self.log_path = OUT / f"{self.log_prefix}_{self.name}.log"
        cmd = [sys.executable, "-m", "uvicorn", *self.target, "--host", "127.0.0.1", "--port", str(self.port),
               "--workers", "1", "--log-level", "warning", "--no-access-log"]
        with self.log_path.open("a" if port else "w") as fh:
            self.process = subprocess.Popen(cmd, env=self.env, cwd=BENCH.parent, stdout=fh, stderr=subprocess.STDOUT)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def wait_ready(self, path: str, params: dict | None = None, timeout: float = 60.0) -> None:
        """Until the app answers (any status below 500) on ``path``."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                break
            try:
                response = httpx.get(self.base_url + path, params=params, timeout=2.0, trust_env=False)
                if response.status_code < 500:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.05)
        tail = self.log_path.read_text()[-3000:] if self.log_path and self.log_path.exists() else ""
        raise RuntimeError(f"{self.name} server did not become ready on port {self.port}:\n{tail}")

    def cpu_seconds(self) -> float:
        """user+system CPU seconds of the server process(es) so far (from /proc)."""
        if self.process is None or self.process.poll() is not None:
            return self.cpu_before_restart
        try:
            fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return self.cpu_before_restart
        return self.cpu_before_restart + (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def kill(self) -> None:
        """SIGKILL: no shutdown, no lifespan exit, open transactions die with the process."""
        assert self.process is not None
        self.cpu_before_restart = self.cpu_seconds()
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


# ---------------------------------------------------------------- refusing bad starting points


def refuse(reason: str) -> None:
    """Print why the benchmark cannot run and exit non-zero (no traceback, nothing left behind)."""
    print(f"refused: {reason}", file=sys.stderr, flush=True)
    raise SystemExit(2)


def empty_database(db: str, *, name: str, schema: str, replace: bool) -> str:
    """The URL of an empty database for a benchmark. A database that already holds tables is
    refused unless ``replace`` (the script's ``--replace``) says it may be dropped; a PostgreSQL
    server that does not answer is refused with the reason."""
    if db == "postgres":
        try:
            pg_admin("SELECT 1")
        except Exception as exc:  # any connection failure is reported as such
            refuse(f"PostgreSQL is not reachable at {PG_URL} (set MARKETREG_BENCH_PG_URL): {exc}")
        probe = create_engine(PG_URL)
        try:
            with probe.connect() as conn:
                tables = conn.execute(text("SELECT count(*) FROM information_schema.tables WHERE table_schema = :s"),
                                      {"s": schema}).scalar_one()
        finally:
            probe.dispose()
        where = f"schema {schema}"
    else:
        path = sqlite_path(name)
        tables = 0
        if path.exists() and path.stat().st_size:
            probe = create_engine(f"sqlite:///{path}")
            try:
                with probe.connect() as conn:
                    tables = conn.exec_driver_sql("SELECT count(*) FROM sqlite_master WHERE type = 'table'").scalar()
            finally:
                probe.dispose()
        where = str(path)
    if tables and not replace:
        refuse(f"{where} is not empty ({tables} tables); remove it or pass --replace")
    return fresh_database(db, name=name, schema=schema)


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} cores"
