"""Two-step verification: TOTP secrets (sealed under a per-user data key) and pending login sessions.

Revision ID: 0003_two_factor
Revises: 0002_beneficiaries

Reviewed by hand: the new NOT NULL flags get a server default so existing
users and sessions are migrated as "no second factor" / "not pending".
"""
from alembic import op
import sqlalchemy as sa

revision = '0003_two_factor'
down_revision = '0002_beneficiaries'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('auth_sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('second_factor_pending', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('totp_key_id', sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column('totp_secret', sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column('totp_enabled', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('totp_last_step', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_users_totp_key_id_data_keys'), 'data_keys',
                                    ['totp_key_id'], ['id'])


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_users_totp_key_id_data_keys'), type_='foreignkey')
        batch_op.drop_column('totp_last_step')
        batch_op.drop_column('totp_enabled')
        batch_op.drop_column('totp_secret')
        batch_op.drop_column('totp_key_id')

    with op.batch_alter_table('auth_sessions', schema=None) as batch_op:
        batch_op.drop_column('second_factor_pending')
