"""`flask beneficiaries erase REF`: erasure by an operator (audited, without a user)."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from caseapp.beneficiaries import erasure, queries
from caseapp.beneficiaries.service import BeneficiaryError
from caseapp.extensions import db

beneficiaries_cli = AppGroup("beneficiaries", help="Beneficiaries: erasure.")


@beneficiaries_cli.command("erase")
@click.argument("reference")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def erase_command(reference: str, yes: bool) -> None:
    """Erase a person's data for good (GDPR art. 17): destroys their data key.

    Monthly statistics keep their counts; nothing else of the person remains
    readable, in the database or in its backups.
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
    click.echo(f"Erased {beneficiary.reference}: its data key is destroyed.")

