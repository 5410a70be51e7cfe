"""Field encryption primitives: AES-256-GCM values and envelope (wrapped) keys.

Stored field value::

    0x01 | data key id (16 bytes, the DataKey UUID) | nonce (12 bytes) | ciphertext + tag

Wrapped data key::

    0x01 | n (1 byte) | root key id (n ASCII bytes) | nonce (12 bytes) | ciphertext + tag

Both headers are authenticated: they are prepended to the associated data, so
changing the version or a key id makes decryption fail rather than silently
pick another key. A field's associated data also names table, column and the
record's UUID (`aad_for`), so a value copied to another row or column fails to
decrypt; a wrapped key's associated data names the data key's id, so a wrapped
key copied to another DataKey row fails to unwrap.
"""
from __future__ import annotations

import os
import threading
import uuid
from collections import OrderedDict
from typing import TYPE_CHECKING, Callable, Generic, Hashable, TypeVar

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

if TYPE_CHECKING:
    from caseapp.security.keyring import Keyring

FORMAT_VERSION = 1
KEY_BYTES = 32
KEY_ID_BYTES = 16
NONCE_BYTES = 12
TAG_BYTES = 16
FIELD_HEADER_BYTES = 1 + KEY_ID_BYTES
MAX_ROOT_KEY_ID_BYTES = 64
_WRAP_LABEL = b"caseapp-data-key|"

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class DecryptionError(Exception):
    """A value or wrapped key could not be decrypted.

    Raised for a failed authentication tag (tampering, wrong key, wrong
    associated data), an unknown format version and malformed input alike:
    callers cannot and should not tell these apart.
    """


class UnknownRootKeyError(DecryptionError):
    """A data key is wrapped under a root key the keyring does not hold."""


class LruCache(Generic[K, V]):
    """A small thread-safe LRU map (gunicorn threads share module caches)."""

    def __init__(self, maxsize: int) -> None:
        self._maxsize = maxsize
        self._items: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: K, value: V) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self._maxsize:
                self._items.popitem(last=False)

    def get_or_create(self, key: K, factory: Callable[[], V]) -> V:
        value = self.get(key)
        if value is None:
            value = factory()
            self.put(key, value)
        return value

    def pop_where(self, predicate: Callable[[K], bool]) -> list[V]:
        """Remove the entries whose key satisfies `predicate`; return their values."""
        with self._lock:
            return [self._items.pop(key) for key in [k for k in self._items if predicate(k)]]

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        return len(self._items)


_aeads: LruCache[bytes, AESGCM] = LruCache(maxsize=4096)


def _aead(key: bytes) -> AESGCM:
    """One AESGCM object per key, built once (key schedule setup is not free)."""
    if len(key) != KEY_BYTES:
        raise ValueError("AES-256-GCM needs a 32-byte key")
    return _aeads.get_or_create(bytes(key), lambda: AESGCM(key))


def forget_key(key: bytes) -> None:
    """Drop a key's cached AESGCM object (called when a data key is destroyed)."""
    _aeads.pop_where(lambda cached: cached == key)


def new_data_key() -> bytes:
    return os.urandom(KEY_BYTES)


def aad_for(table: str, column: str, record_id: uuid.UUID | str) -> bytes:
    """Associated data binding a value to its table, column and record."""
    for part in (table, column):
        if not part or "|" in part:
            raise ValueError(f"invalid table or column name for associated data: {part!r}")
    if record_id is None:
        raise ValueError("a record id is needed to encrypt or decrypt a field")
    canonical_id = str(record_id if isinstance(record_id, uuid.UUID) else uuid.UUID(str(record_id)))
    return f"{table}|{column}|{canonical_id}".encode("ascii")


def seal(key: bytes, key_id: uuid.UUID, plaintext: str, aad: bytes) -> bytes:
    if not isinstance(plaintext, str):
        raise TypeError("seal() encrypts text; convert the value to str first")
    header = bytes([FORMAT_VERSION]) + key_id.bytes
    nonce = os.urandom(NONCE_BYTES)
    return header + nonce + _aead(key).encrypt(nonce, plaintext.encode("utf-8"), header + aad)


def sealed_key_id(blob: bytes) -> uuid.UUID:
    """The data key id recorded in a stored value (not authenticated until opened)."""
    _check_field_blob(blob)
    return uuid.UUID(bytes=bytes(blob[1:FIELD_HEADER_BYTES]))


