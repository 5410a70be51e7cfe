"""Individual action plans: plans, their revisions (with who edited them and their history),
goals and actions.

Revision ID: 0012_plans
Revises: 0008_language_tags

Reviewed by hand. New tables only; nothing existing changes. Goal and action texts and
review comments are ciphertext (LargeBinary) sealed under the person's data key.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012_plans'
down_revision = '0008_language_tags'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('plans',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('case_file_id', sa.Uuid(), nullable=False),
    sa.Column('beneficiary_id', sa.Uuid(), nullable=False),
    sa.Column('structure_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['beneficiary_id'], ['beneficiaries.id'], name=op.f('fk_plans_beneficiary_id_beneficiaries')),
    sa.ForeignKeyConstraint(['case_file_id'], ['case_files.id'], name=op.f('fk_plans_case_file_id_case_files')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_plans_created_by_id_users')),
    sa.ForeignKeyConstraint(['structure_id'], ['structures.id'], name=op.f('fk_plans_structure_id_structures')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plans')),
    sa.UniqueConstraint('case_file_id', name=op.f('uq_plans_case_file_id'))
    )
    with op.batch_alter_table('plans', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plans_beneficiary_id'), ['beneficiary_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_plans_structure_id'), ['structure_id'], unique=False)

    op.create_table('plan_revisions',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('plan_id', sa.Uuid(), nullable=False),
    sa.Column('structure_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=24), nullable=False),
    sa.Column('based_on_id', sa.Uuid(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('approved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('review_on', sa.Date(), nullable=True),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ended_on', sa.Date(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['based_on_id'], ['plan_revisions.id'], name=op.f('fk_plan_revisions_based_on_id_plan_revisions')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_plan_revisions_created_by_id_users')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_plan_revisions_decided_by_id_users')),
    sa.ForeignKeyConstraint(['plan_id'], ['plans.id'], name=op.f('fk_plan_revisions_plan_id_plans')),
    sa.ForeignKeyConstraint(['structure_id'], ['structures.id'], name=op.f('fk_plan_revisions_structure_id_structures')),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['users.id'], name=op.f('fk_plan_revisions_submitted_by_id_users')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_plan_revisions_updated_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_revisions')),
    sa.UniqueConstraint('plan_id', 'number', name='uq_plan_revisions_plan_number')
    )
    with op.batch_alter_table('plan_revisions', schema=None) as batch_op:
        batch_op.create_index('ix_plan_revisions_status_review_on', ['status', 'review_on'], unique=False)
        batch_op.create_index('ix_plan_revisions_status_submitted_at', ['status', 'submitted_at', 'id'], unique=False)
        batch_op.create_index('ix_plan_revisions_structure_id_status', ['structure_id', 'status'], unique=False)

    op.create_table('plan_events',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('revision_id', sa.Uuid(), nullable=False),
    sa.Column('structure_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=24), nullable=False),
    sa.Column('from_status', sa.String(length=24), nullable=True),
    sa.Column('to_status', sa.String(length=24), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('comment', sa.LargeBinary(), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_plan_events_actor_id_users')),
    sa.ForeignKeyConstraint(['revision_id'], ['plan_revisions.id'], name=op.f('fk_plan_events_revision_id_plan_revisions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['structure_id'], ['structures.id'], name=op.f('fk_plan_events_structure_id_structures')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_events'))
    )
    with op.batch_alter_table('plan_events', schema=None) as batch_op:
        batch_op.create_index('ix_plan_events_action_occurred_at', ['action', 'occurred_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_plan_events_revision_id'), ['revision_id'], unique=False)

    op.create_table('plan_goals',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('revision_id', sa.Uuid(), nullable=False),
    sa.Column('key', sa.Uuid(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('domain', sa.String(length=16), nullable=False),
    sa.Column('title', sa.LargeBinary(), nullable=True),
    sa.Column('description', sa.LargeBinary(), nullable=True),
    sa.ForeignKeyConstraint(['revision_id'], ['plan_revisions.id'], name=op.f('fk_plan_goals_revision_id_plan_revisions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_goals'))
    )
    with op.batch_alter_table('plan_goals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_goals_revision_id'), ['revision_id'], unique=False)

    op.create_table('plan_revision_editors',
    sa.Column('revision_id', sa.Uuid(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['revision_id'], ['plan_revisions.id'], name=op.f('fk_plan_revision_editors_revision_id_plan_revisions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_plan_revision_editors_user_id_users')),
    sa.PrimaryKeyConstraint('revision_id', 'user_id', name=op.f('pk_plan_revision_editors'))
    )
    op.create_table('plan_actions',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('goal_id', sa.Uuid(), nullable=False),
    sa.Column('revision_id', sa.Uuid(), nullable=False),
    sa.Column('key', sa.Uuid(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('description', sa.LargeBinary(), nullable=True),
    sa.Column('responsible_kind', sa.String(length=16), nullable=False),
    sa.Column('responsible_user_id', sa.Integer(), nullable=True),
    sa.Column('responsible_structure_id', sa.Integer(), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('done_on', sa.Date(), nullable=True),
    sa.Column('status_changed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['goal_id'], ['plan_goals.id'], name=op.f('fk_plan_actions_goal_id_plan_goals'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['responsible_structure_id'], ['structures.id'], name=op.f('fk_plan_actions_responsible_structure_id_structures')),
    sa.ForeignKeyConstraint(['responsible_user_id'], ['users.id'], name=op.f('fk_plan_actions_responsible_user_id_users')),
    sa.ForeignKeyConstraint(['revision_id'], ['plan_revisions.id'], name=op.f('fk_plan_actions_revision_id_plan_revisions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_actions'))
    )
    with op.batch_alter_table('plan_actions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_actions_goal_id'), ['goal_id'], unique=False)
        batch_op.create_index('ix_plan_actions_key', ['key'], unique=False)
        batch_op.create_index('ix_plan_actions_revision_id_due_on', ['revision_id', 'due_on'], unique=False)



def downgrade():
    with op.batch_alter_table('plan_actions', schema=None) as batch_op:
        batch_op.drop_index('ix_plan_actions_revision_id_due_on')
        batch_op.drop_index('ix_plan_actions_key')
        batch_op.drop_index(batch_op.f('ix_plan_actions_goal_id'))

    op.drop_table('plan_actions')
    op.drop_table('plan_revision_editors')
    with op.batch_alter_table('plan_goals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_goals_revision_id'))

    op.drop_table('plan_goals')
    with op.batch_alter_table('plan_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_events_revision_id'))
        batch_op.drop_index('ix_plan_events_action_occurred_at')

    op.drop_table('plan_events')
    with op.batch_alter_table('plan_revisions', schema=None) as batch_op:
        batch_op.drop_index('ix_plan_revisions_structure_id_status')
        batch_op.drop_index('ix_plan_revisions_status_submitted_at')
        batch_op.drop_index('ix_plan_revisions_status_review_on')

    op.drop_table('plan_revisions')
    with op.batch_alter_table('plans', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plans_structure_id'))
        batch_op.drop_index(batch_op.f('ix_plans_beneficiary_id'))

    op.drop_table('plans')
