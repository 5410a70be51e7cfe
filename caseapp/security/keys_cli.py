"""`flask keys`: key files, key status, root-key rotation and retirement.

Rotation and retirement are what make an erasure reach the backups
(`caseapp.security.key_schedule`): after `flask keys rotate` no live data key
needs the old root keys; once the backup retention period has passed since,
`flask keys retire` destroys them, and every backup that needed them becomes
unreadable.
"""
from __future__ import annotations

import sys
import uuid
from collections import Counter
from datetime import datetime

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select, update

from caseapp.extensions import db
from caseapp.models_base import utcnow
from caseapp.security import crypto, key_schedule
from caseapp.security.audit import record
from caseapp.security.key_models import DataKey
from caseapp.security.keyring import (
    Keyring,
    KeyringError,
    KeyringUnavailable,
    add_audit_key as add_audit_key_to_file,
    add_root_key,
    current_keyring,
    generate_key_file,
    remove_root_keys,
)

keys_cli = AppGroup("keys", help=(
    "Root keys and data keys. Rotation: `keys generate --add-root`, restart every app "
    "process so it knows the new key, then `keys rotate`; `keys retire` destroys old root "
    "keys once no retained backup needs them."
))


def _when(moment: datetime | None) -> str:
    return "-" if moment is None else f"{moment:%Y-%m-%d %H:%M} UTC"


@keys_cli.command("generate")
@click.option("--path", type=click.Path(dir_okay=False), help="Key file (default: CASEAPP_KEY_FILE).")
@click.option("--add-root", is_flag=True, help="Add a new root key to an existing file and make it active.")
@click.option("--add-audit-key", is_flag=True, help="Add the audit key to a key file written before it existed.")
def generate_command(path: str | None, add_root: bool, add_audit_key: bool) -> None:
    """Create a key file (root, index and audit keys; mode 0600; never overwrites), or add a key to one."""
    path = path or current_app.config.get("CASEAPP_KEY_FILE")
    if not path:
        raise click.UsageError("no key file: set CASEAPP_KEY_FILE or pass --path")
    if add_root and add_audit_key:
        raise click.UsageError("give --add-root or --add-audit-key, not both")
    action = add_root_key if add_root else add_audit_key_to_file if add_audit_key else generate_key_file
    try:
        keyring = action(path)
    except KeyringError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"{path}: active root key {keyring.active_id}")
    if add_root:
        click.echo("Restart every app process so it knows the new key, then run `flask keys rotate`.")
    if add_audit_key:
        click.echo("Audit key added. Restart every app process so it seals new audit events with it.")


def _keyring() -> Keyring:
    try:
        return current_keyring()
    except KeyringUnavailable as exc:
        raise click.ClickException(str(exc)) from None


@keys_cli.command("status")
@click.option("--check", is_flag=True,
              help="Exit 1 when a rotation is due (schedule or erasure) or a root key can be retired (monitoring).")
def status_command(check: bool) -> None:
    """Root keys (data keys under each, release and retirement dates), the schedule, destroyed data keys."""
    keyring = _keyring()
    now = utcnow()
    known = key_schedule.sync_records(keyring, now)
    db.session.commit()
    schedule = key_schedule.Schedule.from_config()
    states = key_schedule.key_states(keyring, now)
    due = key_schedule.rotation_due(keyring, known, schedule, now)
    active_record = known[keyring.active_id]
    click.echo(f"Active root key: {keyring.active_id} (recorded {_when(active_record.recorded_at)}; "
               f"next rotation due by {_when(due)})")
    for state in states:
        _echo_state(state, now)
    destroyed = db.session.scalar(select(db.func.count()).select_from(DataKey).where(DataKey.wrapped.is_(None)))
    click.echo(f"Destroyed data keys: {destroyed}")
    rotation_pending = any(state.live and not state.active for state in states)
    if rotation_pending:
        click.echo("Some data keys are not under the active root key: run `flask keys rotate`.")
    horizon = key_schedule.backup_horizon(keyring, now)
    click.echo(f"Schedule: a new root key every {schedule.rotation.days} days, backups kept "
               f"{schedule.retention.days} days. A backup taken now is unreadable by {_when(horizon.unreadable_by)} "
               "at the latest (once its root keys are retired).")
    erased = key_schedule.erasures_since(active_record.recorded_at)
    if erased:
        later = _when(horizon.unreadable_by)
        sooner = _when(horizon.if_rotated_now)
        click.echo(f"{erased} data key(s) destroyed (erasures) since {keyring.active_id} was recorded: backups "
                   f"taken before them stay readable until it is retired. Rotate now (`flask keys generate "
                   f"--add-root`, restart, `flask keys rotate`) to make that {sooner}"
                   + (f" instead of {later}." if later != sooner else "."))
    if check and (due <= now or rotation_pending or erased or any(state.retirable(now) for state in states)):
        sys.exit(1)


