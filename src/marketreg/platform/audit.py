"""Append-only, SM3 hash-chained audit log.

Each row's hash covers its own canonical content and the previous row's hash, so altering
or deleting any row breaks the chain from that row on. Database triggers (migration) refuse
UPDATE and DELETE; the chain catches what someone with the power to drop a trigger does.
Appends are serialised (advisory lock on PostgreSQL, BEGIN IMMEDIATE on SQLite).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives import hashes
from sqlalchemy import JSON, BigInteger, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from marketreg.kernel import clock
from marketreg.platform.authz import Actor
from marketreg.platform.context import request_id_var
from marketreg.platform.db import Base, BigId, advisory_lock

GENESIS = "0" * 64
_AUDIT_LOCK_KEY = 7_315_001


class AuditEvent(Base):
    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, unique=True)
    occurred_at: Mapped[dt.datetime]
    actor_id: Mapped[int | None]
    actor_name: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64), index=True)
    subject_type: Mapped[str] = mapped_column(String(64))
    subject_id: Mapped[str | None] = mapped_column(String(64), index=True)
    old: Mapped[dict | None] = mapped_column(JSON)
    new: Mapped[dict | None] = mapped_column(JSON)
    request_id: Mapped[str | None] = mapped_column(String(32))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHead(Base):
    """The chain's newest link, so that deleting rows at the tail is detected too."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger)
    hash: Mapped[str] = mapped_column(String(64))


def _canonical(row: AuditEvent | dict[str, Any]) -> bytes:
    get = row.get if isinstance(row, dict) else lambda k: getattr(row, k)
    occurred = get("occurred_at")
    payload = {
        "seq": get("seq"),
        "occurred_at": occurred.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        "actor_id": get("actor_id"),
        "actor_name": get("actor_name"),
        "action": get("action"),
        "subject_type": get("subject_type"),
        "subject_id": get("subject_id"),
        "old": get("old"),
        "new": get("new"),
        "request_id": get("request_id"),
        "prev_hash": get("prev_hash"),
    }
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, default=str).encode()


def sm3_hex(data: bytes) -> str:
    digest = hashes.Hash(hashes.SM3())
    digest.update(data)
    return digest.finalize().hex()


def lock_chain(session: Session) -> None:
    """Take the chain's lock now. A writer that takes other locks (e.g. a document-number
    counter) takes this one first, so every transaction acquires its locks in the same order
    and two writers cannot deadlock; ``record`` taking it again later is a no-op."""
    advisory_lock(session, _AUDIT_LOCK_KEY)


def record(
    session: Session,
    *,
    actor: Actor,
    action: str,
    subject_type: str,
    subject_id: object = None,
    old: dict | None = None,
    new: dict | None = None,
) -> AuditEvent:
    """Append one audit row in the caller's transaction."""
    advisory_lock(session, _AUDIT_LOCK_KEY)
    head = session.get(AuditHead, 1, populate_existing=True)
    if head is None:
        head = AuditHead(id=1, seq=0, hash=GENESIS)
        session.add(head)
    seq, prev = head.seq + 1, head.hash
    row = AuditEvent(
        seq=seq,
        occurred_at=clock.now(),
        actor_id=actor.user_id,
        actor_name=actor.username,
        action=action,
        subject_type=subject_type,
        subject_id=None if subject_id is None else str(subject_id),
        old=_jsonable(old),
        new=_jsonable(new),
        request_id=request_id_var.get(),
        prev_hash=prev,
    )
    row.hash = sm3_hex(_canonical(row))
    head.seq, head.hash = seq, row.hash
    session.add(row)
    session.flush()
    return row


def _jsonable(value: dict | None) -> dict | None:
    if value is None:
        return None
    return json.loads(json.dumps(value, ensure_ascii=False, default=str))


@dataclass(frozen=True, slots=True)
class VerifyResult:
    ok: bool
    rows: int
    first_bad_seq: int | None = None
    problem: str | None = None


def verify(session: Session, *, batch: int = 5000) -> VerifyResult:
    """Walk the chain in order; report the first row whose link or hash is wrong."""
    prev, expected_seq, count, last_seq = GENESIS, 1, 0, 0
    while True:
        rows = session.scalars(
            select(AuditEvent).where(AuditEvent.seq > last_seq).order_by(AuditEvent.seq).limit(batch)
        ).all()
        if not rows:
            head = session.get(AuditHead, 1)
            if head is not None and (head.seq, head.hash) != (last_seq, prev):
                return VerifyResult(False, count, last_seq + 1, "missing")
            return VerifyResult(True, count)
        for row in rows:
            if row.seq != expected_seq:
                return VerifyResult(False, count, expected_seq, "missing")
            if row.prev_hash != prev:
                return VerifyResult(False, count, row.seq, "broken_link")
            if sm3_hex(_canonical(row)) != row.hash:
                return VerifyResult(False, count, row.seq, "altered")
            prev, expected_seq, last_seq = row.hash, row.seq + 1, row.seq
            count += 1
        session.expunge_all()
