import sys

import click
from flask.cli import AppGroup

from caseapp.auth import service
from caseapp.extensions import db
from caseapp.security.permissions import Role

users_cli = AppGroup("users", help="User accounts.")


def _read_password() -> str:
    if sys.stdin.isatty():
        return click.prompt("Password", hide_input=True, confirmation_prompt=True)
    return sys.stdin.readline().rstrip("\r\n")


@users_cli.command("create")
@click.argument("username")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--structure", "structures", multiple=True, help="Structure code; repeat for several.")
@click.option("--name", "display_name", default=None, help="Full name (defaults to the username).")
def create_command(username, role, structures, display_name):
    """Create a user; the password is read from standard input or prompted for.

    The operator at the server is not asked for four eyes: confidential structures
    (SHELTER-W, GBV-CC) are granted at once and audited as access.grant/operator. This is how
    the first supervisor of a confidential structure is made.
    """
    password = _read_password()
    try:
        user = service.create_user(username=username, display_name=display_name or username, role=role,
                                   password=password, structure_codes=structures)
    except service.UserError as error:
        raise click.ClickException(f"{error.field}: {error.message}") from None
    db.session.commit()
    click.echo(f"Created user {user.username} ({user.role}).")
    for structure in user.confidential_structures:
        click.echo(f"{structure.code} is confidential: granted by the operator, without a supervisor's "
                   "confirmation; recorded in the audit log.")
