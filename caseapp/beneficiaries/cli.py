"""`flask beneficiaries erase REF`: erasure by an operator (audited, without a user)."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from caseapp.beneficiaries import erasure, queries
from caseapp.beneficiaries.service import BeneficiaryError
from caseapp.dates import local_date
from caseapp.extensions import db

beneficiaries_cli = AppGroup("beneficiaries", help="Beneficiaries: erasure.")


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
        raise click.ClickException(f"No beneficiary with reference {queries.normalise_reference(reference)}.")
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

