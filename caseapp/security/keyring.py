"""Root keys: loaded from outside the code and the database, never derived from SECRET_KEY.

Source, in order of precedence:

1. ``CASEAPP_KEYS``: the JSON document below, as the content of an environment
   variable (production: from the secret store).
2. ``CASEAPP_KEY_FILE``: path of a file holding the same JSON (development, or a
   mounted secret). The file must not be readable or writable by group or
   others (mode 0600 or 0400), like an SSH private key.

Format (version 1)::

    {
      "version": 1,
      "active": "k20260115-3fa9",
      "keys": {
        "k20250301-91c2": "<base64 of 32 random bytes>",
        "k20260115-3fa9": "<base64 of 32 random bytes>"
      },
      "index_key": "<base64 of 32 random bytes>",
      "audit_key": "<base64 of 32 random bytes>"
    }

``keys`` are root keys (key-encryption keys): ``active`` wraps new data keys,
the others are kept so data keys wrapped under them can still be unwrapped
until ``flask keys rotate`` has re-wrapped them. Key ids are 1-64 characters
of ``A-Z a-z 0-9 . _ -``. ``index_key`` is the root of the blind-index keys; it
is not rotated by ``keys rotate`` (changing it means recomputing every blind
index from decrypted values). ``audit_key`` keys the audit chain's HMAC and
signs its checkpoints (`caseapp.security.audit`); it never changes (events
sealed under it would no longer verify) and is optional only so that key
files written before it existed still load: production refuses to start
without it (`python -m caseapp.security.keyring add-audit-key PATH`).
``version`` may be omitted. Unknown fields are rejected so a typo cannot
silently drop a key.

Rotation procedure: ``flask keys generate --add-root`` (file) or add a key and
change ``active`` (env), restart every app process so each knows the new key,
then ``flask keys rotate``. A root key no live data key needs is retired
(destroyed) by ``flask keys retire`` once no retained backup needs it either
(`caseapp.security.key_schedule`): that is what makes an erasure reach backups.
"""
from __future__ import annotations

import base64
import binascii
import json
import os
import re
import secrets
import stat
import sys
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from types import MappingProxyType
from typing import Mapping

from flask import Flask, current_app, has_app_context

EXTENSION_KEY = "caseapp_keyring"
KEY_BYTES = 32
FORMAT_VERSION = 1
_KEY_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_FIELDS = {"version", "active", "keys", "index_key", "audit_key"}


class KeyringError(ValueError):
    """The root keys are missing or malformed. Messages never contain key material."""


class KeyringUnavailable(RuntimeError):
    """A feature needs root keys, but none are configured for this app."""


@dataclass(frozen=True)
class Keyring:
    active_id: str
    root_keys: Mapping[str, bytes] = field(repr=False)
    index_key: bytes = field(repr=False)
    audit_key: bytes | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "root_keys", MappingProxyType(dict(self.root_keys)))
        if self.active_id not in self.root_keys:
            raise KeyringError(f"active root key {self.active_id!r} is not among the keys")
        for key_id, key in self.root_keys.items():
            _check_key_id(key_id)
            _check_key_length(key, f"root key {key_id!r}")
        _check_key_length(self.index_key, "index_key")
        if self.audit_key is not None:
            _check_key_length(self.audit_key, "audit_key")

    @property
    def active_key(self) -> bytes:
        return self.root_keys[self.active_id]

    @property
    def key_ids(self) -> tuple[str, ...]:
        return tuple(sorted(self.root_keys))

    def has(self, key_id: str) -> bool:
        return key_id in self.root_keys

    def get(self, key_id: str) -> bytes:
        try:
            return self.root_keys[key_id]
        except KeyError:
            raise KeyringError(f"root key {key_id!r} is not in the keyring") from None

    def with_new_active_key(self) -> Keyring:
        """A copy with a fresh root key made active; the old ones stay for unwrapping."""
        key_id = new_root_key_id(self.root_keys)
        return replace(self, active_id=key_id, root_keys={**self.root_keys, key_id: secrets.token_bytes(KEY_BYTES)})

    def without_root_keys(self, key_ids) -> Keyring:
        """A copy without the given root keys (retirement). The active key cannot be removed."""
        key_ids = set(key_ids)
        if self.active_id in key_ids:
            raise KeyringError(f"root key {self.active_id!r} is active: it cannot be retired")
        return replace(self, root_keys={k: v for k, v in self.root_keys.items() if k not in key_ids})

    def with_audit_key(self) -> Keyring:
        """A copy with a fresh audit key; refuses to replace one (older events would stop verifying)."""
        if self.audit_key is not None:
            raise KeyringError("the keyring already has an audit_key; it is never replaced")
        return replace(self, audit_key=secrets.token_bytes(KEY_BYTES))

    @classmethod
    def generate(cls) -> Keyring:
        key_id = new_root_key_id(())
        return cls(key_id, {key_id: secrets.token_bytes(KEY_BYTES)}, secrets.token_bytes(KEY_BYTES),
                   secrets.token_bytes(KEY_BYTES))

    @classmethod
    def from_json(cls, text: str, source: str = "CASEAPP_KEYS") -> Keyring:
        try:
            document = json.loads(text)
        except (json.JSONDecodeError, TypeError):
            raise KeyringError(f"{source}: not valid JSON") from None
        return cls.from_document(document, source)

    @classmethod
    def from_document(cls, document: object, source: str = "CASEAPP_KEYS") -> Keyring:
        if not isinstance(document, dict):
            raise KeyringError(f"{source}: expected a JSON object with 'active', 'keys' and 'index_key'")
        unknown = set(document) - _FIELDS
        if unknown:
            raise KeyringError(f"{source}: unknown field(s) {', '.join(sorted(unknown))}")
        if document.get("version", FORMAT_VERSION) != FORMAT_VERSION:
            raise KeyringError(f"{source}: unsupported version {document.get('version')!r}")
        active = _required(document, "active", str, source)
        keys = _required(document, "keys", dict, source)
        if not keys:
            raise KeyringError(f"{source}: 'keys' is empty")
        if active not in keys:
            raise KeyringError(f"{source}: active key {active!r} is not listed in 'keys'")
        root_keys = {_checked_id(key_id, source): _decode_key(value, f"{source}: root key {key_id!r}")
                     for key_id, value in keys.items()}
        index_key = _decode_key(_required(document, "index_key", str, source), f"{source}: index_key")
        audit_key = document.get("audit_key")
        if audit_key is not None:
            audit_key = _decode_key(audit_key, f"{source}: audit_key")
        return cls(active, root_keys, index_key, audit_key)

    def to_json(self) -> str:
        document = {
            "version": FORMAT_VERSION,
            "active": self.active_id,
            "keys": {key_id: _encode_key(key) for key_id, key in sorted(self.root_keys.items())},
            "index_key": _encode_key(self.index_key),
        }
        if self.audit_key is not None:
            document["audit_key"] = _encode_key(self.audit_key)
        return json.dumps(document, indent=2) + "\n"


