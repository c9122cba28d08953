"""The audit log: writers append unsealed rows without a lock; one sealer chains them with
HMAC-SM3 and anchors the signed head in a file; verify names each kind of tampering."""

from __future__ import annotations

import json
import threading

import pytest
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import DBAPIError

from conftest import database_url
from marketreg.app.migrations_runner import upgrade
from marketreg.platform import audit
from marketreg.platform.audit import AuditEvent, AuditHead
from marketreg.platform.authz import SYSTEM
from marketreg.platform.db import Sessions, make_engine
from marketreg.platform.settings import get_settings

pytestmark = pytest.mark.both_backends


def _write(session, n: int = 5) -> list[AuditEvent]:
    return [audit.record(session, actor=SYSTEM, action="test.event", subject_type="thing", subject_id=i,
                         old={"v": i}, new={"v": i + 1, "名称": "测试"}) for i in range(n)]


def _seal(session) -> audit.Head:
    """Seal everything pending in this (test) transaction and anchor the head, as the sealer job does."""
    head = None
    while (batch := audit.seal_pending(session)) is not None:
        head = batch
    audit.anchor(head)
    return head


def _sealed(session, n: int = 5) -> list[AuditEvent]:
    rows = _write(session, n)
    _seal(session)
    return rows


def _drop_guards(session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("DROP TRIGGER audit_event_no_update ON audit_event"))
    else:
        session.execute(text("DROP TRIGGER audit_event_no_update"))
        session.execute(text("DROP TRIGGER audit_event_no_delete"))


def _problem(session) -> tuple[bool, int | None, str | None]:
    session.expire_all()
    result = audit.verify(session)
    return result.ok, result.first_bad_seq, result.problem


def test_sm3_known_answer():
    # GB/T 32905-2016 Appendix A example 1: SM3("abc").
    assert audit.sm3_hex(b"abc") == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"


def test_writers_append_unsealed_rows_that_the_sealer_chains_in_order(session):
    rows = _write(session)
    assert all(r.seq is None and r.hash is None for r in rows)
    assert audit.verify(session).pending >= 5
    head = _seal(session)
    session.expire_all()
    assert [r.seq for r in rows] == list(range(rows[0].seq, rows[0].seq + 5))
    assert [r.prev_hash for r in rows[1:]] == [r.hash for r in rows[:-1]]
    assert (head.seq, head.hash) == (rows[-1].seq, rows[-1].hash)
    result = audit.verify(session)
    assert (result.ok, result.pending, result.anchored_seq) == (True, 0, head.seq)


def test_the_chain_is_keyed_a_plain_sm3_of_the_row_is_not_its_hash(session):
    [row] = _sealed(session, 1)
    plain = audit.sm3_hex(audit._canonical(row, seq=row.seq, prev_hash=row.prev_hash))
    assert row.hash != plain
    assert row.hash == audit.hmac_sm3_hex(get_settings().audit_key_bytes(),
                                          audit._canonical(row, seq=row.seq, prev_hash=row.prev_hash))


def test_anchored_head_is_signed_and_exported(session):
    _write(session, 2)
    head = _seal(session)
    stored = json.loads(audit.anchor_path().read_text())
    assert stored == audit.as_dict(head)
    assert audit.read_anchor().signature_ok(get_settings().audit_key_bytes())
    assert audit.current_head(session) == head


@pytest.mark.parametrize("statement", ["update", "delete", "reseal"])
def test_database_refuses_to_change_audit_rows(session, statement):
    rows = _write(session, 2)
    if statement == "reseal":
        _seal(session)
    target = rows[0].id
    stmt = {"update": update(AuditEvent).where(AuditEvent.id == target).values(action="x"),
            "delete": delete(AuditEvent).where(AuditEvent.id == target),
            "reseal": update(AuditEvent).where(AuditEvent.id == target).values(seq=10**9)}[statement]
    with pytest.raises(DBAPIError, match="append-only"), session.begin_nested():
        session.execute(stmt)


def test_sealing_cannot_smuggle_in_a_content_change(session):
    [row] = _write(session, 1)
    with pytest.raises(DBAPIError, match="append-only"), session.begin_nested():
        session.execute(update(AuditEvent).where(AuditEvent.id == row.id).values(seq=10**9, actor_name="someone"))


def test_altered_row_is_named_by_verify(session):
    rows = _sealed(session)
    _drop_guards(session)
    session.execute(update(AuditEvent).where(AuditEvent.id == rows[2].id).values(new={"v": 999}))
    assert _problem(session) == (False, rows[2].seq, "altered")


