"""credit classification at province scale: explanations are computed when shown

The stored top factors (``credit_risk_class.factors``) are dropped: the staff page and the API
compute an entity's explanation from its features when they show it, so the monthly run does not
write a string for each of 15 million entities.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 15:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('credit_risk_class', schema=None) as batch_op:
        batch_op.drop_column('factors')


def downgrade() -> None:
    with op.batch_alter_table('credit_risk_class', schema=None) as batch_op:
        batch_op.add_column(sa.Column('factors', sa.String(length=120), nullable=False, server_default=''))