def new_root_key_id(existing) -> str:
    """A readable, sortable, unique id such as ``k20260115-3fa9``."""
    while True:
        key_id = f"k{datetime.now(timezone.utc):%Y%m%d}-{secrets.token_hex(2)}"
        if key_id not in existing:
            return key_id


def _required(document: dict, name: str, kind: type, source: str):
    value = document.get(name)
    if not isinstance(value, kind):
        expected = "string" if kind is str else "JSON object"
        raise KeyringError(f"{source}: '{name}' is missing or not a {expected}")
    return value


def _checked_id(key_id: str, source: str) -> str:
    try:
        _check_key_id(key_id)
    except KeyringError as exc:
        raise KeyringError(f"{source}: {exc}") from None
    return key_id


def _check_key_id(key_id: object) -> None:
    if not isinstance(key_id, str) or not _KEY_ID.match(key_id):
        raise KeyringError(f"invalid root key id {key_id!r}: use 1-64 characters of A-Z a-z 0-9 . _ -")


def _check_key_length(key: object, what: str) -> None:
    if not isinstance(key, bytes) or len(key) != KEY_BYTES:
        raise KeyringError(f"{what} must be {KEY_BYTES} bytes")


def _decode_key(value: object, what: str) -> bytes:
    if not isinstance(value, str):
        raise KeyringError(f"{what} must be a base64 string")
    try:
        key = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise KeyringError(f"{what} is not valid base64") from None
    if len(key) != KEY_BYTES:
        raise KeyringError(f"{what} must decode to {KEY_BYTES} bytes, not {len(key)}")
    return key


def _encode_key(key: bytes) -> str:
    return base64.b64encode(key).decode("ascii")


def read_key_file(path: str | os.PathLike) -> Keyring:
    path = Path(path)
    try:
        info = path.stat()
    except FileNotFoundError:
        raise KeyringError(f"key file {path} does not exist (create it with `flask keys generate`)") from None
    if not stat.S_ISREG(info.st_mode):
        raise KeyringError(f"key file {path} is not a regular file")
    if os.name == "posix" and info.st_mode & 0o077:
        raise KeyringError(
            f"key file {path} is accessible to group or others (mode {stat.S_IMODE(info.st_mode):o}); "
            f"run: chmod 600 {path}"
        )
    return Keyring.from_json(path.read_text(encoding="utf-8"), source=f"key file {path}")


