import sys

import click
from flask.cli import AppGroup

from caseapp.security.audit import verify_chain

audit_cli = AppGroup("audit", help="The audit log.")


@audit_cli.command("verify")
def verify_command():
    """Check the hash chain; name the first broken row and exit 1 if any."""
    report = verify_chain()
    if report.ok:
        click.echo(f"Audit chain intact: {report.checked} events verified.")
        return
    click.echo(f"Audit chain BROKEN at event id {report.broken_at}: {report.problem} "
               f"({report.checked} events verified before it).", err=True)
    sys.exit(1)
