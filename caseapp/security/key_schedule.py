"""When root keys rotate and retire, and so when an erasure reaches the backups.

Destroying a person's data key erases them from the live database at once.
A database backup taken before holds their data key wrapped under the root
keys of that time; it stays readable while one of those root keys exists.
The guarantee is therefore built from two settings:

- ``ROOT_KEY_ROTATION_DAYS`` (R): a new root key at least every R days
  (`flask keys generate --add-root`, restart, `flask keys rotate`), and right
  after an erasure to make it reach the backups sooner. When a rotation has
  re-wrapped every live data key, the old root key is *released*: backups
  taken from then on do not need it.
- ``BACKUP_RETENTION_DAYS`` (B): database backups are deleted after B days.
  So B days after its release no retained backup needs an old root key, and
  `flask keys retire` (daily, from cron) destroys it.

A backup taken at time T is unreadable at the latest at T + R + B + 1 day
(the day is the daily retire job's margin), everything in it alike: the
erased person's data and everyone else's (the live database, where everyone
else's data keys were re-wrapped, is unaffected). `backup_horizon` computes
the exact date from the keys' recorded dates; every erasure message states it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, select

from caseapp.extensions import db
from caseapp.models_base import utcnow
from caseapp.security.key_models import DataKey, RootKeyRecord
from caseapp.security.keyring import Keyring

RETIRE_JOB_MARGIN = timedelta(days=1)  # `flask keys retire --yes` runs daily


@dataclass(frozen=True)
class Schedule:
    rotation: timedelta
    retention: timedelta

    @classmethod
    def from_config(cls) -> Schedule:
        """From ROOT_KEY_ROTATION_DAYS and BACKUP_RETENTION_DAYS (whole days)."""
        return cls(timedelta(days=int(current_app.config["ROOT_KEY_ROTATION_DAYS"])),
                   timedelta(days=int(current_app.config["BACKUP_RETENTION_DAYS"])))

    @property
    def worst_case(self) -> timedelta:
        """The longest a backup stays readable after it was made, if the schedule is kept: R + B + 1 day."""
        return self.rotation + self.retention + RETIRE_JOB_MARGIN


@dataclass(frozen=True)
class RootKeyState:
    """One root key as the schedule sees it (UTC datetimes)."""

    id: str
    active: bool
    in_keyring: bool
    live: int
    recorded_at: datetime | None
    released_at: datetime | None
    retired_at: datetime | None
    retirable_at: datetime | None  # None: not released yet (active, or a rotation is pending)

    def retirable(self, now: datetime) -> bool:
        return (not self.active and self.live == 0 and self.retired_at is None
                and self.retirable_at is not None and self.retirable_at <= now)


@dataclass(frozen=True)
class BackupHorizon:
    """What an erasure done now means for backups taken before it.

    ``root_key_ids``: the keys that must be retired before those backups stop
    being readable. ``unreadable_by``: the latest instant (UTC) that happens if
    the schedule is kept. ``rotation_due``: the latest the next rotation may
    happen. ``if_rotated_now``: the instant it would be after a rotation today.
    """

    root_key_ids: tuple[str, ...]
    unreadable_by: datetime
    rotation_due: datetime
    if_rotated_now: datetime
    schedule: Schedule


def live_counts() -> dict[str, int]:
    """Live (not destroyed) data keys per root key id."""
    return dict(db.session.execute(
        select(DataKey.root_key_id, func.count()).where(DataKey.wrapped.is_not(None))
        .group_by(DataKey.root_key_id)).all())


def records() -> dict[str, RootKeyRecord]:
    return {record.id: record for record in db.session.scalars(select(RootKeyRecord))}


def sync_records(keyring: Keyring, now: datetime | None = None) -> dict[str, RootKeyRecord]:
    """Record every root key of the keyring the database does not know yet (`flask keys` commands)."""
    now = now or utcnow()
    known = records()
    for key_id in keyring.key_ids:
        if key_id not in known:
            known[key_id] = RootKeyRecord(id=key_id, recorded_at=now)
            db.session.add(known[key_id])
    db.session.flush()
    return known


def rotation_due(keyring: Keyring, known: dict[str, RootKeyRecord], schedule: Schedule,
                 now: datetime) -> datetime:
    """The latest the active root key may be replaced: R days after it was recorded (not before now).

    An active key the database has not recorded yet counts as recorded now,
    which can only make the stated dates later, never earlier than the truth.
    """
    record = known.get(keyring.active_id)
    recorded = record.recorded_at if record is not None else now
    return max(now, recorded + schedule.rotation)


def key_states(keyring: Keyring, now: datetime | None = None) -> list[RootKeyState]:
    """Every root key in the keyring or recorded in the database (retired ones included), by id."""
    now = now or utcnow()
    schedule = Schedule.from_config()
    live, known = live_counts(), records()
    states = []
    for key_id in sorted(set(keyring.key_ids) | set(known) | set(live)):
        record = known.get(key_id)
        released = record.released_at if record is not None else None
        active = key_id == keyring.active_id
        states.append(RootKeyState(
            id=key_id, active=active, in_keyring=keyring.has(key_id), live=live.get(key_id, 0),
            recorded_at=record.recorded_at if record is not None else None, released_at=released,
            retired_at=record.retired_at if record is not None else None,
            retirable_at=None if active or released is None else released + schedule.retention,
        ))
    return states


def backup_horizon(keyring: Keyring, now: datetime | None = None) -> BackupHorizon:
    """When backups taken before `now` stop being readable, if the schedule is kept.

    Each root key of the keyring is released at the latest at the next due
    rotation (already released keys at their release), retired B days later,
    by the daily retire job within one more day. Two queries.
    """
    now = now or utcnow()
    schedule = Schedule.from_config()
    known = records()
    due = rotation_due(keyring, known, schedule, now)
    latest = now
    for key_id in keyring.key_ids:
        record = known.get(key_id)
        released = record.released_at if record is not None and key_id != keyring.active_id else None
        latest = max(latest, (released or due) + schedule.retention + RETIRE_JOB_MARGIN)
    return BackupHorizon(keyring.key_ids, latest, due, now + schedule.retention + RETIRE_JOB_MARGIN, schedule)


def erasures_since(moment: datetime) -> int:
    """Data keys destroyed (erasures) after `moment`."""
    return db.session.scalar(select(func.count()).select_from(DataKey)
                             .where(DataKey.destroyed_at.is_not(None), DataKey.destroyed_at > moment))
