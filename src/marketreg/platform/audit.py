"""Append-only audit log, sealed into a keyed (HMAC-SM3) chain by one sealer, its head anchored
outside the database.

Writers only append an unsealed row in their own transaction: no global lock, no shared head
row, so audited writers of the whole province do not queue behind one another. One sealer
(``seal``: a job kicked after commits and run every minute, or ``marketreg audit seal``) takes
the unsealed rows in the order they became visible, gives each its ``seq``, the previous
row's hash and its own HMAC-SM3 under a key kept outside the database, and writes a signed
head (seq, hash, time, MAC) to a file under the storage location (``marketreg audit head``
exports it). So:

* altering a row breaks its MAC (``altered``); rewriting a row and re-linking the tail without
  the key breaks the MACs from there on (``recomputed``);
* deleting a sealed row leaves a gap in ``seq`` (``deleted``);
* deleting the tail is found against the anchored head even when ``audit_head`` in the
  database was rewritten to match (``truncated``).

Database triggers (migrations 0001, 0008) refuse DELETE, and UPDATE except the sealer's one
write of the sealing columns of an unsealed row; the chain catches what someone able to drop
the triggers does. Rows appended but not yet sealed are shown as pending; the chain protects
a row from its sealing on (within about a second of its commit when the workers run, a minute
at most), so the window in which a trigger-dropping intruder could remove a row unseen is that
short.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import time
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac
from sqlalchemy import JSON, BigInteger, String, event, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from marketreg.kernel import clock
from marketreg.platform.authz import Actor
from marketreg.platform.context import request_id_var
from marketreg.platform.db import Base, BigId, Sessions, advisory_lock, get_sessions
from marketreg.platform.settings import get_settings
from marketreg.platform.tasks import crontab, kick, periodic, task

GENESIS = "0" * 64
_SEALER_LOCK_KEY = 7_315_001
SEAL_BATCH = 2000
HEAD_FILE = ("audit", "head.json")

PROBLEM_LABELS = {
    "altered": "记录内容被篡改",
    "deleted": "记录被删除（序号缺失）",
    "broken_link": "哈希链接断裂",
    "recomputed": "哈希被无密钥重新计算",
    "truncated": "链尾被截断（少于外部锚定的链头）",
    "anchor_mismatch": "与外部锚定的链头不一致",
    "anchor_forged": "锚定链头的签名无效",
    "anchor_other_chain": "锚定链头属于另一条审计链",
}


class AuditEvent(Base):
    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    seq: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    occurred_at: Mapped[dt.datetime]
    actor_id: Mapped[int | None]
    actor_name: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64), index=True)
    subject_type: Mapped[str] = mapped_column(String(64))
    subject_id: Mapped[str | None] = mapped_column(String(64), index=True)
    old: Mapped[dict | None] = mapped_column(JSON)
    new: Mapped[dict | None] = mapped_column(JSON)
    request_id: Mapped[str | None] = mapped_column(String(32))
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    hash: Mapped[str | None] = mapped_column(String(64))
    sealed_at: Mapped[dt.datetime | None]

    @property
    def sealed(self) -> bool:
        return self.seq is not None


class AuditHead(Base):
    """The chain's newest sealed link, written by the sealer only (``chain_id`` tells this
    chain's anchor file from another database's)."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger)
    hash: Mapped[str] = mapped_column(String(64))
    chain_id: Mapped[str | None] = mapped_column(String(32))


def _canonical(row: AuditEvent, *, seq: int, prev_hash: str) -> bytes:
    payload = {
        "seq": seq,
        "occurred_at": row.occurred_at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        "actor_id": row.actor_id,
        "actor_name": row.actor_name,
        "action": row.action,
        "subject_type": row.subject_type,
        "subject_id": row.subject_id,
        "old": row.old,
        "new": row.new,
        "request_id": row.request_id,
        "prev_hash": prev_hash,
    }
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, default=str).encode()


def sm3_hex(data: bytes) -> str:
    digest = hashes.Hash(hashes.SM3())
    digest.update(data)
    return digest.finalize().hex()


def hmac_sm3_hex(key: bytes, data: bytes) -> str:
    mac = crypto_hmac.HMAC(key, hashes.SM3())
    mac.update(data)
    return mac.finalize().hex()


def _key() -> bytes:
    return get_settings().audit_key_bytes()


def _row_mac(key: bytes, row: AuditEvent) -> str:
    return hmac_sm3_hex(key, _canonical(row, seq=row.seq, prev_hash=row.prev_hash))


