"""`flask beneficiaries erase REF`: erasure by an operator (audited, without a user).
`flask beneficiaries reindex`: recompute the blind indexes (after BLIND_INDEX_EXPECTED_ROWS changes)."""
from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import bindparam, select, update

from caseapp.beneficiaries import erasure, queries
from caseapp.beneficiaries.models import Beneficiary
from caseapp.beneficiaries.service import BeneficiaryError
from caseapp.dates import local_date
from caseapp.extensions import db
from caseapp.security.audit import record
from caseapp.security.encrypted import index_values

beneficiaries_cli = AppGroup("beneficiaries", help="Beneficiaries: erasure, search indexes.")


@beneficiaries_cli.command("erase")
@click.argument("reference")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def erase_command(reference: str, yes: bool) -> None:
    """Erase a person's data (GDPR art. 17): destroys their data key.

    From the live database at once: nothing of the person decrypts there any
    more; monthly statistics keep their counts. Backups made before stay
    readable until the root keys the command names are retired (`flask keys
    retire`), at the latest on the date it prints if the key schedule is kept;
    the command says how to bring that date forward.
    """
    beneficiary = queries.beneficiary_by_reference(reference)
    if beneficiary is None:
        raise click.ClickException(f"No beneficiary with reference {reference}.")
    if not yes:
        click.confirm(f"Erase {beneficiary.reference} for good? This cannot be undone", abort=True)
    try:
        erasure.erase_beneficiary(beneficiary)
    except BeneficiaryError as error:
        raise click.ClickException(str(error.message)) from None
    db.session.commit()
    horizon = erasure.backup_horizon()
    click.echo(
        f"Erased {beneficiary.reference} from the live database now: its data key is destroyed.\n"
        f"Backups made before now still hold it, wrapped under root key(s) {', '.join(horizon.root_key_ids)}; "
        f"they stop being readable once those keys are retired: at the latest on {_day(horizon.unreadable_by)} "
        f"if the key schedule is kept (a new root key every {horizon.schedule.rotation.days} days, "
        f"backups kept {horizon.schedule.retention.days} days).\n"
        f"To make that {_day(horizon.if_rotated_now)}, rotate now: `flask keys generate --add-root`, restart "
        f"every app process, `flask keys rotate`; `flask keys retire` then destroys the old keys when due."
    )


def _day(moment) -> str:
    return local_date(moment).isoformat()



@beneficiaries_cli.command("reindex")
@click.option("--batch-size", default=500, show_default=True, type=click.IntRange(min=1),
              help="People per transaction.")
def reindex_command(batch_size: int) -> None:
    """Recompute every person's blind indexes from their decrypted values.

    Needed after changing BLIND_INDEX_EXPECTED_ROWS (index sizes follow it)
    or the index key; a batch per transaction, so it is safe to interrupt
    and run again. Versions are not bumped: open edit forms stay valid.
    Audited, with counts only.
    """
    table = Beneficiary.__table__
    after, seen, changed = None, 0, 0
    while True:
        stmt = select(Beneficiary).where(Beneficiary.erased_at.is_(None)).order_by(Beneficiary.id).limit(batch_size)
        batch = db.session.execute(stmt if after is None else stmt.where(Beneficiary.id > after)).scalars().all()
        if not batch:
            break
        updates = []
        for beneficiary in batch:
            values = index_values(beneficiary)
            if any(getattr(beneficiary, attr) != value for attr, value in values.items()):
                updates.append({"row_id": beneficiary.id, **values})
        if updates:
            db.session.execute(update(table).where(table.c.id == bindparam("row_id")),
                               updates)
        after, seen, changed = batch[-1].id, seen + len(batch), changed + len(updates)
        db.session.commit()
    record("beneficiaries.reindex", object_type="beneficiary_index", outcome="ok")
    db.session.commit()
    click.echo(f"Recomputed the blind indexes of {seen} people; {changed} had changed.")
