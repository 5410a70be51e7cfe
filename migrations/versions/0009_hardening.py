"""Hardening: the people each audit event showed (covered by the hash chain).

Revision ID: 0009_hardening
Revises: 0003_two_factor

Reviewed by hand. `audit_event_subjects` is append-only like `audit_events`
(triggers refuse UPDATE and DELETE). Existing events get no digest and hash as before.
"""
from alembic import op
import sqlalchemy as sa

revision = '0009_hardening'
down_revision = '0003_two_factor'
branch_labels = None
depends_on = None

SUBJECT_TRIGGERS = {
    "postgresql": [
        """CREATE FUNCTION audit_event_subjects_append_only() RETURNS trigger AS $$
           BEGIN RAISE EXCEPTION 'audit_event_subjects is append-only'; END;
           $$ LANGUAGE plpgsql""",
        """CREATE TRIGGER audit_event_subjects_append_only BEFORE UPDATE OR DELETE ON audit_event_subjects
           FOR EACH ROW EXECUTE FUNCTION audit_event_subjects_append_only()""",
    ],
    "sqlite": [
        """CREATE TRIGGER audit_event_subjects_no_update BEFORE UPDATE ON audit_event_subjects
           BEGIN SELECT RAISE(ABORT, 'audit_event_subjects is append-only'); END""",
        """CREATE TRIGGER audit_event_subjects_no_delete BEFORE DELETE ON audit_event_subjects
           BEGIN SELECT RAISE(ABORT, 'audit_event_subjects is append-only'); END""",
    ],
}
DROP_SUBJECT_TRIGGERS = {
    "postgresql": ["DROP TRIGGER IF EXISTS audit_event_subjects_append_only ON audit_event_subjects",
                   "DROP FUNCTION IF EXISTS audit_event_subjects_append_only()"],
    "sqlite": ["DROP TRIGGER IF EXISTS audit_event_subjects_no_update",
               "DROP TRIGGER IF EXISTS audit_event_subjects_no_delete"],
}


def _run_for_dialect(statements):
    for statement in statements.get(op.get_bind().dialect.name, []):
        op.execute(statement)


def upgrade():
    # audit_events is append-only (triggers refuse UPDATE); adding a nullable column updates no row.
    op.add_column('audit_events', sa.Column('subjects_digest', sa.String(length=64), nullable=True))
    op.create_table('audit_event_subjects',
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('beneficiary_id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['audit_events.id'], name=op.f('fk_audit_event_subjects_event_id_audit_events')),
    sa.PrimaryKeyConstraint('event_id', 'beneficiary_id', name=op.f('pk_audit_event_subjects'))
    )
    with op.batch_alter_table('audit_event_subjects', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_event_subjects_beneficiary_id'), ['beneficiary_id'], unique=False)
    _run_for_dialect(SUBJECT_TRIGGERS)


def downgrade():
    _run_for_dialect(DROP_SUBJECT_TRIGGERS)
    with op.batch_alter_table('audit_event_subjects', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_event_subjects_beneficiary_id'))
    op.drop_table('audit_event_subjects')
    op.drop_column('audit_events', 'subjects_digest')
