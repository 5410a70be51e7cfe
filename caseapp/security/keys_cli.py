"""`flask keys`: key files, key status and root-key rotation."""
from __future__ import annotations

import uuid

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import func, select, update

from caseapp.extensions import db
from caseapp.security import crypto
from caseapp.security.audit import record
from caseapp.security.key_models import DataKey
from caseapp.security.keyring import (
    Keyring,
    KeyringError,
    KeyringUnavailable,
    add_root_key,
    current_keyring,
    generate_key_file,
)

keys_cli = AppGroup("keys", help=(
    "Root keys and data keys. Rotation: `keys generate --add-root`, restart every app "
    "process so it knows the new key, then `keys rotate`."
))


@keys_cli.command("generate")
@click.option("--path", type=click.Path(dir_okay=False), help="Key file (default: CASEAPP_KEY_FILE).")
@click.option("--add-root", is_flag=True, help="Add a new root key to an existing file and make it active.")
def generate_command(path: str | None, add_root: bool) -> None:
    """Create a key file (mode 0600; never overwrites), or add a root key to one."""
    path = path or current_app.config.get("CASEAPP_KEY_FILE")
    if not path:
        raise click.UsageError("no key file: set CASEAPP_KEY_FILE or pass --path")
    try:
        keyring = add_root_key(path) if add_root else generate_key_file(path)
    except KeyringError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"{path}: active root key {keyring.active_id}")
    if add_root:
        click.echo("Restart every app process so it knows the new key, then run `flask keys rotate`.")


def _keyring() -> Keyring:
    try:
        return current_keyring()
    except KeyringUnavailable as exc:
        raise click.ClickException(str(exc)) from None


@keys_cli.command("status")
def status_command() -> None:
    """Active root key, data keys per root key, destroyed data keys."""
    keyring = _keyring()
    live = dict(db.session.execute(
        select(DataKey.root_key_id, func.count()).where(DataKey.wrapped.is_not(None))
        .group_by(DataKey.root_key_id)
    ).all())
    destroyed = db.session.scalar(select(func.count()).select_from(DataKey).where(DataKey.wrapped.is_(None)))
    click.echo(f"Active root key: {keyring.active_id}")
    for key_id in sorted(set(keyring.key_ids) | set(live)):
        notes = [note for flag, note in ((key_id == keyring.active_id, "active"),
                                         (not keyring.has(key_id), "NOT IN KEYRING")) if flag]
        suffix = f" ({', '.join(notes)})" if notes else ""
        click.echo(f"  {key_id}: {live.get(key_id, 0)} data keys{suffix}")
    click.echo(f"Destroyed data keys: {destroyed}")
    if any(key_id != keyring.active_id and count for key_id, count in live.items()):
        click.echo("Some data keys are not under the active root key: run `flask keys rotate`.")


@keys_cli.command("rotate")
@click.option("--batch-size", type=click.IntRange(min=1), default=500, show_default=True)
def rotate_command(batch_size: int) -> None:
    """Re-wrap every data key not under the active root key; field values are untouched.

    Commits after each batch; each row records its root key, so an
    interrupted run simply continues where it stopped when run again.
    """
    keyring = _keyring()
    _refuse_unknown_root_keys(keyring)
    try:
        rewrapped, skipped = _rotate(keyring, batch_size)
    except crypto.DecryptionError as exc:
        _record_failure(keyring)
        raise click.ClickException(
            f"rotation stopped (batches already committed stay re-wrapped): {exc}") from None
    except Exception:
        _record_failure(keyring)
        raise
    record("keys.rotate", object_type="root_key", object_id=keyring.active_id)
    db.session.commit()
    click.echo(f"Re-wrapped {rewrapped} data keys under {keyring.active_id}"
               + (f"; {skipped} changed meanwhile and were left as they are" if skipped else "") + ".")


def _record_failure(keyring: Keyring) -> None:
    db.session.rollback()
    record("keys.rotate", object_type="root_key", object_id=keyring.active_id, outcome="error")
    db.session.commit()


def _refuse_unknown_root_keys(keyring: Keyring) -> None:
    in_use = db.session.scalars(
        select(DataKey.root_key_id).where(DataKey.wrapped.is_not(None)).distinct()
    ).all()
    unknown = sorted(set(in_use) - set(keyring.key_ids))
    if unknown:
        raise click.ClickException(
            f"data keys are wrapped under root key(s) missing from the keyring: {', '.join(unknown)}"
        )


def _rotate(keyring: Keyring, batch_size: int) -> tuple[int, int]:
    rewrapped = skipped = 0
    after: uuid.UUID | None = None
    while batch := _next_batch(keyring, after, batch_size):
        for key_id, root_key_id, wrapped in batch:
            if _rewrap_row(keyring, key_id, root_key_id, bytes(wrapped)):
                rewrapped += 1
            else:
                skipped += 1
        db.session.commit()
        after = batch[-1][0]
        click.echo(f"  ... {rewrapped} re-wrapped")
    return rewrapped, skipped


def _next_batch(keyring: Keyring, after: uuid.UUID | None, size: int):
    query = (select(DataKey.id, DataKey.root_key_id, DataKey.wrapped)
             .where(DataKey.wrapped.is_not(None), DataKey.root_key_id != keyring.active_id)
             .order_by(DataKey.id).limit(size))
    if after is not None:
        query = query.where(DataKey.id > after)
    return db.session.execute(query).all()


def _rewrap_row(keyring: Keyring, key_id: uuid.UUID, root_key_id: str, wrapped: bytes) -> bool:
    """Compare-and-swap: a key destroyed (or re-wrapped) meanwhile is left alone.

    Without the condition, a rotation racing an erasure could write the
    wrapped key back and undo the erasure.
    """
    new_wrapped = crypto.rewrap_key(keyring, wrapped, key_id)
    result = db.session.execute(
        update(DataKey)
        .where(DataKey.id == key_id, DataKey.root_key_id == root_key_id, DataKey.wrapped == wrapped)
        .values(wrapped=new_wrapped, root_key_id=keyring.active_id)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1
