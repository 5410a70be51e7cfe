"""A request to the holders remembers a keyed hash of the details asked about.

Revision ID: 0018_inquiry_repeats
Revises: 0017_form_submissions

Reviewed by hand. One nullable column and an index: the same structure asking again about
the same details while its request is open is refused (`inquiries.service.send_inquiry`).
Requests sent before this revision have no key and never block a new one.
"""
from alembic import op
import sqlalchemy as sa


revision = '0018_inquiry_repeats'
down_revision = '0017_form_submissions'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('inquiries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('details_key', sa.String(length=64), nullable=True))
        batch_op.create_index('ix_inquiries_structure_details_created', ['structure_id', 'details_key', 'created_at'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('inquiries', schema=None) as batch_op:
        batch_op.drop_index('ix_inquiries_structure_details_created')
        batch_op.drop_column('details_key')