def open_sealed(key: bytes, blob: bytes, aad: bytes) -> str:
    _check_field_blob(blob)
    blob = bytes(blob)
    header = blob[:FIELD_HEADER_BYTES]
    nonce = blob[FIELD_HEADER_BYTES:FIELD_HEADER_BYTES + NONCE_BYTES]
    body = blob[FIELD_HEADER_BYTES + NONCE_BYTES:]
    try:
        return _aead(key).decrypt(nonce, body, header + aad).decode("utf-8")
    except (InvalidTag, UnicodeDecodeError) as exc:
        raise DecryptionError("value failed authentication") from exc


def _check_field_blob(blob: bytes) -> None:
    if not isinstance(blob, (bytes, bytearray, memoryview)):
        raise DecryptionError("stored value is not bytes")
    if len(blob) < FIELD_HEADER_BYTES + NONCE_BYTES + TAG_BYTES:
        raise DecryptionError("stored value is too short")
    if blob[0] != FORMAT_VERSION:
        raise DecryptionError(f"unknown stored value format version {blob[0]}")


def wrap_key(root_key: bytes, root_key_id: str, data_key: bytes, data_key_id: uuid.UUID) -> bytes:
    if len(data_key) != KEY_BYTES:
        raise ValueError("a data key is 32 bytes")
    header = _wrap_header(root_key_id)
    nonce = os.urandom(NONCE_BYTES)
    return header + nonce + _aead(root_key).encrypt(nonce, data_key, _wrap_aad(header, data_key_id))


def wrapped_root_key_id(wrapped: bytes) -> str:
    """Which root key wrapped this data key (read from the authenticated header)."""
    root_key_id, _ = _parse_wrapped(bytes(wrapped))
    return root_key_id


def unwrap_key(keyring: Keyring, wrapped: bytes, data_key_id: uuid.UUID) -> bytes:
    wrapped = bytes(wrapped)
    root_key_id, header_len = _parse_wrapped(wrapped)
    if not keyring.has(root_key_id):
        raise UnknownRootKeyError(
            f"data key {data_key_id} is wrapped under root key {root_key_id!r}, "
            "which is not in the keyring"
        )
    header = wrapped[:header_len]
    nonce = wrapped[header_len:header_len + NONCE_BYTES]
    body = wrapped[header_len + NONCE_BYTES:]
    try:
        data_key = _aead(keyring.get(root_key_id)).decrypt(nonce, body, _wrap_aad(header, data_key_id))
    except InvalidTag as exc:
        raise DecryptionError(f"data key {data_key_id} failed to unwrap") from exc
    if len(data_key) != KEY_BYTES:
        raise DecryptionError(f"data key {data_key_id} has the wrong length")
    return data_key


def rewrap_key(keyring: Keyring, wrapped: bytes, data_key_id: uuid.UUID) -> bytes:
    """Re-wrap a data key under the keyring's active root key (rotation)."""
    data_key = unwrap_key(keyring, wrapped, data_key_id)
    return wrap_key(keyring.active_key, keyring.active_id, data_key, data_key_id)


def _wrap_header(root_key_id: str) -> bytes:
    encoded = root_key_id.encode("ascii")
    if not 0 < len(encoded) <= MAX_ROOT_KEY_ID_BYTES:
        raise ValueError("a root key id is 1 to 64 ASCII characters")
    return bytes([FORMAT_VERSION, len(encoded)]) + encoded


def _wrap_aad(header: bytes, data_key_id: uuid.UUID) -> bytes:
    return _WRAP_LABEL + header + data_key_id.bytes


def _parse_wrapped(wrapped: bytes) -> tuple[str, int]:
    if len(wrapped) < 2:
        raise DecryptionError("wrapped key is too short")
    if wrapped[0] != FORMAT_VERSION:
        raise DecryptionError(f"unknown wrapped key format version {wrapped[0]}")
    header_len = 2 + wrapped[1]
    if wrapped[1] == 0 or len(wrapped) != header_len + NONCE_BYTES + KEY_BYTES + TAG_BYTES:
        raise DecryptionError("wrapped key is malformed")
    try:
        return wrapped[2:header_len].decode("ascii"), header_len
    except UnicodeDecodeError as exc:
        raise DecryptionError("wrapped key is malformed") from exc
