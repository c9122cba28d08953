"""The database side of the entity import: a staging table loaded by the bulk path, then one
set-based upsert per chunk.

Per chunk, in one write transaction on one connection held for the whole import:

1. the validated rows go into the temporary table ``import_stage`` (SQLite: ``executemany``
   of tuples; PostgreSQL: ``COPY``);
2. rows whose USCC an earlier chunk of the same file already loaded are ``duplicate_in_file``
   (the temporary table ``import_seen`` remembers them on disk, not in memory);
3. rows that are outside the actor's jurisdiction (the row's county, or the current
   ``org_path`` of the entity it would update) are ``outside_jurisdiction`` and change nothing;
4. ``INSERT … SELECT … ON CONFLICT (uscc) DO UPDATE … WHERE`` the row differs (and the stored
   entity is still inside the jurisdiction), one audit row and one event for the chunk.

A load that is large relative to the table (the first load of a province) drops the
secondary indexes first and builds them once at the end, which is several times faster
than maintaining seven indexes row by row; every import (also a failed one) ends with all
indexes present, and the next import recreates any that a crash left missing.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field

import polars as pl
from sqlalchemy import Column, Integer, MetaData, String, Table, and_, func, literal, or_, select, text, true
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from marketreg.domains.registry.events import EntitiesImported
from marketreg.domains.registry.models import Entity
from marketreg.kernel import clock
from marketreg.platform import audit, events
from marketreg.platform.authz import Actor
from marketreg.platform.db import Sessions

_SKIP = {"id", "created_at", "updated_at"}
CONTENT_COLUMNS = [c.name for c in Entity.__table__.columns if c.name not in _SKIP]
# Secondary indexes are rebuilt rather than maintained when the file is at least this big
# and the table holds less than half as many rows as the file.
REBUILD_MIN_ROWS = 100_000
# SQLite page cache of the import's connection (KiB; half as much for the temporary tables):
# the indexes of a province-sized table do not fit the default 2 MiB, and every cache miss
# is a system call.
SQLITE_CACHE_KIB = 128 * 1024

_meta = MetaData()
STAGE = Table("import_stage", _meta, Column("line", Integer),
              *(Column(c, Entity.__table__.c[c].type) for c in CONTENT_COLUMNS), prefixes=["TEMPORARY"])
SEEN = Table("import_seen", _meta, Column("uscc", String(18), primary_key=True), prefixes=["TEMPORARY"],
             sqlite_with_rowid=False)


@dataclass
class ChunkResult:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicates: set[int] = field(default_factory=set)  # lines
    outside: set[int] = field(default_factory=set)  # lines


def jurisdiction_prefix(actor: Actor) -> str | None:
    """The org path every row of the actor's subtree starts with (None: the whole province)."""
    return None if actor.org_path in ("", "/") else actor.org_path


def _inside(column, prefix: str):
    # a prefix comparison that does not depend on the database's collation
    return func.substr(column, 1, len(prefix)) == prefix


def upsert_from_stage(dialect: str, now: dt.datetime, prefix: str | None):
    """INSERT … SELECT from the stage ON CONFLICT (uscc) DO UPDATE only where a content column
    differs and the stored entity is inside the jurisdiction ``prefix``."""
    table = Entity.__table__
    stamp = table.c.updated_at.type
    rows = select(*(STAGE.c[c] for c in CONTENT_COLUMNS), literal(now, stamp), literal(now, stamp)).where(true())
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(table).from_select([*CONTENT_COLUMNS, "created_at", "updated_at"], rows)
    excluded = stmt.excluded
    changed = or_(*(table.c[c].is_distinct_from(excluded[c]) for c in CONTENT_COLUMNS if c != "uscc"))
    where = changed if prefix is None else and_(changed, _inside(table.c.org_path, prefix))
    return stmt.on_conflict_do_update(
        index_elements=[table.c.uscc],
        set_={**{c: excluded[c] for c in CONTENT_COLUMNS if c != "uscc"}, "updated_at": excluded.updated_at},
        where=where,
    )


