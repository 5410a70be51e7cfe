"""Beneficiaries: data keys, beneficiaries, consent, case files, notes, timeline, erasure.

Generated with `flask db migrate`, then reviewed by hand: only this domain's
tables (plus `data_keys`, which field encryption needs first), grouped
parent before child, names as the naming convention gives them.

Encrypted columns are LargeBinary (version | key id | nonce | ciphertext);
`*_bidx` columns hold truncated blind indexes, never plaintext.

Revision ID: 0002_beneficiaries
Revises: 0001_foundation
Create Date: 2026-11-26 10:55:21.025894

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002_beneficiaries'
down_revision = '0001_foundation'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('data_keys',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('root_key_id', sa.String(length=64), nullable=False),
    sa.Column('wrapped', sa.LargeBinary(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('destroyed_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_data_keys'))
    )
    with op.batch_alter_table('data_keys', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_data_keys_root_key_id'), ['root_key_id'], unique=False)

    op.create_table('beneficiary_reference_counters',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('last_value', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('year', name=op.f('pk_beneficiary_reference_counters'))
    )

    op.create_table('beneficiaries',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('reference', sa.String(length=20), nullable=False),
    sa.Column('data_key_id', sa.Uuid(), nullable=False),
    sa.Column('registered_structure_id', sa.Integer(), nullable=False),
    sa.Column('registered_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('erased_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    # coded, in clear
    sa.Column('sex', sa.String(length=8), nullable=False),
    sa.Column('birth_year', sa.Integer(), nullable=True),
    sa.Column('nationality', sa.String(length=2), nullable=True),
    sa.Column('languages', sa.String(length=255), nullable=False),
    sa.Column('legal_status', sa.String(length=32), nullable=False),
    sa.Column('vulnerabilities', sa.String(length=255), nullable=False),
    # identifying, encrypted
    sa.Column('given_name', sa.LargeBinary(), nullable=True),
    sa.Column('family_name', sa.LargeBinary(), nullable=True),
    sa.Column('family_name_bidx', sa.String(length=16), nullable=True),
    sa.Column('father_name', sa.LargeBinary(), nullable=True),
    sa.Column('mother_name', sa.LargeBinary(), nullable=True),
    sa.Column('birth_date', sa.LargeBinary(), nullable=True),
    sa.Column('birth_date_bidx', sa.String(length=16), nullable=True),
    sa.Column('phone', sa.LargeBinary(), nullable=True),
    sa.Column('phone_bidx', sa.String(length=16), nullable=True),
    sa.Column('email', sa.LargeBinary(), nullable=True),
    sa.Column('address', sa.LargeBinary(), nullable=True),
    sa.Column('document_type', sa.LargeBinary(), nullable=True),
    sa.Column('document_number', sa.LargeBinary(), nullable=True),
    sa.Column('document_number_bidx', sa.String(length=16), nullable=True),
    sa.ForeignKeyConstraint(['data_key_id'], ['data_keys.id'], name=op.f('fk_beneficiaries_data_key_id_data_keys')),
    sa.ForeignKeyConstraint(['registered_by_id'], ['users.id'], name=op.f('fk_beneficiaries_registered_by_id_users')),
    sa.ForeignKeyConstraint(['registered_structure_id'], ['structures.id'], name=op.f('fk_beneficiaries_registered_structure_id_structures')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_beneficiaries_updated_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_beneficiaries')),
    sa.UniqueConstraint('data_key_id', name=op.f('uq_beneficiaries_data_key_id')),
    sa.UniqueConstraint('reference', name=op.f('uq_beneficiaries_reference'))
    )
    with op.batch_alter_table('beneficiaries', schema=None) as batch_op:
        batch_op.create_index('ix_beneficiaries_created_at_id', ['created_at', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_beneficiaries_registered_structure_id'), ['registered_structure_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_beneficiaries_family_name_bidx'), ['family_name_bidx'], unique=False)
        batch_op.create_index(batch_op.f('ix_beneficiaries_birth_date_bidx'), ['birth_date_bidx'], unique=False)
        batch_op.create_index(batch_op.f('ix_beneficiaries_phone_bidx'), ['phone_bidx'], unique=False)
        batch_op.create_index(batch_op.f('ix_beneficiaries_document_number_bidx'), ['document_number_bidx'], unique=False)

    op.create_table('consents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('beneficiary_id', sa.Uuid(), nullable=False),
    sa.Column('purpose', sa.String(length=32), nullable=False),
    sa.Column('given', sa.Boolean(), nullable=False),
    sa.Column('decided_on', sa.Date(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('structure_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['beneficiary_id'], ['beneficiaries.id'], name=op.f('fk_consents_beneficiary_id_beneficiaries')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_consents_recorded_by_id_users')),
    sa.ForeignKeyConstraint(['structure_id'], ['structures.id'], name=op.f('fk_consents_structure_id_structures')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consents'))
    )
    with op.batch_alter_table('consents', schema=None) as batch_op:
        batch_op.create_index('ix_consents_beneficiary_id_purpose', ['beneficiary_id', 'purpose', 'id'], unique=False)

    op.create_table('erasure_requests',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('beneficiary_id', sa.Uuid(), nullable=False),
    sa.Column('structure_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=32), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=False),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['beneficiary_id'], ['beneficiaries.id'], name=op.f('fk_erasure_requests_beneficiary_id_beneficiaries')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_erasure_requests_decided_by_id_users')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_erasure_requests_requested_by_id_users')),
    sa.ForeignKeyConstraint(['structure_id'], ['structures.id'], name=op.f('fk_erasure_requests_structure_id_structures')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_erasure_requests'))
    )
    with op.batch_alter_table('erasure_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_erasure_requests_beneficiary_id'), ['beneficiary_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_erasure_requests_status'), ['status'], unique=False)

    op.create_table('case_files',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('beneficiary_id', sa.Uuid(), nullable=False),
    sa.Column('structure_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('assigned_to_id', sa.Integer(), nullable=True),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('opened_by_id', sa.Integer(), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('close_reason', sa.String(length=32), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['assigned_to_id'], ['users.id'], name=op.f('fk_case_files_assigned_to_id_users')),
    sa.ForeignKeyConstraint(['beneficiary_id'], ['beneficiaries.id'], name=op.f('fk_case_files_beneficiary_id_beneficiaries')),
    sa.ForeignKeyConstraint(['opened_by_id'], ['users.id'], name=op.f('fk_case_files_opened_by_id_users')),
    sa.ForeignKeyConstraint(['structure_id'], ['structures.id'], name=op.f('fk_case_files_structure_id_structures')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_files')),
    sa.UniqueConstraint('beneficiary_id', 'structure_id', name='uq_case_files_beneficiary_structure')
    )
    with op.batch_alter_table('case_files', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_files_assigned_to_id'), ['assigned_to_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_files_structure_id'), ['structure_id'], unique=False)

    op.create_table('case_file_periods',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_file_id', sa.Uuid(), nullable=False),
    sa.Column('opened_on', sa.Date(), nullable=False),
    sa.Column('closed_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['case_file_id'], ['case_files.id'], name=op.f('fk_case_file_periods_case_file_id_case_files')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_file_periods'))
    )
    with op.batch_alter_table('case_file_periods', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_file_periods_case_file_id'), ['case_file_id'], unique=False)

    op.create_table('case_notes',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('case_file_id', sa.Uuid(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('confidential', sa.Boolean(), nullable=False),
    sa.Column('text', sa.LargeBinary(), nullable=True),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_case_notes_author_id_users')),
    sa.ForeignKeyConstraint(['case_file_id'], ['case_files.id'], name=op.f('fk_case_notes_case_file_id_case_files')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_notes'))
    )
    with op.batch_alter_table('case_notes', schema=None) as batch_op:
        batch_op.create_index('ix_case_notes_case_file_id_created_at', ['case_file_id', 'created_at', 'id'], unique=False)

    op.create_table('timeline_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_file_id', sa.Uuid(), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('kind', sa.String(length=48), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('text', sa.String(length=200), nullable=True),
    sa.Column('link', sa.String(length=255), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_timeline_events_actor_id_users')),
    sa.ForeignKeyConstraint(['case_file_id'], ['case_files.id'], name=op.f('fk_timeline_events_case_file_id_case_files')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_timeline_events'))
    )
    with op.batch_alter_table('timeline_events', schema=None) as batch_op:
        batch_op.create_index('ix_timeline_events_case_file_id_occurred_at', ['case_file_id', 'occurred_at', 'id'], unique=False)


def downgrade():
    op.drop_table('timeline_events')
    op.drop_table('case_notes')
    op.drop_table('case_file_periods')
    op.drop_table('case_files')
    op.drop_table('erasure_requests')
    op.drop_table('consents')
    op.drop_table('beneficiaries')
    op.drop_table('beneficiary_reference_counters')
    op.drop_table('data_keys')
