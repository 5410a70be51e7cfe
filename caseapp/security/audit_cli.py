"""`flask audit verify` and `flask audit checkpoint`: the keyed chain against its signed checkpoints."""
import sys

import click
from flask.cli import AppGroup

from caseapp.security.audit_checkpoints import CheckpointDirectoryMissing, describe, verify
from caseapp.security.keyring import KeyringUnavailable

audit_cli = AppGroup("audit", help="The audit log: keyed hash chain and signed checkpoints outside the database.")


def _run(full: bool) -> None:
    try:
        result = verify(full=full)
    except (KeyringUnavailable, CheckpointDirectoryMissing) as exc:
        raise click.ClickException(str(exc)) from None
    lines = describe(result)
    if result.ok:
        click.echo("\n".join(lines))
        return
    click.echo("\n".join(lines), err=True)
    sys.exit(1)


@audit_cli.command("verify")
def verify_command():
    """Check every event (HMAC chain) against every checkpoint, then write a checkpoint.

    Exits 1 and names the first broken event when an event was edited, deleted
    or re-sealed, when the newest events are gone (truncation, against the
    checkpoints), or when a checkpoint file fails authentication.
    """
    _run(full=True)


@audit_cli.command("checkpoint")
def checkpoint_command():
    """Write a signed checkpoint to AUDIT_CHECKPOINT_DIR (run it from cron, e.g. hourly).

    Confirms the newest checkpoint and checks the events after it first;
    exits 1 (writing nothing) when they do not hold.
    """
    _run(full=False)
