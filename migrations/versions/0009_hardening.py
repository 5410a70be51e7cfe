"""Hardening: random references (former ones kept as aliases), the people each audit event showed.

Revision ID: 0009_hardening
Revises: 0004_name_keys_phones

Reviewed by hand.

- References: the city-wide sequential counter is dropped. Every existing
  sequential reference (`B-2026-004213`) is re-issued as a random one with a check
  symbol (`B-26-7KQ4X-7`, same year), and the old one is kept in
  `beneficiary_former_references` so printed papers still find the person during a
  transition period (search and `flask beneficiaries erase` accept both). Downgrade
  puts the former references back and rebuilds the counter from them; people
  registered after the upgrade keep their random reference.
- Erased people: their row no longer keeps sex, birth year, nationality, legal
  status (nor languages and vulnerabilities, already cleared), so none of them can
  be singled out among the erased of a small structure; what they counted for in
  each month is frozen in `erased_monthly_counts` (per structure, month, sex, age
  band), which the monthly statistics add back. People erased before this
  migration are frozen and cleared here; downgrade cannot bring their attributes
  back (it keeps them cleared and drops the counts).
- `audit_event_subjects` is append-only like `audit_events` (triggers refuse UPDATE
  and DELETE). Existing events get no digest and hash as before.
"""
import re
from collections import Counter

from alembic import op
import sqlalchemy as sa

from caseapp.beneficiaries.references import new_reference
from caseapp.beneficiaries.stats import erased_cells
from caseapp.dates import local_today
from caseapp.models_base import UTCDateTime

revision = '0009_hardening'
down_revision = '0004_name_keys_phones'
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


people = sa.table('beneficiaries', sa.column('id', sa.Uuid()), sa.column('registered_structure_id', sa.Integer()),
                  sa.column('created_at', UTCDateTime()), sa.column('erased_at', UTCDateTime()),
                  sa.column('sex', sa.String(8)), sa.column('birth_year', sa.Integer()),
                  sa.column('nationality', sa.String(2)), sa.column('legal_status', sa.String(32)))
case_files = sa.table('case_files', sa.column('id', sa.Uuid()), sa.column('beneficiary_id', sa.Uuid()),
                      sa.column('structure_id', sa.Integer()))
periods = sa.table('case_file_periods', sa.column('case_file_id', sa.Uuid()), sa.column('opened_on', sa.Date()),
                   sa.column('closed_on', sa.Date()))


def _freeze_people_erased_before(connection, counts_table):
    erased = connection.execute(sa.select(people).where(people.c.erased_at.is_not(None))).mappings().all()
    if not erased:
        return
    held = {}
    for beneficiary_id, structure_id, opened_on, closed_on in connection.execute(
            sa.select(case_files.c.beneficiary_id, case_files.c.structure_id, periods.c.opened_on, periods.c.closed_on)
            .join(periods, periods.c.case_file_id == case_files.c.id)
            .where(case_files.c.beneficiary_id.in_([p["id"] for p in erased]))):
        held.setdefault(beneficiary_id, []).append((structure_id, opened_on, closed_on))
    totals = Counter()
    for person in erased:
        for cell in erased_cells(registered_structure_id=person["registered_structure_id"],
                                 created_at=person["created_at"], sex=person["sex"],
                                 birth_year=person["birth_year"], periods=held.get(person["id"], []),
                                 today=local_today()):
            totals[(cell["structure_id"], cell["month"], cell["measure"], cell["sex"], cell["age_band"])] += 1
    op.bulk_insert(counts_table, [
        {"structure_id": s, "month": m, "measure": measure, "sex": sex, "age_band": band, "people": n}
        for (s, m, measure, sex, band), n in sorted(totals.items())])
    connection.execute(people.update().where(people.c.erased_at.is_not(None)).values(
        sex="unknown", birth_year=None, nationality=None, legal_status="unknown"))


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

    counts = op.create_table('erased_monthly_counts',
    sa.Column('structure_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('measure', sa.String(length=16), nullable=False),
    sa.Column('sex', sa.String(length=8), nullable=False),
    sa.Column('age_band', sa.String(length=8), nullable=False),
    sa.Column('people', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['structure_id'], ['structures.id'], name=op.f('fk_erased_monthly_counts_structure_id_structures')),
    sa.PrimaryKeyConstraint('structure_id', 'month', 'measure', 'sex', 'age_band', name=op.f('pk_erased_monthly_counts'))
    )
    _freeze_people_erased_before(op.get_bind(), counts)

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
    op.drop_table('erased_monthly_counts')
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