def test_deleted_row_is_named_by_verify(session):
    rows = _sealed(session)
    _drop_guards(session)
    session.execute(delete(AuditEvent).where(AuditEvent.id == rows[1].id))
    assert _problem(session) == (False, rows[1].seq, "deleted")


def test_tail_truncation_is_found_even_when_the_database_head_is_rewritten(session):
    rows = _sealed(session)
    _drop_guards(session)
    session.execute(delete(AuditEvent).where(AuditEvent.id.in_([r.id for r in rows[-2:]])))
    session.execute(update(AuditHead).where(AuditHead.id == 1).values(seq=rows[-3].seq, hash=rows[-3].hash))
    assert _problem(session) == (False, rows[-2].seq, "truncated")


def test_tail_truncation_without_the_head_rewrite_is_found_too(session):
    rows = _sealed(session)
    _drop_guards(session)
    session.execute(delete(AuditEvent).where(AuditEvent.id == rows[-1].id))
    assert _problem(session) == (False, rows[-1].seq, "truncated")


@pytest.mark.parametrize("rehash", ["plain_sm3", "wrong_key"])
def test_recomputing_the_hashes_without_the_key_is_found(session, rehash):
    """An attacker edits a row and re-links the chain from there on (and the database head),
    hashing with plain SM3 or a guessed key."""
    rows = _sealed(session)
    _drop_guards(session)
    session.execute(update(AuditEvent).where(AuditEvent.id == rows[1].id).values(new={"v": "改"}))
    session.expire_all()
    prev = rows[0].hash
    for row in session.scalars(select(AuditEvent).where(AuditEvent.seq >= rows[1].seq).order_by(AuditEvent.seq)):
        data = audit._canonical(row, seq=row.seq, prev_hash=prev)
        new_hash = audit.sm3_hex(data) if rehash == "plain_sm3" else audit.hmac_sm3_hex(b"guess", data)
        session.execute(update(AuditEvent).where(AuditEvent.id == row.id).values(prev_hash=prev, hash=new_hash))
        prev = new_hash
    session.execute(update(AuditHead).where(AuditHead.id == 1).values(hash=prev))
    assert _problem(session) == (False, rows[1].seq, "recomputed")


def test_a_forged_anchor_file_is_reported(session):
    _sealed(session, 2)
    path = audit.anchor_path()
    forged = json.loads(path.read_text()) | {"seq": 1}
    path.write_text(json.dumps(forged))
    assert _problem(session)[2] == "anchor_forged"


def test_staff_audit_log_shows_pending_and_sealed_rows(client, tasks_db):
    from conftest import login

    with tasks_db.transaction() as session:
        audit.record(session, actor=SYSTEM, action="test.sealed", subject_type="thing", subject_id="a")
    with tasks_db.transaction() as session:
        audit.seal_pending(session)
        audit.record(session, actor=SYSTEM, action="test.pending", subject_type="thing", subject_id="b")
    login(client, "sd_admin")
    page = client.get("/staff/sysadmin/audit").text
    assert "待封存" in page and "test.pending" in page and "test.sealed" in page
    assert page.index("test.pending") < page.index("test.sealed")


def test_concurrent_writers_do_not_wait_for_each_other(backend, tmp_path_factory):
    """Two audited transactions open at once both commit (the old chain lock made the second
    wait for the first's commit); the sealer then chains both. A database of its own, since
    this test commits."""
    if backend == "sqlite":
        pytest.skip("SQLite serialises whole write transactions")
    engine = make_engine(database_url(backend, tmp_path_factory, "audit_conc"))
    upgrade("head", engine=engine)
    sessions = Sessions(engine)
    try:
        with sessions.write() as first, first.begin():
            audit.record(first, actor=SYSTEM, action="test.concurrent", subject_type="thing", subject_id="first")
            worker = threading.Thread(target=_append_and_commit, args=(sessions,))
            worker.start()
            worker.join(timeout=20)
            assert not worker.is_alive()  # committed while the first transaction was still open
        assert audit.seal(sessions) == 2
        with sessions.read() as session:
            assert audit.verify(session).ok
    finally:
        engine.dispose()


def _append_and_commit(sessions: Sessions) -> None:
    with sessions.transaction() as session:
        audit.record(session, actor=SYSTEM, action="test.concurrent", subject_type="thing", subject_id="second")
