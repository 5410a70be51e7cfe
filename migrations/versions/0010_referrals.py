"""Referrals between structures and to partners: referrals, their history, working-day overrides.

Revision ID: 0010_referrals
Revises: 0009_hardening

Reviewed by hand. New tables only; nothing existing changes.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010_referrals'
down_revision = '0009_hardening'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('working_day_overrides',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('working', sa.Boolean(), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_working_day_overrides_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_working_day_overrides')),
    sa.UniqueConstraint('day', name=op.f('uq_working_day_overrides_day'))
    )
    op.create_table('referrals',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('beneficiary_id', sa.Uuid(), nullable=False),
    sa.Column('case_file_id', sa.Uuid(), nullable=False),
    sa.Column('from_structure_id', sa.Integer(), nullable=False),
    sa.Column('to_structure_id', sa.Integer(), nullable=False),
    sa.Column('service_id', sa.Integer(), nullable=False),
    sa.Column('receiving_case_file_id', sa.Uuid(), nullable=True),
    sa.Column('plan_action_id', sa.Uuid(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('urgency', sa.String(length=16), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('sent_on', sa.Date(), nullable=True),
    sa.Column('answered_on', sa.Date(), nullable=True),
    sa.Column('days_to_answer', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('sent_by_id', sa.Integer(), nullable=True),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('answered_by_id', sa.Integer(), nullable=True),
    sa.Column('answered_for_partner', sa.Boolean(), nullable=False),
    sa.Column('answer_channel', sa.String(length=16), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_by_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.LargeBinary(), nullable=True),
    sa.Column('decline_reason', sa.LargeBinary(), nullable=True),
    sa.Column('outcome', sa.LargeBinary(), nullable=True),
    sa.Column('withdraw_reason', sa.LargeBinary(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['answered_by_id'], ['users.id'], name=op.f('fk_referrals_answered_by_id_users')),
    sa.ForeignKeyConstraint(['beneficiary_id'], ['beneficiaries.id'], name=op.f('fk_referrals_beneficiary_id_beneficiaries')),
    sa.ForeignKeyConstraint(['case_file_id'], ['case_files.id'], name=op.f('fk_referrals_case_file_id_case_files')),
    sa.ForeignKeyConstraint(['closed_by_id'], ['users.id'], name=op.f('fk_referrals_closed_by_id_users')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_referrals_created_by_id_users')),
    sa.ForeignKeyConstraint(['from_structure_id'], ['structures.id'], name=op.f('fk_referrals_from_structure_id_structures')),
    sa.ForeignKeyConstraint(['receiving_case_file_id'], ['case_files.id'], name=op.f('fk_referrals_receiving_case_file_id_case_files')),
    sa.ForeignKeyConstraint(['sent_by_id'], ['users.id'], name=op.f('fk_referrals_sent_by_id_users')),
    sa.ForeignKeyConstraint(['service_id'], ['services.id'], name=op.f('fk_referrals_service_id_services')),
    sa.ForeignKeyConstraint(['to_structure_id'], ['structures.id'], name=op.f('fk_referrals_to_structure_id_structures')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_referrals'))
    )
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_referrals_beneficiary_id'), ['beneficiary_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_referrals_case_file_id'), ['case_file_id'], unique=False)
        batch_op.create_index('ix_referrals_from_structure_id_created_at', ['from_structure_id', 'created_at', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_referrals_plan_action_id'), ['plan_action_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_referrals_receiving_case_file_id'), ['receiving_case_file_id'], unique=False)
        batch_op.create_index('ix_referrals_status_due_on', ['status', 'due_on'], unique=False)
        batch_op.create_index('ix_referrals_to_structure_id_created_at', ['to_structure_id', 'created_at', 'id'], unique=False)

    op.create_table('referral_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('referral_id', sa.Uuid(), nullable=False),
    sa.Column('action', sa.String(length=16), nullable=False),
    sa.Column('from_status', sa.String(length=16), nullable=True),
    sa.Column('to_status', sa.String(length=16), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('party', sa.String(length=16), nullable=True),
    sa.Column('channel', sa.String(length=16), nullable=True),
    sa.Column('answered_on', sa.Date(), nullable=True),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_referral_events_actor_id_users')),
    sa.ForeignKeyConstraint(['referral_id'], ['referrals.id'], name=op.f('fk_referral_events_referral_id_referrals'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_referral_events'))
    )
    with op.batch_alter_table('referral_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_referral_events_referral_id'), ['referral_id'], unique=False)



def downgrade():
    with op.batch_alter_table('referral_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_referral_events_referral_id'))

    op.drop_table('referral_events')
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.drop_index('ix_referrals_to_structure_id_created_at')
        batch_op.drop_index('ix_referrals_status_due_on')
        batch_op.drop_index(batch_op.f('ix_referrals_receiving_case_file_id'))
        batch_op.drop_index(batch_op.f('ix_referrals_plan_action_id'))
        batch_op.drop_index('ix_referrals_from_structure_id_created_at')
        batch_op.drop_index(batch_op.f('ix_referrals_case_file_id'))
        batch_op.drop_index(batch_op.f('ix_referrals_beneficiary_id'))

    op.drop_table('referrals')
    op.drop_table('working_day_overrides')
