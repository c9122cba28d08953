"""Append-only, SM3-chained audit log: intact chains verify; any edit or deletion is found."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, text, update
from sqlalchemy.exc import DBAPIError

from marketreg.platform import audit
from marketreg.platform.audit import AuditEvent
from marketreg.platform.authz import SYSTEM

pytestmark = pytest.mark.both_backends


def _write(session, n: int = 5) -> list[AuditEvent]:
    rows = [audit.record(session, actor=SYSTEM, action="test.event", subject_type="thing", subject_id=i,
                         old={"v": i}, new={"v": i + 1, "名称": "测试"}) for i in range(n)]
    session.flush()
    return rows


def _drop_guards(session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("DROP TRIGGER audit_event_no_update ON audit_event"))
    else:
        session.execute(text("DROP TRIGGER audit_event_no_update"))
        session.execute(text("DROP TRIGGER audit_event_no_delete"))


def test_sm3_known_answer():
    # GB/T 32905-2016 Appendix A example 1: SM3("abc").
    assert audit.sm3_hex(b"abc") == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"


def test_chain_links_each_row_to_the_previous(session):
    rows = _write(session)
    assert [r.prev_hash for r in rows[1:]] == [r.hash for r in rows[:-1]]
    assert audit.verify(session).ok


@pytest.mark.parametrize("statement", ["update", "delete"])
def test_database_refuses_to_change_audit_rows(session, statement):
    rows = _write(session, 2)
    target = rows[0].id
    stmt = (update(AuditEvent).where(AuditEvent.id == target).values(action="x") if statement == "update"
            else delete(AuditEvent).where(AuditEvent.id == target))
    with pytest.raises(DBAPIError, match="append-only"), session.begin_nested():
        session.execute(stmt)


def test_altered_row_is_named_by_verify(session):
    rows = _write(session)
    _drop_guards(session)
    session.execute(update(AuditEvent).where(AuditEvent.id == rows[2].id).values(new={"v": 999}))
    session.expire_all()
    result = audit.verify(session)
    assert not result.ok
    assert (result.first_bad_seq, result.problem) == (rows[2].seq, "altered")


def test_deleted_row_is_named_by_verify(session):
    rows = _write(session)
    _drop_guards(session)
    session.execute(delete(AuditEvent).where(AuditEvent.id == rows[1].id))
    session.expire_all()
    result = audit.verify(session)
    assert (result.ok, result.first_bad_seq, result.problem) == (False, rows[1].seq, "missing")


def test_deleted_last_row_is_found_through_the_chain_head(session):
    rows = _write(session)
    _drop_guards(session)
    session.execute(delete(AuditEvent).where(AuditEvent.id == rows[-1].id))
    session.expire_all()
    result = audit.verify(session)
    assert (result.ok, result.first_bad_seq, result.problem) == (False, rows[-1].seq, "missing")
