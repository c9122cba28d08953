"""Shared helpers of the benchmark scripts: fresh databases, memory, formatting.

Imported before anything from ``marketreg`` so that the environment below is in place when
the settings are first read (no task queue file, no real rate limits).
"""

from __future__ import annotations

import os

os.environ.setdefault("MARKETREG_TASK_BACKEND", "immediate")
os.environ.setdefault("MARKETREG_ENVIRONMENT", "development")

import resource
from pathlib import Path

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
    from marketreg.app import demo
    from marketreg.app.migrations_runner import upgrade
    from marketreg.platform.db import Sessions, make_engine

    engine = make_engine(url)
    upgrade("head", engine=engine)
    sessions = Sessions(engine)
    demo.setup_base(sessions)
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
