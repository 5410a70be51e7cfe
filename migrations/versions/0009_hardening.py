"""Hardening: random references (former ones kept as aliases), the people each audit event showed.

Revision ID: 0009_hardening
Revises: 0003_two_factor

Reviewed by hand.

- References: the city-wide sequential counter is dropped. Every existing
  sequential reference (`B-2026-004213`) is re-issued as a random one with a check
  symbol (`B-26-7KQ4X-7`, same year), and the old one is kept in
  `beneficiary_former_references` so printed papers still find the person during a
  transition period (search and `flask beneficiaries erase` accept both). Downgrade
  puts the former references back and rebuilds the counter from them; people
  registered after the upgrade keep their random reference.
- `audit_event_subjects` is append-only like `audit_events` (triggers refuse UPDATE
  and DELETE). Existing events get no digest and hash as before.
"""
import re

from alembic import op
import sqlalchemy as sa

from caseapp.beneficiaries.references import new_reference

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


_FORMER = re.compile(r"^B-(\d{4})-(\d+)$")
beneficiaries = sa.table('beneficiaries', sa.column('id', sa.Uuid()), sa.column('reference', sa.String(20)))
former_references = sa.table('beneficiary_former_references', sa.column('reference', sa.String(20)),
                             sa.column('beneficiary_id', sa.Uuid()))


def _reissue_references(connection):
    rows = connection.execute(sa.select(beneficiaries.c.id, beneficiaries.c.reference)).all()
    taken = {reference for _id, reference in rows}
    updates, aliases = [], []
    for beneficiary_id, reference in rows:
        match = _FORMER.match(reference)
        if not match:
            continue
        fresh = new_reference(int(match.group(1)))
        while fresh in taken:
            fresh = new_reference(int(match.group(1)))
        taken.add(fresh)
        updates.append({"b_id": beneficiary_id, "fresh": fresh})
        aliases.append({"reference": reference, "beneficiary_id": beneficiary_id})
    if aliases:
        connection.execute(former_references.insert(), aliases)
        connection.execute(beneficiaries.update().where(beneficiaries.c.id == sa.bindparam("b_id"))
                           .values(reference=sa.bindparam("fresh")), updates)


def _restore_references(connection):
    rows = connection.execute(sa.select(former_references.c.beneficiary_id, former_references.c.reference)).all()
    if rows:
        connection.execute(beneficiaries.update().where(beneficiaries.c.id == sa.bindparam("b_id"))
                           .values(reference=sa.bindparam("former")),
                           [{"b_id": beneficiary_id, "former": reference} for beneficiary_id, reference in rows])
    last = {}
    for _id, reference in rows:
        match = _FORMER.match(reference)
        year, number = int(match.group(1)), int(match.group(2))
        last[year] = max(last.get(year, 0), number)
    return last


def upgrade():
    op.create_table('beneficiary_former_references',
    sa.Column('reference', sa.String(length=20), nullable=False),
    sa.Column('beneficiary_id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['beneficiary_id'], ['beneficiaries.id'], name=op.f('fk_beneficiary_former_references_beneficiary_id_beneficiaries')),
    sa.PrimaryKeyConstraint('reference', name=op.f('pk_beneficiary_former_references'))
    )
    with op.batch_alter_table('beneficiary_former_references', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_beneficiary_former_references_beneficiary_id'), ['beneficiary_id'], unique=False)
    _reissue_references(op.get_bind())
    op.drop_table('beneficiary_reference_counters')

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

    counters = op.create_table('beneficiary_reference_counters',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('last_value', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('year', name=op.f('pk_beneficiary_reference_counters'))
    )
    last = _restore_references(op.get_bind())
    if last:
        op.bulk_insert(counters, [{"year": year, "last_value": value} for year, value in sorted(last.items())])
    with op.batch_alter_table('beneficiary_former_references', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_beneficiary_former_references_beneficiary_id'))
    op.drop_table('beneficiary_former_references')
