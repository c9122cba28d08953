"""Engine, sessions and the declarative base shared by every domain.

SQLite gets the pysqlite ``BEGIN`` workaround (so SAVEPOINT and BEGIN IMMEDIATE work) and
WAL, foreign keys and a busy timeout. Write sessions on SQLite begin IMMEDIATE so that a
transaction never fails on upgrading a stale read snapshot to a write.

The platform's one lock order (PostgreSQL; SQLite writers are serialised whole): a write
transaction locks the domain rows it changes first, in primary-key order when it locks more
than one, and takes counters (document numbers: ``advisory_lock`` + the counter row) last.
There are no global locks: the audit log and the event outbox are appended without a lock
(the audit sealer and the event dispatcher lock only in their own transactions), so no
writer waits for an unrelated one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Annotated, ClassVar

from pydantic import Field
from sqlalchemy import BigInteger, DateTime, Engine, Integer, MetaData, create_engine, event, text
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Aware UTC datetimes on every backend (SQLite drops the offset otherwise)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime stored; use kernel.clock")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: dt.datetime | None, dialect) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


# 64-bit keys for the big tables; SQLite's rowid alias must be declared INTEGER.
BigId = BigInteger().with_variant(Integer, "sqlite")
# The largest id any input may name: PostgreSQL's ``integer``, the narrowest id column (the
# 64-bit ids of the big tables stay far below it). Beyond it a driver raises instead of finding
# nothing; ``RecordId`` refuses such ids in request bodies, web.deps in paths.
MAX_ID = 2**31 - 1
RecordId = Annotated[int, Field(ge=1, le=MAX_ID)]


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar = {dt.datetime: UTCDateTime()}


def _sqlite_setup(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record) -> None:
        dbapi_conn.isolation_level = None  # let SQLAlchemy emit BEGIN itself
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA busy_timeout=30000")
        # FULL: an acknowledged filing survives a power failure too, not only a process crash.
        cur.execute("PRAGMA synchronous=FULL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:
        mode = "IMMEDIATE" if conn.get_execution_options().get("sqlite_immediate") else "DEFERRED"
        conn.exec_driver_sql(f"BEGIN {mode}")


def make_engine(url: str, **kwargs) -> Engine:
    """An engine with this project's per-backend setup."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            from pathlib import Path

            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs)
        _sqlite_setup(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20, **kwargs)


@lru_cache
def get_engine() -> Engine:
    from marketreg.platform.settings import get_settings

    return make_engine(get_settings().database_url)


class Sessions:
    """Read and write session factories over one engine."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self.read = sessionmaker(engine, expire_on_commit=False)
        self.write = sessionmaker(engine.execution_options(sqlite_immediate=True), expire_on_commit=False)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One write transaction: commit on success, roll back on any error."""
        with self.write() as session, session.begin():
            yield session

    @contextmanager
    def pinned(self) -> Iterator[Sessions]:
        """Factories over one connection held for the block, so that connection-local state
        (temporary tables, pragmas) lasts across its transactions; every transaction on it
        is a write transaction (IMMEDIATE on SQLite)."""
        with self.engine.connect() as connection:
            connection.execution_options(sqlite_immediate=True)
            yield _PinnedSessions(connection)


class _PinnedSessions(Sessions):
    def __init__(self, connection):
        self.engine = connection.engine
        self.read = self.write = sessionmaker(bind=connection, expire_on_commit=False)

    @contextmanager
    def pinned(self) -> Iterator[Sessions]:
        yield self


_current: Sessions | None = None


def get_sessions() -> Sessions:
    """The process's session factories (what background tasks use)."""
    global _current
    if _current is None:
        _current = Sessions(get_engine())
    return _current


def use_sessions(sessions: Sessions) -> None:
    """Make tasks and the CLI use these factories (the app factory and tests call it)."""
    global _current
    _current = sessions


def advisory_lock(session: Session, key: int) -> None:
    """Serialise a critical section across processes (PostgreSQL); SQLite writers are
    already serialised by BEGIN IMMEDIATE."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": key})
