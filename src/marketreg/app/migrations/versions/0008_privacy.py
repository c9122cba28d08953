"""privacy: the consumer's separate consent to give the respondent their contact for settlement

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('complaint_item', schema=None) as batch_op:
        batch_op.add_column(sa.Column('share_contact', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table('complaint_item', schema=None) as batch_op:
        batch_op.drop_column('share_contact')
