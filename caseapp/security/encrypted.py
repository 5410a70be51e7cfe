"""Encrypted model attributes: views and forms read and write plaintext, the database sees ciphertext.

Usage on a model (the row's `id` is a UUID; `encryption_key()` returns its DataKey)::

    family_name_ct: Mapped[bytes | None] = mapped_column("family_name", LargeBinary)
    family_name_bidx: Mapped[str | None] = mapped_column(String(16), index=True)
    family_name = EncryptedField("family_name_ct", index="surname", index_attr="family_name_bidx")

Assigning ``obj.family_name = "X"`` keeps "X" pending on the instance; a
`before_flush` listener seals it (AES-256-GCM under the owner's data key,
associated data ``table|column|id``), assigning ``obj.id`` first if it is
still None, and fills the blind index. Reading decrypts once per loaded
ciphertext and caches the plaintext on the instance until it is expired or
refreshed (so commit clears it). Once the data key is destroyed, reads return
None and `is_erased(obj)` is True.

Searching: ``where(Model.family_name_bidx == blind_index_for("surname", q))``
returns candidates, some unrelated by design; keep those for which
``blind_index.matches("surname", obj.family_name, q)`` holds.
"""
from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any, Callable

from flask import current_app
from sqlalchemy import event
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import InstanceState, Mapper, Session
from sqlalchemy.orm.attributes import flag_dirty

from caseapp.security.blind_index import bits_for, blind_index, normaliser_for, register_index
from caseapp.security.crypto import aad_for, open_sealed, seal
from caseapp.security.keyring import current_keyring

DEFAULT_EXPECTED_ROWS = 1_000_000
_PENDING = "_caseapp_pending_plaintext"
_PLAIN = "_caseapp_plaintext"
_KINDS = ("str", "date")


class MissingDataKeyError(RuntimeError):
    """An encrypted value was saved on a record that has no data key."""


class ErasedRecordError(RuntimeError):
    """A value was written to a record whose data key is destroyed."""


class EncryptedField:
    """Descriptor over a LargeBinary column attribute; see the module docstring."""

    def __init__(self, column_attr: str, *, index: str | None = None, index_attr: str | None = None,
                 normaliser: Callable[[object], str] | None = None, kind: str = "str") -> None:
        if kind not in _KINDS:
            raise ValueError(f"kind must be one of {_KINDS}, not {kind!r}")
        if (index is None) != (index_attr is None):
            raise ValueError("give both index and index_attr, or neither")
        if normaliser is not None and index is None:
            raise ValueError("a normaliser only applies to a blind index")
        if index is not None:
            if normaliser is not None:
                register_index(index, normaliser)
            normaliser_for(index)
        self.column_attr = column_attr
        self.index = index
        self.index_attr = index_attr
        self.kind = kind
        self.name = column_attr
        self._names: dict[type, tuple[str, str]] = {}

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, obj: Any, owner: type | None = None) -> Any:
        if obj is None:
            return self
        pending = obj.__dict__.get(_PENDING)
        if pending and self.name in pending:
            return pending[self.name]
        blob = getattr(obj, self.column_attr)
        if blob is None or is_erased(obj):
            return None
        return self._decrypt(obj, bytes(blob))

    def __set__(self, obj: Any, value: Any) -> None:
        self._check(value)
        if self._unchanged(obj, value):
            obj.__dict__.get(_PENDING, {}).pop(self.name, None)
            return
        obj.__dict__.setdefault(_PENDING, {})[self.name] = value
        flag_dirty(obj)

    def _check(self, value: Any) -> None:
        if value is None:
            return
        if self.kind == "date" and (isinstance(value, datetime) or not isinstance(value, date)):
            raise TypeError(f"{self.name} takes a datetime.date, not {type(value).__name__}")
        if self.kind == "str" and not isinstance(value, str):
            raise TypeError(f"{self.name} takes a str, not {type(value).__name__}")

    def _unchanged(self, obj: Any, value: Any) -> bool:
        """Re-saving an unchanged form should not re-encrypt (and mark dirty) every field."""
        pending = obj.__dict__.get(_PENDING)
        if (pending and self.name in pending) or not sa_inspect(obj).persistent:
            return False
        if getattr(obj, self.column_attr) is None:
            return value is None
        return not is_erased(obj) and self.__get__(obj) == value

    def _decrypt(self, obj: Any, blob: bytes) -> Any:
        cache = obj.__dict__.setdefault(_PLAIN, {})
        hit = cache.get(self.name)
        if hit is not None and hit[0] == blob:
            return hit[1]
        key = _data_key(obj)
        value = self._from_text(open_sealed(key.plain_key(), blob, self.aad(obj)))
        cache[self.name] = (blob, value)
        return value

    def seal_pending(self, obj: Any, value: Any) -> None:
        """Encrypt `value` into the column and refresh the blind index (called at flush)."""
        if value is None:
            setattr(obj, self.column_attr, None)
            obj.__dict__.get(_PLAIN, {}).pop(self.name, None)
        else:
            key = _data_key(obj)
            if key.is_destroyed:
                raise ErasedRecordError(f"{type(obj).__name__} {obj.id} is erased: it takes no new values")
            blob = seal(key.plain_key(), key.id, self._to_text(value), self.aad(obj))
            setattr(obj, self.column_attr, blob)
            obj.__dict__.setdefault(_PLAIN, {})[self.name] = (blob, value)
        if self.index is not None:
            setattr(obj, self.index_attr, _index_or_none(self.index, value))

    def aad(self, obj: Any) -> bytes:
        table, column = self._table_and_column(type(obj))
        return aad_for(table, column, obj.id)

    def _table_and_column(self, cls: type) -> tuple[str, str]:
        names = self._names.get(cls)
        if names is None:
            column = sa_inspect(cls).columns[self.column_attr]
            names = self._names[cls] = (column.table.name, column.name)
        return names

    def _to_text(self, value: Any) -> str:
        return value.isoformat() if self.kind == "date" else value

    def _from_text(self, text: str) -> Any:
        return date.fromisoformat(text) if self.kind == "date" else text


