import click
from flask.cli import AppGroup

from caseapp.extensions import db
from caseapp.structures.service import load_reference_data

structures_cli = AppGroup("structures", help="Structures and service catalogues.")


@structures_cli.command("load")
def load_command():
    """Load the reference structures, partners and service catalogues (idempotent)."""
    result = load_reference_data()
    db.session.commit()
    if result.changed:
        click.echo(f"Created {result.structures_created} structures and {result.services_created} services.")
    else:
        click.echo("Reference data already up to date; nothing changed.")
