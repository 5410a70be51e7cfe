"""Per-beneficiary data keys, stored wrapped under a root key (envelope encryption),
and the lifecycle of root keys (no key material, only dates).

Destroying a data key (GDPR art. 17) makes every value encrypted with it
unreadable in the live database at once, without touching those rows. A
backup taken before still holds the data key, wrapped under the root key of
the time: it becomes unreadable when that root key is retired, which
`caseapp.security.key_schedule` plans (rotation, then retirement once the
backup retention period has passed).
"""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import LargeBinary, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from caseapp.extensions import db
from caseapp.models_base import UTCDateTime, utcnow
from caseapp.security import crypto
from caseapp.security.keyring import Keyring, current_keyring

# Keyed by (id, wrapped bytes): once a key is destroyed its wrapped bytes are
# gone, so no process can reach a cached plain key through a fresh row.
_plain_keys: crypto.LruCache[tuple[uuid.UUID, bytes], bytes] = crypto.LruCache(maxsize=4096)


class KeyDestroyedError(RuntimeError):
    """The data key was destroyed: what it encrypted is erased."""


class RootKeyRecord(db.Model):
    """What the database knows of a root key: dates only, never the key.

    ``recorded_at``: first seen by a `flask keys` command (the rotation schedule
    counts from it for the active key). ``released_at``: when `flask keys rotate`
    last found no live data key under it; backups taken after that never need
    it. ``retired_at``: when `flask keys retire` destroyed it.
    """

    __tablename__ = "root_keys"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class DataKey(db.Model):
    __tablename__ = "data_keys"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    root_key_id: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    wrapped: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    destroyed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    def __repr__(self) -> str:
        state = "destroyed" if self.is_destroyed else f"under {self.root_key_id}"
        return f"<DataKey {self.id} {state}>"

    @classmethod
    def create(cls, keyring: Keyring | None = None) -> DataKey:
        """A new random data key wrapped under the active root key (not yet added to a session)."""
        keyring = keyring or current_keyring()
        key_id = uuid.uuid4()
        plain = crypto.new_data_key()
        wrapped = crypto.wrap_key(keyring.active_key, keyring.active_id, plain, key_id)
        _plain_keys.put((key_id, wrapped), plain)
        return cls(id=key_id, root_key_id=keyring.active_id, wrapped=wrapped, created_at=utcnow())

    @property
    def is_destroyed(self) -> bool:
        return self.wrapped is None

    def plain_key(self, keyring: Keyring | None = None) -> bytes:
        if self.wrapped is None:
            raise KeyDestroyedError(f"data key {self.id} was destroyed")
        wrapped = bytes(self.wrapped)
        cached = _plain_keys.get((self.id, wrapped))
        if cached is not None:
            return cached
        plain = crypto.unwrap_key(keyring or current_keyring(), wrapped, self.id)
        _plain_keys.put((self.id, wrapped), plain)
        return plain

    def rewrap(self, keyring: Keyring | None = None) -> None:
        """Wrap this key under the active root key (rotation); its values stay as they are."""
        keyring = keyring or current_keyring()
        if self.wrapped is None:
            raise KeyDestroyedError(f"data key {self.id} was destroyed")
        self.wrapped = crypto.rewrap_key(keyring, bytes(self.wrapped), self.id)
        self.root_key_id = keyring.active_id

    def destroy(self) -> None:
        """Crypto-shred: drop the wrapped key and every cached copy in this process.

        Takes effect for other processes when the transaction commits: they
        find no wrapped key to unwrap, whatever they have cached. Backups taken
        before still hold the wrapped key until its root key is retired
        (`caseapp.security.key_schedule.backup_horizon` says when).
        """
        key_id = self.id
        for plain in _plain_keys.pop_where(lambda cache_key: cache_key[0] == key_id):
            crypto.forget_key(plain)
        self.wrapped = None
        self.destroyed_at = utcnow()