def _echo_state(state: key_schedule.RootKeyState, now: datetime) -> None:
    notes = [note for flag, note in ((state.active, "active"),
                                     (not state.in_keyring and state.retired_at is None, "NOT IN KEYRING"))
             if flag]
    suffix = f" ({', '.join(notes)})" if notes else ""
    if state.retired_at is not None:
        click.echo(f"  {state.id}: retired {_when(state.retired_at)}"
                   + (f", yet {state.live} data keys are wrapped under it" if state.live else ""))
        return
    click.echo(f"  {state.id}: {state.live} data keys{suffix}")
    if state.active:
        return
    if state.released_at is None:
        click.echo("      not released yet: run `flask keys rotate`")
    elif state.retirable(now):
        click.echo(f"      released {_when(state.released_at)}: retirable now (`flask keys retire`)")
    else:
        click.echo(f"      released {_when(state.released_at)}: retirable from {_when(state.retirable_at)}")


@keys_cli.command("rotate")
@click.option("--batch-size", type=click.IntRange(min=1), default=500, show_default=True)
def rotate_command(batch_size: int) -> None:
    """Re-wrap every data key not under the active root key; field values are untouched.

    Commits after each batch; each row records its root key, so an
    interrupted run simply continues where it stopped when run again.
    """
    keyring = _keyring()
    _refuse_unknown_root_keys(keyring)
    key_schedule.sync_records(keyring)
    db.session.commit()
    try:
        rewrapped, skipped, moved_from = _rotate(keyring, batch_size)
    except crypto.DecryptionError as exc:
        _record_failure(keyring)
        raise click.ClickException(
            f"rotation stopped (batches already committed stay re-wrapped): {exc}") from None
    except Exception:
        _record_failure(keyring)
        raise
    record("keys.rotate", object_type="root_key", object_id=keyring.active_id)
    stragglers = _record_releases(keyring, moved_from)
    db.session.commit()
    click.echo(f"Re-wrapped {rewrapped} data keys under {keyring.active_id}"
               + (f"; {skipped} changed meanwhile and were left as they are" if skipped else "") + ".")
    for key_id, count in sorted(stragglers.items()):
        click.echo(f"{count} data keys were wrapped under {key_id} during the rotation: an app process still "
                   f"uses it as its active key. Restart every app process, then run `flask keys rotate` again.")
    released = [state for state in key_schedule.key_states(keyring) if not state.active
                and state.in_keyring and state.retired_at is None and state.retirable_at is not None]
    for state in released:
        click.echo(f"{state.id}: no live data key needs it since {_when(state.released_at)}; backups taken "
                   f"before may, so `flask keys retire` destroys it from {_when(state.retirable_at)}.")


def _record_releases(keyring: Keyring, moved_from: Counter) -> dict[str, int]:
    """Mark old root keys that no live data key needs any more as released (now).

    A key that had data keys re-wrapped away from it in this run is released
    now even if it was released before (a process that had not restarted
    wrapped new data keys under it meanwhile, and backups may hold them).
    Returns the old keys that still have live data keys.
    """
    now = utcnow()
    live = key_schedule.live_counts()
    known = key_schedule.sync_records(keyring, now)
    stragglers = {}
    for key_id, root_key in known.items():
        if key_id == keyring.active_id or root_key.retired_at is not None:
            continue
        if live.get(key_id):
            stragglers[key_id] = live[key_id]
            root_key.released_at = None
        elif root_key.released_at is None or moved_from[key_id]:
            root_key.released_at = now
    return stragglers


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


