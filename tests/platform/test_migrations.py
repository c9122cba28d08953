"""Alembic migrations run on both databases: up, down, up again, and match the models."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from conftest import database_url
from marketreg.app.migrations_runner import downgrade, upgrade
from marketreg.app.models import metadata
from marketreg.platform.db import make_engine

pytestmark = pytest.mark.both_backends


def test_upgrade_downgrade_upgrade_has_no_drift(backend, tmp_path_factory):
    engine = make_engine(database_url(backend, tmp_path_factory, "mig"))
    try:
        upgrade("head", engine=engine)
        downgrade("base", engine=engine)
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        upgrade("head", engine=engine)
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(context, metadata)
        assert diff == []
        assert {"market_entity", "audit_event", "region", "industry", "org_unit"} <= set(
            inspect(engine).get_table_names())
    finally:
        engine.dispose()


def _legacy_chain(engine, n: int, *, break_at: int | None = None) -> None:
    """Audit rows as revisions up to 0008 wrote them: an unkeyed SM3 chain and its head row."""
    import datetime as dt

    from sqlalchemy import insert

    from marketreg.platform import audit

    rows, prev = [], audit.GENESIS
    for seq in range(1, n + 1):
        row = audit.AuditEvent(occurred_at=dt.datetime(2026, 11, 1, 8, seq, tzinfo=dt.UTC), actor_id=None,
                               actor_name="system", action="test.legacy", subject_type="thing", subject_id=str(seq),
                               old=None, new={"v": seq}, request_id=None)
        digest = audit.sm3_hex(audit._canonical(row, seq=seq, prev_hash=prev))
        rows.append({"seq": seq, "occurred_at": row.occurred_at, "actor_id": None, "actor_name": "system",
                     "action": "test.legacy", "subject_type": "thing", "subject_id": str(seq), "old": None,
                     "new": {"v": 999 if seq == break_at else seq}, "request_id": None,
                     "prev_hash": prev, "hash": digest})
        prev = digest
    table = metadata.tables["audit_event"]
    with engine.begin() as conn:
        conn.execute(insert(table), rows)
        conn.execute(insert(metadata.tables["audit_head"]).values(id=1, seq=n, hash=prev))


def test_0011_rechains_a_sound_legacy_audit_chain_with_the_key(backend, tmp_path_factory):
    from marketreg.platform import audit
    from marketreg.platform.db import Sessions

    engine = make_engine(database_url(backend, tmp_path_factory, "mig_audit"))
    try:
        upgrade("0010", engine=engine)
        _legacy_chain(engine, 4)
        upgrade("head", engine=engine)
        with Sessions(engine).read() as session:
            result = audit.verify(session)
        assert (result.ok, result.rows, result.pending) == (True, 4, 0)
    finally:
        engine.dispose()


def test_0011_refuses_to_launder_a_broken_legacy_chain(backend, tmp_path_factory):
    engine = make_engine(database_url(backend, tmp_path_factory, "mig_broken"))
    try:
        upgrade("0010", engine=engine)
        _legacy_chain(engine, 4, break_at=2)
        with pytest.raises(RuntimeError, match="audit chain broken at seq 2"):
            upgrade("head", engine=engine)
    finally:
        engine.dispose()
