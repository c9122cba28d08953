"""jurisdiction filter as an index range: org paths in byte order, every org path indexed

The scope filter ``p <= org_path < p⁺`` equals "starts with p" only in byte order, so on
PostgreSQL the org-path columns take the ``C`` collation (their indexes are rebuilt with it);
SQLite compares bytes already. ``complaint_supervision.org_path`` gets the index it lacked.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

# (table, column, length) of every column the jurisdiction filter ranges over
PATH_COLUMNS = (
    ("market_entity", "org_path", 40), ("licence", "org_path", 40), ("mart_entity_count", "org_path", 40),
    ("org_unit", "path", 64), ("job", "org_path", 64),
    ("complaint_item", "org_path", 40), ("complaint_supervision", "org_path", 40),
    ("complaint_follow_up", "org_path", 40),
    ("credit_annual_report", "org_path", 40), ("credit_event", "org_path", 64),
    ("credit_list_entry", "org_path", 40), ("credit_repair", "org_path", 40),
    ("inspection_plan", "org_path", 40), ("inspection_plan", "filed_with_path", 40),
    ("inspection_batch", "org_path", 40), ("inspection_inspector", "org_path", 40),
    ("inspection_task", "org_path", 40),
    ("enforcement_clue", "org_path", 40), ("enforcement_officer", "org_path", 40),
    ("enforcement_case", "org_path", 40), ("enforcement_transfer", "from_org_path", 40),
    ("enforcement_transfer", "target_path", 40),
)


def _collate(collation: str | None) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, column, length in PATH_COLUMNS:
        op.alter_column(table, column, type_=sa.String(length, collation=collation),
                        existing_type=sa.String(length))


def upgrade() -> None:
    _collate("C")
    with op.batch_alter_table('complaint_supervision', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_complaint_supervision_org_path'), ['org_path'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('complaint_supervision', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_complaint_supervision_org_path'))
    _collate(None)
