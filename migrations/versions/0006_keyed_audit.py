"""Keyed audit chain marker and root-key lifecycle dates.

Revision ID: 0006_keyed_audit
Revises: 0005_four_eyes_login

Reviewed by hand.

``audit_events.chain_version``: how a row's hash was made. Every row written
before this revision gets 1 (plain SHA-256) through the column's server
default, without an UPDATE (the append-only triggers stay in place and are
not even fired); the app writes 2 (HMAC-SHA256 under the audit key) from now
on. Existing rows are deliberately not re-sealed with the key: that would
rewrite an append-only history and need the audit key inside a migration.
They stay verifiable as they are, and the first keyed event's MAC covers the
last legacy hash, so a legacy row cannot be changed unnoticed once a keyed
event follows it (see caseapp/security/audit.py). The server default stays:
a row inserted without a version is read as legacy, which the verifier
refuses after any keyed row. On SQLite the column is added with a plain
ALTER TABLE (no batch copy), so the table's triggers survive.

``root_keys``: dates of each root key (recorded, released by a rotation,
retired), never key material; filled by the `flask keys` commands.

Downgrade drops both. Keyed events then remain in the table but the previous
code's unkeyed verifier reports them as broken: downgrade only to roll back
a failed deployment, before keyed events matter.
"""
from alembic import op
import sqlalchemy as sa

revision = '0006_keyed_audit'
down_revision = '0005_four_eyes_login'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('audit_events', sa.Column('chain_version', sa.SmallInteger(), nullable=False,
                                            server_default=sa.text('1')))
    op.create_table('root_keys',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('released_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_root_keys'))
    )


def downgrade():
    op.drop_table('root_keys')
    op.drop_column('audit_events', 'chain_version')