# ----------------------------------------------------------------------------- writers


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
    """Append one unsealed audit row in the caller's transaction (no lock: the sealer chains it)."""
    row = AuditEvent(
        occurred_at=clock.now(),
        actor_id=actor.user_id,
        actor_name=actor.username,
        action=action,
        subject_type=subject_type,
        subject_id=None if subject_id is None else str(subject_id),
        old=_jsonable(old),
        new=_jsonable(new),
        request_id=request_id_var.get(),
    )
    session.add(row)
    session.flush()
    session.info["audit_appended"] = True
    return row


def _jsonable(value: dict | None) -> dict | None:
    if value is None:
        return None
    return json.loads(json.dumps(value, ensure_ascii=False, default=str))


@event.listens_for(Session, "after_commit")
def _kick_sealer(session: Session) -> None:
    """After a commit that appended audit rows, have the sealer run soon (at most one queued run
    per second; in the inline test mode sealing is left to explicit ``seal`` calls)."""
    if not session.in_nested_transaction() and session.info.pop("audit_appended", False):
        kick(seal_job)


# ----------------------------------------------------------------------------- the sealer


@dataclass(frozen=True, slots=True)
class Head:
    """A signed chain head: what is anchored outside the database."""

    chain_id: str
    seq: int
    hash: str
    sealed_at: str
    mac: str = ""

    def _message(self) -> bytes:
        return json.dumps({"chain_id": self.chain_id, "seq": self.seq, "hash": self.hash,
                           "sealed_at": self.sealed_at}, sort_keys=True).encode()

    def signed(self, key: bytes) -> Head:
        return Head(self.chain_id, self.seq, self.hash, self.sealed_at, hmac_sm3_hex(key, self._message()))

    def signature_ok(self, key: bytes) -> bool:
        return bool(self.mac) and self.mac == hmac_sm3_hex(key, self._message())


def seal_pending(session: Session, *, limit: int = SEAL_BATCH) -> Head | None:
    """Seal up to ``limit`` unsealed rows in the caller's (write) transaction; the new head, or
    None when nothing was pending. One sealer at a time (advisory lock on PostgreSQL; SQLite
    write transactions are serialised anyway)."""
    advisory_lock(session, _SEALER_LOCK_KEY)
    rows = session.scalars(select(AuditEvent).where(AuditEvent.seq.is_(None))
                           .order_by(AuditEvent.id).limit(limit)).all()
    if not rows:
        return None
    head = session.get(AuditHead, 1, populate_existing=True)
    if head is None:
        head = AuditHead(id=1, seq=0, hash=GENESIS)
        session.add(head)
    head.chain_id = head.chain_id or uuid.uuid4().hex
    key, now = _key(), clock.now()
    seq, prev = head.seq, head.hash
    for row in rows:
        seq += 1
        row.seq, row.prev_hash, row.sealed_at = seq, prev, now
        row.hash = prev = _row_mac(key, row)
    head.seq, head.hash = seq, prev
    session.flush()
    return Head(head.chain_id, seq, prev, now.isoformat(timespec="microseconds")).signed(key)


def seal(sessions: Sessions, *, limit: int = SEAL_BATCH) -> int:
    """Seal everything pending, batch by batch, anchoring the head after each commit; the
    number of rows sealed."""
    sealed = 0
    while True:
        with sessions.transaction() as session:
            before = _sealed_count(session)
            head = seal_pending(session, limit=limit)
        if head is None:
            return sealed
        anchor(head)
        sealed += head.seq - before


@task()
def seal_job() -> int:
    return seal(get_sessions())


@periodic(crontab(minute="*"))
def seal_every_minute() -> int:
    """The backstop for kicks lost to a crash or a busy queue."""
    return seal(get_sessions())


def _sealed_count(session: Session) -> int:
    head = session.get(AuditHead, 1)
    return head.seq if head is not None else 0


def anchor_path() -> Path:
    return get_settings().storage_path(*HEAD_FILE)


