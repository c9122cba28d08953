"""platform trust: sealed keyed audit chain, event outbox deliveries, job actors

The audit chain becomes sealed by one sealer: ``seq``/``prev_hash``/``hash`` are empty until
sealing, and the append-only triggers admit exactly the sealer's one write to an unsealed
row. Rows written before this revision carry an unkeyed SM3 chain: it is checked here (a
broken legacy chain stops the upgrade, so that tampering is never laundered into a fresh
chain) and then re-linked with HMAC-SM3 under the configured key.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 15:40:00
"""

from __future__ import annotations

import datetime as dt
import json

import sqlalchemy as sa
from alembic import op
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac

import marketreg.platform.db
from marketreg.platform.settings import get_settings

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

_CONTENT = ("id", "occurred_at", "actor_id", "actor_name", "action", "subject_type", "subject_id", "request_id")
_PG_GUARD = """
CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.seq IS NULL AND NEW.seq IS NOT NULL
     AND {same} AND NEW.old::text IS NOT DISTINCT FROM OLD.old::text
     AND NEW.new::text IS NOT DISTINCT FROM OLD.new::text THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'audit_event is append-only';
END; $$ LANGUAGE plpgsql;
""".format(same=" AND ".join(f"NEW.{c} IS NOT DISTINCT FROM OLD.{c}" for c in _CONTENT))
_SQLITE_GUARD = [
    "CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event WHEN NOT ("
    "OLD.seq IS NULL AND NEW.seq IS NOT NULL AND "
    + " AND ".join(f"NEW.{c} IS OLD.{c}" for c in (*_CONTENT, "old", "new"))
    + ") BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END",
    "CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event "
    "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END",
]
_PG_OLD_FUNCTION = """
CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger AS $$
BEGIN RAISE EXCEPTION 'audit_event is append-only'; END; $$ LANGUAGE plpgsql;
"""
_SQLITE_OLD_GUARD = [
    "CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event "
    "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END",
    _SQLITE_GUARD[1],
]

_audit = sa.table(
    "audit_event", sa.column("id", sa.BigInteger), sa.column("seq", sa.BigInteger),
    sa.column("occurred_at", marketreg.platform.db.UTCDateTime()), sa.column("actor_id", sa.Integer),
    sa.column("actor_name", sa.String), sa.column("action", sa.String), sa.column("subject_type", sa.String),
    sa.column("subject_id", sa.String), sa.column("old", sa.JSON), sa.column("new", sa.JSON),
    sa.column("request_id", sa.String), sa.column("prev_hash", sa.String), sa.column("hash", sa.String),
    sa.column("sealed_at", marketreg.platform.db.UTCDateTime()),
)
_head = sa.table("audit_head", sa.column("id", sa.Integer), sa.column("seq", sa.BigInteger),
                 sa.column("hash", sa.String), sa.column("chain_id", sa.String))


def _pg() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def _drop_guard() -> None:
    if _pg():
        op.execute("ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_update")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_delete")


def _guard(pg_function: str, sqlite_statements: list[str]) -> None:
    if _pg():
        op.execute(pg_function)
        op.execute("ALTER TABLE audit_event ENABLE TRIGGER audit_event_no_update")
    else:
        for statement in sqlite_statements:
            op.execute(statement)


def _canonical(row, *, seq: int, prev_hash: str) -> bytes:
    payload = {"seq": seq, "occurred_at": row.occurred_at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
               "actor_id": row.actor_id, "actor_name": row.actor_name, "action": row.action,
               "subject_type": row.subject_type, "subject_id": row.subject_id, "old": row.old, "new": row.new,
               "request_id": row.request_id, "prev_hash": prev_hash}
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, default=str).encode()


def _sm3(data: bytes) -> str:
    digest = hashes.Hash(hashes.SM3())
    digest.update(data)
    return digest.finalize().hex()


def _hmac_sm3(key: bytes, data: bytes) -> str:
    mac = crypto_hmac.HMAC(key, hashes.SM3())
    mac.update(data)
    return mac.finalize().hex()


