"""Stays at shelters, their waiting list, and household links.

Revision ID: 0016_stays
Revises: 0010_referrals

Reviewed by hand. New tables only; nothing existing changes. Shelters' bed capacities
come from the reference data (`flask structures load` fills a capacity still empty).

- `stays`: one open stay per person and bed scope (partial unique index, both databases),
  discharge never before admission (check constraint).
- `stay_waiting_entries`: one waiting entry per case file at a time (partial unique index).
- `household_links`: one record of a pair per recording structure.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016_stays'
down_revision = '0010_referrals'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('household_links',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('person_id', sa.Uuid(), nullable=False),
    sa.Column('relative_id', sa.Uuid(), nullable=False),
    sa.Column('relation', sa.String(length=16), nullable=False),
    sa.Column('structure_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('person_id <> relative_id', name=op.f('ck_household_links_two_people')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_household_links_created_by_id_users')),
    sa.ForeignKeyConstraint(['person_id'], ['beneficiaries.id'], name=op.f('fk_household_links_person_id_beneficiaries')),
    sa.ForeignKeyConstraint(['relative_id'], ['beneficiaries.id'], name=op.f('fk_household_links_relative_id_beneficiaries')),
    sa.ForeignKeyConstraint(['structure_id'], ['structures.id'], name=op.f('fk_household_links_structure_id_structures')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_household_links')),
    sa.UniqueConstraint('person_id', 'relative_id', 'structure_id', name='uq_household_links_pair_structure')
    )
    with op.batch_alter_table('household_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_household_links_relative_id'), ['relative_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_household_links_structure_id'), ['structure_id'], unique=False)

    op.create_table('stay_waiting_entries',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('case_file_id', sa.Uuid(), nullable=False),
    sa.Column('beneficiary_id', sa.Uuid(), nullable=False),
    sa.Column('structure_id', sa.Integer(), nullable=False),
    sa.Column('requested_on', sa.Date(), nullable=False),
    sa.Column('beds', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('added_by_id', sa.Integer(), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint('beds >= 1', name=op.f('ck_stay_waiting_entries_at_least_one_bed')),
    sa.ForeignKeyConstraint(['added_by_id'], ['users.id'], name=op.f('fk_stay_waiting_entries_added_by_id_users')),
    sa.ForeignKeyConstraint(['beneficiary_id'], ['beneficiaries.id'], name=op.f('fk_stay_waiting_entries_beneficiary_id_beneficiaries')),
    sa.ForeignKeyConstraint(['case_file_id'], ['case_files.id'], name=op.f('fk_stay_waiting_entries_case_file_id_case_files')),
    sa.ForeignKeyConstraint(['closed_by_id'], ['users.id'], name=op.f('fk_stay_waiting_entries_closed_by_id_users')),
    sa.ForeignKeyConstraint(['structure_id'], ['structures.id'], name=op.f('fk_stay_waiting_entries_structure_id_structures')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stay_waiting_entries'))
    )
    with op.batch_alter_table('stay_waiting_entries', schema=None) as batch_op:
        batch_op.create_index('ix_stay_waiting_entries_structure_id_status', ['structure_id', 'status', 'requested_on'], unique=False)
        batch_op.create_index('uq_stay_waiting_entries_one_waiting', ['case_file_id'], unique=True, sqlite_where=sa.text("status = 'waiting'"), postgresql_where=sa.text("status = 'waiting'"))

    op.create_table('stays',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('case_file_id', sa.Uuid(), nullable=False),
    sa.Column('beneficiary_id', sa.Uuid(), nullable=False),
    sa.Column('structure_id', sa.Integer(), nullable=False),
    sa.Column('bed_scope', sa.Integer(), nullable=False),
    sa.Column('admitted_on', sa.Date(), nullable=False),
    sa.Column('discharged_on', sa.Date(), nullable=True),
    sa.Column('discharge_reason', sa.String(length=32), nullable=True),
    sa.Column('admitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('admitted_by_id', sa.Integer(), nullable=True),
    sa.Column('discharged_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('discharged_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint('discharged_on IS NULL OR discharged_on >= admitted_on', name=op.f('ck_stays_discharge_after_admission')),
    sa.ForeignKeyConstraint(['admitted_by_id'], ['users.id'], name=op.f('fk_stays_admitted_by_id_users')),
    sa.ForeignKeyConstraint(['beneficiary_id'], ['beneficiaries.id'], name=op.f('fk_stays_beneficiary_id_beneficiaries')),
    sa.ForeignKeyConstraint(['case_file_id'], ['case_files.id'], name=op.f('fk_stays_case_file_id_case_files')),
    sa.ForeignKeyConstraint(['discharged_by_id'], ['users.id'], name=op.f('fk_stays_discharged_by_id_users')),
    sa.ForeignKeyConstraint(['structure_id'], ['structures.id'], name=op.f('fk_stays_structure_id_structures')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stays'))
    )
    with op.batch_alter_table('stays', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stays_case_file_id'), ['case_file_id'], unique=False)
        batch_op.create_index('ix_stays_structure_id_admitted_on', ['structure_id', 'admitted_on', 'id'], unique=False)
        batch_op.create_index('uq_stays_one_open_bed', ['beneficiary_id', 'bed_scope'], unique=True, sqlite_where=sa.text('discharged_on IS NULL'), postgresql_where=sa.text('discharged_on IS NULL'))



def downgrade():
    with op.batch_alter_table('stays', schema=None) as batch_op:
        batch_op.drop_index('uq_stays_one_open_bed', sqlite_where=sa.text('discharged_on IS NULL'), postgresql_where=sa.text('discharged_on IS NULL'))
        batch_op.drop_index('ix_stays_structure_id_admitted_on')
        batch_op.drop_index(batch_op.f('ix_stays_case_file_id'))

    op.drop_table('stays')
    with op.batch_alter_table('stay_waiting_entries', schema=None) as batch_op:
        batch_op.drop_index('uq_stay_waiting_entries_one_waiting', sqlite_where=sa.text("status = 'waiting'"), postgresql_where=sa.text("status = 'waiting'"))
        batch_op.drop_index('ix_stay_waiting_entries_structure_id_status')

    op.drop_table('stay_waiting_entries')
    with op.batch_alter_table('household_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_household_links_structure_id'))
        batch_op.drop_index(batch_op.f('ix_household_links_relative_id'))

    op.drop_table('household_links')