def anchor(head: Head) -> None:
    """Write the signed head to the anchor file, never moving it backwards (two sealers'
    commits can finish in either order)."""
    path = anchor_path()
    with open(path.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        current = read_anchor()
        if current is not None and current.chain_id == head.chain_id and current.seq >= head.seq:
            return
        tmp = path.with_suffix(f".{os.getpid()}.{time.monotonic_ns()}.tmp")
        tmp.write_text(json.dumps(asdict(head), ensure_ascii=False, indent=1))
        os.replace(tmp, path)


def read_anchor() -> Head | None:
    path = anchor_path()
    if not path.exists():
        return None
    return Head(**json.loads(path.read_text()))


def current_head(session: Session) -> Head | None:
    """The database's head, signed (what ``marketreg audit head`` exports)."""
    head = session.get(AuditHead, 1)
    if head is None or not head.chain_id:
        return None
    sealed_at = session.scalar(select(AuditEvent.sealed_at).where(AuditEvent.seq == head.seq))
    stamp = sealed_at.isoformat(timespec="microseconds") if sealed_at else ""
    return Head(head.chain_id, head.seq, head.hash, stamp).signed(_key())


# ----------------------------------------------------------------------------- verification


@dataclass(frozen=True, slots=True)
class VerifyResult:
    ok: bool
    rows: int
    first_bad_seq: int | None = None
    problem: str | None = None
    pending: int = 0
    anchored_seq: int | None = None

    @property
    def problem_label(self) -> str:
        return PROBLEM_LABELS.get(self.problem or "", self.problem or "")


@dataclass
class _Walk:
    """Where the walk over the sealed rows stands."""

    prev: str = GENESIS
    last_seq: int = 0
    count: int = 0
    suspect: AuditEvent | None = None  # a row whose MAC failed, judged by its successor
    anchored_hash: str | None = None


def verify(session: Session, *, batch: int = 5000) -> VerifyResult:
    """Walk the sealed chain in ``seq`` order against the key and the anchored head; report the
    first problem with its kind (see the module docstring)."""
    key, anchored = _key(), read_anchor()
    pending = session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.seq.is_(None))) or 0
    head = session.get(AuditHead, 1)

    def bad(seq: int | None, problem: str, count: int) -> VerifyResult:
        return VerifyResult(False, count, seq, problem, pending, anchored.seq if anchored else None)

    if anchored is not None:
        if not anchored.signature_ok(key):
            return bad(anchored.seq, "anchor_forged", 0)
        if head is not None and head.chain_id and head.chain_id != anchored.chain_id:
            return bad(anchored.seq, "anchor_other_chain", 0)
    walk = _Walk()
    while True:
        rows = session.scalars(select(AuditEvent).where(AuditEvent.seq > walk.last_seq)
                               .order_by(AuditEvent.seq).limit(batch)).all()
        if not rows:
            break
        for row in rows:
            problem = _check_row(walk, row, key, anchored)
            if problem is not None:
                return bad(*problem, walk.count)
        session.expunge_all()
    if walk.suspect is not None:  # the last row failed: altered alone, or rewritten against the anchor
        recomputed = anchored is not None and anchored.seq == walk.suspect.seq and anchored.hash != walk.suspect.hash
        return bad(walk.suspect.seq, "recomputed" if recomputed else "altered", walk.count)
    if anchored is not None:
        if anchored.seq > walk.last_seq:
            return bad(walk.last_seq + 1, "truncated", walk.count)
        if walk.anchored_hash != anchored.hash:
            return bad(anchored.seq, "anchor_mismatch", walk.count)
    head = session.get(AuditHead, 1)
    if head is not None and (head.seq, head.hash) != (walk.last_seq, walk.prev):
        return bad(walk.last_seq + 1, "truncated", walk.count)
    return VerifyResult(True, walk.count, pending=pending, anchored_seq=anchored.seq if anchored else None)


def _check_row(walk: _Walk, row: AuditEvent, key: bytes, anchored: Head | None) -> tuple[int, str] | None:
    """One step of the walk: None when the row is sound so far, else (seq, problem)."""
    if walk.suspect is not None:
        # The previous row's MAC failed. A successor that still links to it and verifies means
        # that row alone was edited; a successor that fails too means the tail was re-hashed.
        suspect, walk.suspect = walk.suspect, None
        if row.seq == suspect.seq + 1 and row.prev_hash == suspect.hash and row.hash != _row_mac(key, row):
            return suspect.seq, "recomputed"
        return suspect.seq, "altered"
    if row.seq != walk.last_seq + 1:
        return walk.last_seq + 1, "deleted"
    if row.prev_hash != walk.prev:
        return row.seq, "broken_link"
    if row.hash != _row_mac(key, row):
        if row.hash == sm3_hex(_canonical(row, seq=row.seq, prev_hash=row.prev_hash)):
            return row.seq, "recomputed"
        walk.suspect = row
    if anchored is not None and row.seq == anchored.seq:
        walk.anchored_hash = row.hash
    walk.prev, walk.last_seq = row.hash, row.seq
    walk.count += 1
    return None


def recent(session: Session, *, action: str = "", limit: int = 200) -> list[AuditEvent]:
    """The newest rows for the staff log: pending (unsealed) ones first, then by ``seq``."""
    stmt = select(AuditEvent).order_by(AuditEvent.seq.is_(None).desc(), AuditEvent.seq.desc(),
                                       AuditEvent.id.desc()).limit(limit)
    if action:
        stmt = stmt.where(AuditEvent.action == action)
    return list(session.scalars(stmt))


def as_dict(head: Head) -> dict[str, Any]:
    return asdict(head)