def _rechain_with_key() -> None:
    """Check the legacy unkeyed chain row by row, then re-link it under the key."""
    bind = op.get_bind()
    key, now = get_settings().audit_key_bytes(), dt.datetime.now(dt.UTC)
    legacy_prev = keyed_prev = "0" * 64
    expected = 1
    for row in bind.execute(sa.select(_audit).order_by(_audit.c.seq)):
        if row.seq != expected or row.prev_hash != legacy_prev \
                or row.hash != _sm3(_canonical(row, seq=row.seq, prev_hash=row.prev_hash)):
            raise RuntimeError(f"audit chain broken at seq {expected}: run `marketreg audit verify` on 0008 first")
        legacy_prev, expected = row.hash, expected + 1
        keyed = _hmac_sm3(key, _canonical(row, seq=row.seq, prev_hash=keyed_prev))
        bind.execute(_audit.update().where(_audit.c.id == row.id)
                     .values(prev_hash=keyed_prev, hash=keyed, sealed_at=now))
        keyed_prev = keyed
    head = bind.execute(sa.select(_head).where(_head.c.id == 1)).first()
    if head is not None and (head.seq, head.hash) != (expected - 1, legacy_prev):
        raise RuntimeError("audit chain head does not match its last row: run `marketreg audit verify` on 0008 first")
    if expected > 1:
        bind.execute(_head.update().where(_head.c.id == 1).values(hash=keyed_prev))


def upgrade() -> None:
    _drop_guard()
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sealed_at', marketreg.platform.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.alter_column('seq', existing_type=sa.BigInteger(), nullable=True)
        batch_op.alter_column('prev_hash', existing_type=sa.String(length=64), nullable=True)
        batch_op.alter_column('hash', existing_type=sa.String(length=64), nullable=True)
    with op.batch_alter_table('audit_head', schema=None) as batch_op:
        batch_op.add_column(sa.Column('chain_id', sa.String(length=32), nullable=True))
    _rechain_with_key()
    _guard(_PG_GUARD, _SQLITE_GUARD)

    op.create_table('event_delivery',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('handler', sa.String(length=200), nullable=False),
    sa.Column('subject_key', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('next_attempt_at', marketreg.platform.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('done_at', marketreg.platform.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['event_id'], ['domain_event.id'], name=op.f('fk_event_delivery_event_id_domain_event')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event_delivery')),
    sa.UniqueConstraint('event_id', 'handler', name='uq_event_delivery_event_handler')
    )
    with op.batch_alter_table('event_delivery', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_delivery_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_event_delivery_status'), ['status'], unique=False)
        # the dispatcher's "earlier delivery for the same subject and handler still open?" check
        batch_op.create_index('ix_event_delivery_order', ['handler', 'subject_key', 'event_id'], unique=False)
        # the dispatcher's selection reads the open deliveries only
        batch_op.create_index('ix_event_delivery_open', ['subject_key', 'event_id'], unique=False,
                              postgresql_where=sa.text("status <> 'done'"), sqlite_where=sa.text("status <> 'done'"))

    with op.batch_alter_table('job', schema=None) as batch_op:
        batch_op.add_column(sa.Column('created_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('created_by_name', sa.String(length=64), nullable=False, server_default=''))


def downgrade() -> None:
    with op.batch_alter_table('job', schema=None) as batch_op:
        batch_op.drop_column('created_by_name')
        batch_op.drop_column('created_by_id')
    with op.batch_alter_table('event_delivery', schema=None) as batch_op:
        batch_op.drop_index('ix_event_delivery_open')
        batch_op.drop_index('ix_event_delivery_order')
        batch_op.drop_index(batch_op.f('ix_event_delivery_status'))
        batch_op.drop_index(batch_op.f('ix_event_delivery_event_id'))
    op.drop_table('event_delivery')

    if op.get_bind().scalar(sa.select(sa.func.count()).select_from(_audit).where(_audit.c.seq.is_(None))):
        raise RuntimeError("unsealed audit rows: run `marketreg audit seal` before downgrading")
    _drop_guard()
    with op.batch_alter_table('audit_head', schema=None) as batch_op:
        batch_op.drop_column('chain_id')
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.alter_column('hash', existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column('prev_hash', existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column('seq', existing_type=sa.BigInteger(), nullable=False)
        batch_op.drop_column('sealed_at')
    _guard(_PG_OLD_FUNCTION, _SQLITE_OLD_GUARD)
