"""Forms saved once: the digests of the forms already saved (caseapp/submissions.py).

Revision ID: 0017_form_submissions
Revises: 0015_partners

New table only; nothing existing changes.
"""
from alembic import op
import sqlalchemy as sa


revision = '0017_form_submissions'
down_revision = '0015_partners'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('form_submissions',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('result_path', sa.String(length=500), nullable=True),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_form_submissions'))
    )
    with op.batch_alter_table('form_submissions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_form_submissions_created_at'), ['created_at'], unique=False)


def downgrade():
    with op.batch_alter_table('form_submissions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_form_submissions_created_at'))
    op.drop_table('form_submissions')
