"""Interpretation: interpreters (with their languages), requests with their history.

Revision ID: 0013_interpretation
Revises: 0006_keyed_audit

Reviewed by hand. New tables only; nothing existing changes.

No double booking is enforced by the database, not only by the service:
- PostgreSQL: an exclusion constraint (btree_gist, for the equality on interpreter_id
  inside a GiST index) refusing two requests of one interpreter, both assigned or
  confirmed, whose [busy_from, busy_until) ranges overlap. btree_gist is a trusted
  extension (PostgreSQL 13+): the database owner may create it.
- SQLite: BEFORE INSERT/UPDATE triggers doing the same check. SQLite has one writer at a
  time, so the check and the write cannot interleave with another booking. Timestamps
  are stored as fixed-width UTC text there, so comparing them as text orders them.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013_interpretation'
down_revision = '0006_keyed_audit'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('interpreters',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('name', sa.String(length=128), nullable=False),
    sa.Column('gender', sa.String(length=8), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('data_key_id', sa.Uuid(), nullable=False),
    sa.Column('phone', sa.LargeBinary(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['data_key_id'], ['data_keys.id'], name=op.f('fk_interpreters_data_key_id_data_keys')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_interpreters_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_interpreters')),
    sa.UniqueConstraint('data_key_id', name=op.f('uq_interpreters_data_key_id')),
    sa.UniqueConstraint('user_id', name=op.f('uq_interpreters_user_id'))
    )
    op.create_table('interpreter_languages',
    sa.Column('interpreter_id', sa.Uuid(), nullable=False),
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.ForeignKeyConstraint(['interpreter_id'], ['interpreters.id'], name=op.f('fk_interpreter_languages_interpreter_id_interpreters'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('interpreter_id', 'code', name=op.f('pk_interpreter_languages'))
    )
    with op.batch_alter_table('interpreter_languages', schema=None) as batch_op:
        batch_op.create_index('ix_interpreter_languages_code', ['code'], unique=False)

    op.create_table('interpretation_requests',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('beneficiary_id', sa.Uuid(), nullable=False),
    sa.Column('case_file_id', sa.Uuid(), nullable=False),
    sa.Column('structure_id', sa.Integer(), nullable=False),
    sa.Column('caseworker_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('language', sa.String(length=16), nullable=False),
    sa.Column('mode', sa.String(length=16), nullable=False),
    sa.Column('purpose', sa.String(length=32), nullable=False),
    sa.Column('escort', sa.Boolean(), nullable=False),
    sa.Column('preferred_gender', sa.String(length=8), nullable=True),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('duration_minutes', sa.Integer(), nullable=False),
    sa.Column('busy_from', sa.DateTime(timezone=True), nullable=False),
    sa.Column('busy_until', sa.DateTime(timezone=True), nullable=False),
    sa.Column('place', sa.LargeBinary(), nullable=True),
    sa.Column('notes', sa.LargeBinary(), nullable=True),
    sa.Column('contact_phone', sa.LargeBinary(), nullable=True),
    sa.Column('interpreter_id', sa.Uuid(), nullable=True),
    sa.Column('assigned_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('assigned_by_id', sa.Integer(), nullable=True),
    sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('confirmed_by_id', sa.Integer(), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_by_id', sa.Integer(), nullable=True),
    sa.Column('delivered_minutes', sa.Integer(), nullable=True),
    sa.Column('cancel_reason', sa.String(length=32), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("status NOT IN ('assigned', 'confirmed', 'completed', 'no_show') OR interpreter_id IS NOT NULL", name=op.f('ck_interpretation_requests_booked_has_interpreter')),
    sa.CheckConstraint('busy_from < busy_until', name=op.f('ck_interpretation_requests_busy_range')),
    sa.CheckConstraint('duration_minutes > 0', name=op.f('ck_interpretation_requests_positive_duration')),
    sa.ForeignKeyConstraint(['assigned_by_id'], ['users.id'], name=op.f('fk_interpretation_requests_assigned_by_id_users')),
    sa.ForeignKeyConstraint(['beneficiary_id'], ['beneficiaries.id'], name=op.f('fk_interpretation_requests_beneficiary_id_beneficiaries')),
    sa.ForeignKeyConstraint(['case_file_id'], ['case_files.id'], name=op.f('fk_interpretation_requests_case_file_id_case_files')),
    sa.ForeignKeyConstraint(['caseworker_id'], ['users.id'], name=op.f('fk_interpretation_requests_caseworker_id_users')),
    sa.ForeignKeyConstraint(['closed_by_id'], ['users.id'], name=op.f('fk_interpretation_requests_closed_by_id_users')),
    sa.ForeignKeyConstraint(['confirmed_by_id'], ['users.id'], name=op.f('fk_interpretation_requests_confirmed_by_id_users')),
    sa.ForeignKeyConstraint(['interpreter_id'], ['interpreters.id'], name=op.f('fk_interpretation_requests_interpreter_id_interpreters')),
    sa.ForeignKeyConstraint(['structure_id'], ['structures.id'], name=op.f('fk_interpretation_requests_structure_id_structures')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_interpretation_requests'))
    )
    with op.batch_alter_table('interpretation_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_interpretation_requests_beneficiary_id'), ['beneficiary_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_interpretation_requests_case_file_id'), ['case_file_id'], unique=False)
        batch_op.create_index('ix_interpretation_requests_interpreter_id_busy_from', ['interpreter_id', 'busy_from'], unique=False)
        batch_op.create_index('ix_interpretation_requests_starts_at', ['starts_at'], unique=False)
        batch_op.create_index('ix_interpretation_requests_structure_id_starts_at', ['structure_id', 'starts_at', 'id'], unique=False)

    op.create_table('interpretation_request_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Uuid(), nullable=False),
    sa.Column('action', sa.String(length=16), nullable=False),
    sa.Column('from_status', sa.String(length=16), nullable=True),
    sa.Column('to_status', sa.String(length=16), nullable=False),
    sa.Column('interpreter_id', sa.Uuid(), nullable=True),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('party', sa.String(length=16), nullable=True),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_interpretation_request_events_actor_id_users')),
    sa.ForeignKeyConstraint(['interpreter_id'], ['interpreters.id'], name=op.f('fk_interpretation_request_events_interpreter_id_interpreters')),
    sa.ForeignKeyConstraint(['request_id'], ['interpretation_requests.id'], name=op.f('fk_interpretation_request_events_request_id_interpretation_requests'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_interpretation_request_events'))
    )
    with op.batch_alter_table('interpretation_request_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_interpretation_request_events_request_id'), ['request_id'], unique=False)

    _create_booking_guard()


ACTIVE = "('assigned', 'confirmed')"
EXCLUSION = "ex_interpretation_requests_no_double_booking"
SQLITE_CHECK = f"""
    SELECT RAISE(ABORT, 'interpreter double-booked')
    WHERE NEW.interpreter_id IS NOT NULL AND NEW.status IN {ACTIVE} AND EXISTS (
        SELECT 1 FROM interpretation_requests AS other
        WHERE other.interpreter_id = NEW.interpreter_id AND other.id != NEW.id
          AND other.status IN {ACTIVE}
          AND other.busy_from < NEW.busy_until AND NEW.busy_from < other.busy_until);