def _rotate(keyring: Keyring, batch_size: int) -> tuple[int, int, Counter]:
    rewrapped = skipped = 0
    moved_from: Counter = Counter()
    after: uuid.UUID | None = None
    while batch := _next_batch(keyring, after, batch_size):
        for key_id, root_key_id, wrapped in batch:
            if _rewrap_row(keyring, key_id, root_key_id, bytes(wrapped)):
                rewrapped += 1
                moved_from[root_key_id] += 1
            else:
                skipped += 1
        db.session.commit()
        after = batch[-1][0]
        click.echo(f"  ... {rewrapped} re-wrapped")
    return rewrapped, skipped, moved_from


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


@keys_cli.command("retire")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation (for the daily cron job).")
def retire_command(yes: bool) -> None:
    """Destroy the old root keys that neither a live data key nor a retained backup needs.

    A key is retirable once `flask keys rotate` has released it (no live data
    key under it) and BACKUP_RETENTION_DAYS have passed since: every backup
    that could need it is then deleted. Retiring it makes every remaining copy
    of the database made before its release unreadable, which is how erasure
    reaches backups. Refuses the active key and any key a live data key needs;
    says when each other key becomes retirable. Keys from CASEAPP_KEYS cannot
    be edited from here: the command names the keys to remove from the secret.
    """
    keyring = _keyring()
    now = utcnow()
    key_schedule.sync_records(keyring, now)
    states = key_schedule.key_states(keyring, now)
    _record_removed_by_hand(states, now)
    retirable = [state.id for state in states if state.in_keyring and state.retirable(now)]
    for state in states:
        if state.in_keyring and not state.active and state.id not in retirable:
            click.echo(f"{state.id}: not retirable yet: {_why_not(state)}")
    db.session.commit()
    if not retirable:
        click.echo("No root key to retire.")
        return
    if current_app.config.get("CASEAPP_KEYS"):
        click.echo(f"Retirable: {', '.join(retirable)}. Root keys come from CASEAPP_KEYS: remove these keys from it "
                   "in your secret store, restart every app process, then run `flask keys retire` again to record it.")
        return
    path = current_app.config.get("CASEAPP_KEY_FILE")
    if not yes:
        click.confirm(f"Destroy root key(s) {', '.join(retirable)} for good? Backups that need them "
                      "will never be readable again", abort=True)
    if key_schedule.live_counts().keys() & set(retirable):
        raise click.ClickException("a data key was wrapped under a retiring key meanwhile: run `flask keys rotate`")
    try:
        remove_root_keys(path, retirable)
    except KeyringError as exc:
        raise click.ClickException(str(exc)) from None
    _mark_retired(retirable, now)
    db.session.commit()
    click.echo(f"Retired {', '.join(retirable)}: destroyed in {path}. Database copies made before their release "
               "can no longer be decrypted. Restart every app process so none keeps them in memory; copies of the "
               "key file made before today still hold them (keep such copies no longer than the backups).")


def _why_not(state: key_schedule.RootKeyState) -> str:
    if state.live:
        return f"{state.live} live data keys are wrapped under it (run `flask keys rotate`)"
    if state.released_at is None:
        return "no rotation has released it yet (run `flask keys rotate`)"
    return (f"backups taken up to {_when(state.released_at)} may need it; retirable from "
            f"{_when(state.retirable_at)}")


def _record_removed_by_hand(states, now: datetime) -> None:
    """Keys gone from the keyring (removed from CASEAPP_KEYS) that nothing live needs are retired."""
    gone = [state.id for state in states
            if not state.in_keyring and state.retired_at is None and state.live == 0]
    if gone:
        _mark_retired(gone, now)
        click.echo(f"Recorded as retired (no longer in the keyring): {', '.join(gone)}.")


def _mark_retired(key_ids, now: datetime) -> None:
    known = key_schedule.records()
    for key_id in key_ids:
        known[key_id].retired_at = now
        record("keys.retire", object_type="root_key", object_id=key_id)