class Loader:
    """Loads validated chunks as ``actor``; a context manager around one pinned connection."""

    def __init__(self, sessions: Sessions, *, actor: Actor, expected_rows: int):
        self.sessions, self.actor, self.expected_rows = sessions, actor, expected_rows
        self.prefix = jurisdiction_prefix(actor)
        self.now = clock.now()
        self.rebuild = False

    def __enter__(self) -> Loader:
        self._pin = self.sessions.pinned()
        self.pinned = self._pin.__enter__()
        try:
            with self.pinned.transaction() as session:
                self.dialect = session.get_bind().dialect.name
                _ensure_indexes(session)
                self._create_temporary(session)
                self.rebuild = self._should_rebuild(session)
                if self.rebuild:
                    _drop_secondary_indexes(session)
        except BaseException:
            self._pin.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc) -> None:
        try:
            with self.pinned.transaction() as session:
                session.execute(text("DROP TABLE IF EXISTS import_stage"))
                session.execute(text("DROP TABLE IF EXISTS import_seen"))
                if self.dialect == "sqlite":
                    session.execute(text("PRAGMA main.cache_size=-2000"))
            if self.rebuild:
                for index in Entity.__table__.indexes:  # one transaction each: the writer is freed between
                    with self.pinned.transaction() as session:
                        index.create(session.connection(), checkfirst=True)
        finally:
            self._pin.__exit__(*exc)

    def _create_temporary(self, session: Session) -> None:
        conn = session.connection()
        if self.dialect == "sqlite":
            session.execute(text(f"PRAGMA main.cache_size=-{SQLITE_CACHE_KIB}"))
        session.execute(text("DROP TABLE IF EXISTS import_stage"))
        session.execute(text("DROP TABLE IF EXISTS import_seen"))
        STAGE.create(conn)
        SEEN.create(conn)
        if self.dialect == "sqlite":
            session.execute(text(f"PRAGMA temp.cache_size=-{SQLITE_CACHE_KIB // 2}"))

    def _should_rebuild(self, session: Session) -> bool:
        if self.expected_rows < REBUILD_MIN_ROWS:
            return False
        present = session.scalar(select(func.count()).select_from(Entity)) or 0
        return present * 2 < self.expected_rows

    def load(self, rows: pl.DataFrame, maybe_duplicates: list[tuple[int, str]]) -> tuple[ChunkResult, set[int]]:
        """Load one chunk (``line`` + content columns as text); returns the outcome and the
        lines of ``maybe_duplicates`` (rejected rows with a valid USCC) that an earlier chunk loaded."""
        result = ChunkResult()
        with self.pinned.transaction() as session:
            late = self._seen_before(session, maybe_duplicates)
            if rows.height:
                self._stage(session, rows)
                result.duplicates = self._take(session, "SELECT line FROM import_stage "
                                                        "WHERE uscc IN (SELECT uscc FROM import_seen)")
                session.execute(text("INSERT INTO import_seen (uscc) SELECT uscc FROM import_stage"))
                if self.prefix is not None:
                    result.outside = self._take(
                        session,
                        "SELECT s.line FROM import_stage s LEFT JOIN market_entity e ON e.uscc = s.uscc "
                        "WHERE substr(s.org_path, 1, :n) <> :prefix OR substr(e.org_path, 1, :n) <> :prefix",
                        n=len(self.prefix), prefix=self.prefix)
                self._upsert(session, result)
        return result, late

    def _seen_before(self, session: Session, candidates: list[tuple[int, str]]) -> set[int]:
        found: set[str] = set()
        usccs = sorted({u for _, u in candidates})
        for start in range(0, len(usccs), 500):
            found.update(session.scalars(select(SEEN.c.uscc).where(SEEN.c.uscc.in_(usccs[start:start + 500]))))
        return {line for line, uscc in candidates if uscc in found}

    def _stage(self, session: Session, rows: pl.DataFrame) -> None:
        session.execute(text("DELETE FROM import_stage"))
        columns = ["line", *CONTENT_COLUMNS]
        dbapi = session.connection().connection.driver_connection
        if self.dialect == "postgresql":
            buffer = io.BytesIO()
            rows.select(columns).write_csv(buffer, include_header=False, null_value="", quote_style="non_numeric")
            with dbapi.cursor() as cur, cur.copy(
                    f"COPY import_stage ({', '.join(columns)}) FROM STDIN (FORMAT csv)") as copy:
                copy.write(buffer.getvalue())
            return
        placeholders = ", ".join("?" for _ in columns)
        cur = dbapi.cursor()
        try:
            cur.executemany(f"INSERT INTO import_stage ({', '.join(columns)}) VALUES ({placeholders})",
                            zip(*(rows[c].to_list() for c in columns), strict=True))
        finally:
            cur.close()

    @staticmethod
    def _take(session: Session, query: str, **params) -> set[int]:
        """The lines the query selects from the stage, removed from it."""
        lines = set(session.scalars(text(query), params))
        if lines:
            ordered = sorted(lines)
            for start in range(0, len(ordered), 500):
                session.execute(STAGE.delete().where(STAGE.c.line.in_(ordered[start:start + 500])))
        return lines

    def _upsert(self, session: Session, result: ChunkResult) -> None:
        staged = session.scalar(select(func.count()).select_from(STAGE)) or 0
        if not staged:
            return
        existing = session.scalar(select(func.count()).select_from(
            STAGE.join(Entity.__table__, Entity.__table__.c.uscc == STAGE.c.uscc))) or 0
        upsert = upsert_from_stage(self.dialect, self.now, self.prefix)
        if self.dialect == "postgresql":  # psycopg reports no rowcount for INSERT … SELECT … ON CONFLICT
            written = upsert.returning(Entity.__table__.c.id).cte("written")
            changed = session.scalar(select(func.count()).select_from(written))
        else:
            changed = session.execute(upsert).rowcount
        result.inserted = staged - existing
        result.updated = max(changed - result.inserted, 0)
        result.unchanged = staged - result.inserted - result.updated
        if result.inserted or result.updated:
            first, last = session.execute(select(func.min(STAGE.c.line), func.max(STAGE.c.line))).one()
            org_path = self.prefix or "/370000/"
            audit.record(session, actor=self.actor, action="registry.import_chunk", subject_type="import",
                         subject_id=f"{first}-{last}", new={"inserted": result.inserted, "updated": result.updated})
            events.publish(session, EntitiesImported(inserted=result.inserted, updated=result.updated, since=self.now),
                           subject_type="import", subject_key=f"{first}-{last}", org_path=org_path)


def _ensure_indexes(session: Session) -> None:
    for index in Entity.__table__.indexes:
        index.create(session.connection(), checkfirst=True)


def _drop_secondary_indexes(session: Session) -> None:
    for index in Entity.__table__.indexes:
        session.execute(text(f"DROP INDEX IF EXISTS {index.name}"))
