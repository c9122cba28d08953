"""law corrections (issue 11): review flags and display ends on list entries, Art. 18 measure proposals, police transfer clocks (C5)

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import marketreg.platform.db

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('credit_list_entry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('review_note', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('review_flagged_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('reviewed_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('public_until', sa.Date(), nullable=True))
        batch_op.create_index(batch_op.f('ix_credit_list_entry_review_flagged_on'), ['review_flagged_on'],
                              unique=False)

    with op.batch_alter_table('enforcement_transfer', schema=None) as batch_op:
        batch_op.alter_column('receipt_due_on', existing_type=sa.Date(), nullable=True)
        batch_op.alter_column('feedback_due_on', existing_type=sa.Date(), nullable=True)
        batch_op.add_column(sa.Column('evidence_due_on', sa.Date(), nullable=True))

    with op.batch_alter_table('enforcement_case', schema=None) as batch_op:
        batch_op.add_column(sa.Column('serious_notified', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('surcharge_amount', sa.Numeric(precision=14, scale=2), nullable=True))
        batch_op.add_column(sa.Column('urged_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('remedy_days', sa.Integer(), nullable=False, server_default='0'))

    with op.batch_alter_table('inspection_item', schema=None) as batch_op:
        batch_op.add_column(sa.Column('scope', sa.JSON(), nullable=True))

    op.create_table('credit_measure_proposal',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('source_ref', sa.String(length=120), nullable=False),
    sa.Column('entity_uscc', sa.String(length=18), nullable=False),
    sa.Column('entity_name', sa.String(length=200), nullable=False),
    sa.Column('org_path', sa.String(length=40), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('label', sa.String(length=300), nullable=False),
    sa.Column('basis', sa.String(length=200), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('entry_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('proposed_on', sa.Date(), nullable=False),
    sa.Column('decided_on', sa.Date(), nullable=True),
    sa.Column('decided_by', sa.String(length=64), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_at', marketreg.platform.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_credit_measure_proposal')),
    sa.UniqueConstraint('source_ref', name=op.f('uq_credit_measure_proposal_source_ref'))
    )
    with op.batch_alter_table('credit_measure_proposal', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_credit_measure_proposal_entity_uscc'), ['entity_uscc'], unique=False)
        batch_op.create_index(batch_op.f('ix_credit_measure_proposal_org_path'), ['org_path'], unique=False)
        batch_op.create_index(batch_op.f('ix_credit_measure_proposal_status'), ['status'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('credit_measure_proposal', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_credit_measure_proposal_status'))
        batch_op.drop_index(batch_op.f('ix_credit_measure_proposal_org_path'))
        batch_op.drop_index(batch_op.f('ix_credit_measure_proposal_entity_uscc'))
    op.drop_table('credit_measure_proposal')
    with op.batch_alter_table('inspection_item', schema=None) as batch_op:
        batch_op.drop_column('scope')
    with op.batch_alter_table('enforcement_case', schema=None) as batch_op:
        batch_op.drop_column('remedy_days')
        batch_op.drop_column('urged_on')
        batch_op.drop_column('surcharge_amount')
        batch_op.drop_column('serious_notified')
    with op.batch_alter_table('enforcement_transfer', schema=None) as batch_op:
        batch_op.drop_column('evidence_due_on')
        batch_op.alter_column('feedback_due_on', existing_type=sa.Date(), nullable=False)
        batch_op.alter_column('receipt_due_on', existing_type=sa.Date(), nullable=False)
    with op.batch_alter_table('credit_list_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_credit_list_entry_review_flagged_on'))
        batch_op.drop_column('public_until')
        batch_op.drop_column('reviewed_on')
        batch_op.drop_column('review_flagged_on')
        batch_op.drop_column('review_note')
