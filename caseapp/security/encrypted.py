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

A field may fill several indexes (``more_indexes={"surname_sound":
"family_name_sound_bidx"}``); indexes of one field share its bit budget
(`index_bits`, `blind_index.bits_for_index`). `decrypt_evenly` reads
candidates with work that does not depend on what they hold (the duplicate
check uses it so that response time says nothing about who matched).
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Callable, Mapping, Sequence

from flask import current_app
from sqlalchemy import event
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import InstanceState, Mapper, Session
from sqlalchemy.orm.attributes import flag_dirty

from caseapp.security.blind_index import bits_for, bits_for_index, blind_index, normaliser_for, register_index
from caseapp.security.crypto import aad_for, new_data_key, open_sealed, seal, unwrap_key, wrap_key
from caseapp.security.keyring import Keyring, current_keyring

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
                 normaliser: Callable[[object], str] | None = None, kind: str = "str",
                 more_indexes: Mapping[str, str] | None = None) -> None:
        if kind not in _KINDS:
            raise ValueError(f"kind must be one of {_KINDS}, not {kind!r}")
        if (index is None) != (index_attr is None):
            raise ValueError("give both index and index_attr, or neither")
        if normaliser is not None and index is None:
            raise ValueError("a normaliser only applies to a blind index")
        if more_indexes and index is None:
            raise ValueError("more_indexes come after a first index")
        if index is not None:
            if normaliser is not None:
                register_index(index, normaliser)
            normaliser_for(index)
        for name in more_indexes or ():
            normaliser_for(name)
        self.column_attr = column_attr
        self.index = index
        self.index_attr = index_attr
        # Every (index name, attribute) pair this field fills: the first, then `more_indexes`
        # (e.g. {"surname_sound": "family_name_sound_bidx"}), all refreshed together at flush.
        self.indexes: tuple[tuple[str, str], ...] = (
            ((index, index_attr),) if index is not None else ()) + tuple((more_indexes or {}).items())
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
        for index_name, index_attr in self.indexes:
            setattr(obj, index_attr, _index_or_none(index_name, value))

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
    return blind_index(current_keyring().index_key, index_name, normalised, index_bits(index_name))


def expected_rows() -> int:
    """BLIND_INDEX_EXPECTED_ROWS of this deployment (the population the index sizes are planned for)."""
    return current_app.config.get("BLIND_INDEX_EXPECTED_ROWS") or DEFAULT_EXPECTED_ROWS


def index_bits(index_name: str | None = None) -> int:
    """Blind-index size for this deployment, from BLIND_INDEX_EXPECTED_ROWS.

    Without a name: one field's whole budget (`bits_for`). With one: that
    index's share, smaller for indexes that share a field (`bits_for_index`).
    """
    if index_name is None:
        return bits_for(expected_rows())
    return bits_for_index(index_name, expected_rows())


def blind_index_for(index_name: str, value: Any) -> str:
    """The index value to search for, e.g. ``blind_index_for("surname", "Παπαδόπουλος")``.

    Raises ValueError for a value that normalises to nothing: comparing an
    index column with NULL would match every row without an index.
    """
    normalised = normaliser_for(index_name)(value)
    if not normalised:
        raise ValueError(f"nothing to search for in {index_name}")
    return _compute_index(index_name, normalised)


# --- Decryption whose cost does not depend on the data ------------------------------------


@dataclass(frozen=True)
class EvenRead:
    """One record as `decrypt_evenly` read it.

    `values`: every requested field's plaintext, a missing one (NULL column,
    erased record, padding) reading as its stand-in; `present`: the names
    whose value is really there; `record`: None for a padding read.
    """

    record: Any
    values: dict[str, Any]
    present: frozenset[str]

    def get(self, name: str) -> Any:
        """The real value, or None if missing."""
        return self.values[name] if name in self.present else None