"""
SQLITE_TRIGGERS = ("interpretation_requests_no_double_booking_insert",
                   "interpretation_requests_no_double_booking_update")


def _create_booking_guard():
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
        op.execute(f"""ALTER TABLE interpretation_requests ADD CONSTRAINT {EXCLUSION}
            EXCLUDE USING gist (interpreter_id WITH =, tstzrange(busy_from, busy_until, '[)') WITH &&)
            WHERE (status IN {ACTIVE})""")
    elif dialect == "sqlite":
        op.execute(f"""CREATE TRIGGER {SQLITE_TRIGGERS[0]} BEFORE INSERT ON interpretation_requests
            BEGIN {SQLITE_CHECK} END""")
        op.execute(f"""CREATE TRIGGER {SQLITE_TRIGGERS[1]}
            BEFORE UPDATE OF interpreter_id, status, busy_from, busy_until ON interpretation_requests
            BEGIN {SQLITE_CHECK} END""")


def _drop_booking_guard():
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute(f"ALTER TABLE interpretation_requests DROP CONSTRAINT IF EXISTS {EXCLUSION}")
    elif dialect == "sqlite":
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")


def downgrade():
    _drop_booking_guard()
    with op.batch_alter_table('interpretation_request_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_interpretation_request_events_request_id'))

    op.drop_table('interpretation_request_events')
    with op.batch_alter_table('interpretation_requests', schema=None) as batch_op:
        batch_op.drop_index('ix_interpretation_requests_structure_id_starts_at')
        batch_op.drop_index('ix_interpretation_requests_starts_at')
        batch_op.drop_index('ix_interpretation_requests_interpreter_id_busy_from')
        batch_op.drop_index(batch_op.f('ix_interpretation_requests_case_file_id'))
        batch_op.drop_index(batch_op.f('ix_interpretation_requests_beneficiary_id'))

    op.drop_table('interpretation_requests')
    with op.batch_alter_table('interpreter_languages', schema=None) as batch_op:
        batch_op.drop_index('ix_interpreter_languages_code')

    op.drop_table('interpreter_languages')
    op.drop_table('interpreters')