def _data_key(obj: Any):
    key = obj.encryption_key()
    if key is None:
        raise MissingDataKeyError(
            f"{type(obj).__name__} {getattr(obj, 'id', None)} has no data key: "
            "give it one (DataKey.create()) before saving encrypted fields"
        )
    return key


def _index_or_none(index_name: str, value: Any) -> str | None:
    normalised = normaliser_for(index_name)(value)
    return _compute_index(index_name, normalised) if normalised else None


def _compute_index(index_name: str, normalised: str) -> str:
    return blind_index(current_keyring().index_key, index_name, normalised, index_bits())


def index_bits() -> int:
    """Blind-index size for this deployment, from BLIND_INDEX_EXPECTED_ROWS."""
    return bits_for(current_app.config.get("BLIND_INDEX_EXPECTED_ROWS") or DEFAULT_EXPECTED_ROWS)


def blind_index_for(index_name: str, value: Any) -> str:
    """The index value to search for, e.g. ``blind_index_for("surname", "Παπαδόπουλος")``.

    Raises ValueError for a value that normalises to nothing: comparing an
    index column with NULL would match every row without an index.
    """
    normalised = normaliser_for(index_name)(value)
    if not normalised:
        raise ValueError(f"nothing to search for in {index_name}")
    return _compute_index(index_name, normalised)


def is_erased(obj: Any) -> bool:
    """True once the record's data key is destroyed (its encrypted values read as None)."""
    key = obj.encryption_key()
    return key is not None and key.is_destroyed


def encrypted_fields(cls: type) -> dict[str, EncryptedField]:
    fields: dict[str, EncryptedField] = {}
    for klass in reversed(cls.__mro__):
        fields.update({name: value for name, value in vars(klass).items()
                       if isinstance(value, EncryptedField)})
    return fields


def erase(obj: Any) -> None:
    """GDPR art. 17 for one record: destroy its data key, clear its ciphertexts and blind indexes.

    Destroying the key makes the values unrecoverable in the live database at
    once; backups made before keep the key wrapped under the root keys of the
    time and stay readable until those are retired
    (`caseapp.security.key_schedule`). The blind indexes are keyed hashes of
    personal data that the key does not protect, so they are cleared too. Child records sharing the
    key become unreadable with it; clear their blind indexes the same way.
    """
    key = obj.encryption_key()
    if key is not None:
        key.destroy()
    obj.__dict__.pop(_PENDING, None)
    obj.__dict__.pop(_PLAIN, None)
    for field in encrypted_fields(type(obj)).values():
        setattr(obj, field.column_attr, None)
        if field.index_attr is not None:
            setattr(obj, field.index_attr, None)


def _seal_all_pending(session: Session, flush_context, instances) -> None:
    for obj in [*session.new, *session.dirty]:
        pending = obj.__dict__.get(_PENDING)
        if not pending:
            continue
        if getattr(obj, "id", None) is None:
            obj.id = uuid.uuid4()
        fields = encrypted_fields(type(obj))
        for name, value in pending.items():
            fields[name].seal_pending(obj, value)
        del obj.__dict__[_PENDING]


def _forget_on_expire(state: InstanceState, attrs) -> None:
    """Drop cached plaintext; a full expiry (rollback, `session.expire(obj)`) drops pending values too."""
    state.dict.pop(_PLAIN, None)
    if attrs is None:
        state.dict.pop(_PENDING, None)


def _forget_on_refresh(state: InstanceState, context, attrs) -> None:
    _forget_on_expire(state, attrs)


_LISTENERS = (
    (Session, "before_flush", _seal_all_pending, {}),
    (Mapper, "expire", _forget_on_expire, {"raw": True}),
    (Mapper, "refresh", _forget_on_refresh, {"raw": True}),
)


def register_encryption_events() -> None:
    """Install the flush and expiry listeners (idempotent; done on import)."""
    for target, name, listener, options in _LISTENERS:
        if not event.contains(target, name, listener):
            event.listen(target, name, listener, **options)


register_encryption_events()

__all__ = [
    "EncryptedField", "ErasedRecordError", "MissingDataKeyError",
    "blind_index_for", "encrypted_fields", "erase", "index_bits", "is_erased",
    "register_encryption_events",
]