def _write_new_file(path: Path, content: str) -> None:
    """Create `path` with mode 0600; fail if it exists (O_EXCL, so no race)."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.fchmod(fd, 0o600)
        os.write(fd, content.encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)


def generate_key_file(path: str | os.PathLike) -> Keyring:
    """Write a new key file (mode 0600). Refuses to overwrite: that would lose every key."""
    path = Path(path)
    keyring = Keyring.generate()
    try:
        _write_new_file(path, keyring.to_json())
    except FileExistsError:
        raise KeyringError(f"key file {path} already exists; refusing to overwrite it") from None
    return keyring


def _replace_key_file(path: Path, keyring: Keyring) -> Keyring:
    """Write `keyring` over the key file atomically, then overwrite the old file's bytes.

    The new file is complete on disk (fsync, rename) before the old content is
    touched, so a crash loses nothing. The old inode, still open here, is then
    overwritten with zeros: on filesystems that write in place this removes
    retired keys from the disk; on copy-on-write or journalled data it cannot,
    which is why the README asks for the key file to live on encrypted storage.
    """
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    old = os.open(path, os.O_RDWR)
    try:
        _write_new_file(temporary, keyring.to_json())
        try:
            os.replace(temporary, path)
        except OSError:
            temporary.unlink(missing_ok=True)
            raise
        size = os.fstat(old).st_size
        os.pwrite(old, b"\0" * size, 0)
        os.fsync(old)
    finally:
        os.close(old)
    return keyring


def add_root_key(path: str | os.PathLike) -> Keyring:
    """Add a fresh root key to the key file and make it active, atomically."""
    path = Path(path)
    return _replace_key_file(path, read_key_file(path).with_new_active_key())


def add_audit_key(path: str | os.PathLike) -> Keyring:
    """Add the audit key to a key file written before it existed (refuses to replace one)."""
    path = Path(path)
    return _replace_key_file(path, read_key_file(path).with_audit_key())


def remove_root_keys(path: str | os.PathLike, key_ids) -> Keyring:
    """Retire root keys: rewrite the key file without them (and overwrite the old file's bytes).

    Raises KeyringError for the active key or an id the file does not hold.
    Whether the keys may be retired (no live data key, no retained backup
    needs them) is `caseapp.security.key_schedule`'s decision, not this one's.
    """
    path = Path(path)
    keyring = read_key_file(path)
    missing = sorted(set(key_ids) - set(keyring.key_ids))
    if missing:
        raise KeyringError(f"key file {path} holds no root key {', '.join(missing)}")
    return _replace_key_file(path, keyring.without_root_keys(key_ids))


def load_keyring(keys_json: str | None, key_file: str | os.PathLike | None) -> Keyring | None:
    """The keyring from CASEAPP_KEYS, else from CASEAPP_KEY_FILE if it exists, else None.

    Malformed keys always raise: a typo must not look like "no keys".
    """
    if keys_json and keys_json.strip():
        return Keyring.from_json(keys_json, source="CASEAPP_KEYS")
    if key_file and Path(key_file).exists():
        return read_key_file(key_file)
    return None


def init_app(app: Flask) -> None:
    """Load the keyring into ``app.extensions``; refuse to start without keys when required."""
    try:
        keyring = load_keyring(app.config.get("CASEAPP_KEYS"), app.config.get("CASEAPP_KEY_FILE"))
    except KeyringError as exc:
        raise RuntimeError(f"caseapp cannot start: {exc}") from None
    if keyring is None and app.config.get("KEYS_REQUIRED"):
        raise RuntimeError(
            "caseapp refuses to start without root keys: set CASEAPP_KEYS to the key JSON, "
            "or CASEAPP_KEY_FILE to a key file (create one with "
            "`python -m caseapp.security.keyring generate PATH`)."
        )
    if keyring is not None and keyring.audit_key is None and app.config.get("KEYS_REQUIRED"):
        raise RuntimeError(
            "caseapp refuses to start without an audit key: add one to the key file with "
            "`python -m caseapp.security.keyring add-audit-key PATH` (or an \"audit_key\" to CASEAPP_KEYS)."
        )
    app.extensions[EXTENSION_KEY] = keyring


def current_keyring() -> Keyring:
    """The running app's keyring, or a clear error when there is none."""
    if not has_app_context():
        raise KeyringUnavailable("root keys are only available inside an application context")
    keyring = current_app.extensions.get(EXTENSION_KEY)
    if keyring is None:
        raise KeyringUnavailable(
            "no root keys are configured: set CASEAPP_KEYS or CASEAPP_KEY_FILE "
            "(`flask keys generate` creates a key file)"
        )
    return keyring


def main(argv: list[str] | None = None) -> int:
    """``python -m caseapp.security.keyring generate|add-root|add-audit-key PATH``.

    For production, where the app refuses to start (and so `flask keys`
    cannot run) until a key exists.
    """
    args = sys.argv[1:] if argv is None else argv
    actions = {"generate": generate_key_file, "add-root": add_root_key, "add-audit-key": add_audit_key}
    if len(args) != 2 or args[0] not in actions:
        print("usage: python -m caseapp.security.keyring generate|add-root|add-audit-key PATH", file=sys.stderr)
        return 2
    try:
        keyring = actions[args[0]](args[1])
    except KeyringError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"{args[1]}: active root key {keyring.active_id}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