class _StandIn:
    """A private data key, wrapped under a private root key, and values sealed under it.

    Opening a stand-in costs what opening a real value costs: one key unwrap
    (AES-GCM under a root key) and one AES-GCM opening per field.
    """

    def __init__(self) -> None:
        self.keyring = Keyring.generate()
        self.key_id = uuid.uuid4()
        self.plain = new_data_key()
        self.wrapped = wrap_key(self.keyring.active_key, self.keyring.active_id, self.plain, self.key_id)
        self.aad = aad_for("stand_in", "value", self.key_id)
        self._blobs: dict[str, bytes] = {}

    def unwrap(self) -> bytes:
        return unwrap_key(self.keyring, self.wrapped, self.key_id)

    def open(self, text: str) -> str:
        blob = self._blobs.get(text)
        if blob is None:
            blob = self._blobs[text] = seal(self.plain, self.key_id, text, self.aad)
        return open_sealed(self.plain, blob, self.aad)


_stand_in: _StandIn | None = None


def _stand_in_material() -> _StandIn:
    global _stand_in
    if _stand_in is None:
        _stand_in = _StandIn()
    return _stand_in


def decrypt_evenly(records: Sequence[Any], stand_ins: Mapping[str, Any], *, at_least: int) -> list[EvenRead]:
    """Decrypt some fields of `records` with work that does not depend on what they hold.

    `stand_ins` maps each EncryptedField name to read onto a plausible value
    of its kind (a `date` for a date field), read in place of a missing one.
    Per record: one unwrap of its data key under the root key (never the
    process's cache of unwrapped keys, which would make a recently seen
    person faster) and one AES-GCM opening per field, a stand-in ciphertext
    being opened where the column is NULL or the record is erased; then
    ``at_least - len(records)`` padding reads of stand-ins alone. So the
    count of unwraps and openings is ``max(len(records), at_least)`` times
    one plus ``len(stand_ins)``, whatever the records contain: a caller that
    also treats every `EvenRead` alike does the same work for a record that
    matters (say, one held by a confidential structure) as for one that
    does not, or for none. What remains is cache warmth of a few
    microseconds, far below what a network observer can measure.

    Returns max(len(records), at_least) reads, the records' first, in order.
    Plaintexts read here are not cached on the records. Raises
    `crypto.DecryptionError` for a tampered value, as reading it would.
    """
    stand_in = _stand_in_material()
    keyring = current_keyring()
    reads = []
    for index in range(max(len(records), at_least)):
        record = records[index] if index < len(records) else None
        key = record.encryption_key() if record is not None else None
        if key is not None and not key.is_destroyed:
            plain = unwrap_key(keyring, bytes(key.wrapped), key.id)
            fields = encrypted_fields(type(record))
        else:
            stand_in.unwrap()
            plain, fields = None, {}
        values, present = {}, set()
        for name, substitute in stand_ins.items():
            field = fields.get(name)
            blob = getattr(record, field.column_attr) if field is not None else None
            if blob is None:
                stand_in.open(_to_text(substitute))
                values[name] = substitute
            else:
                values[name] = field._from_text(open_sealed(plain, bytes(blob), field.aad(record)))
                present.add(name)
        reads.append(EvenRead(record, values, frozenset(present)))
    return reads


def _to_text(value: Any) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)


def index_values(obj: Any) -> dict[str, str | None]:
    """Every blind index of `obj` as its decrypted values give it now: attribute name -> value.

    For recomputing stored indexes after a normaliser or the deployment's
    BLIND_INDEX_EXPECTED_ROWS changed (`flask beneficiaries reindex`). An
    erased record's indexes are all None.
    """
    erased = is_erased(obj)
    values: dict[str, str | None] = {}
    for field in encrypted_fields(type(obj)).values():
        value = None if erased or not field.indexes else field.__get__(obj)
        for index_name, index_attr in field.indexes:
            values[index_attr] = None if value is None else _index_or_none(index_name, value)
    return values


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
        for _index_name, index_attr in field.indexes:
            setattr(obj, index_attr, None)


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
    "EvenRead", "blind_index_for", "decrypt_evenly", "encrypted_fields", "erase", "expected_rows", "index_bits",
    "index_values", "is_erased",
    "register_encryption_events",
]
