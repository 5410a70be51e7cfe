"""TOTP second factor (RFC 6238): secrets sealed at rest, codes single-use.

The secret is encrypted with AES-GCM under a data key of the user's own
(wrapped by the root key like every other data key, so `flask keys rotate`
covers it) and bound to that key, so it cannot be moved to another user. A code is accepted once: the time
step it belongs to is remembered, and that step or an earlier one is refused.
"""
from __future__ import annotations

import io

import pyotp
import segno

from caseapp.auth.models import User
from caseapp.models_base import utcnow
from caseapp.security import crypto
from caseapp.security.key_models import DataKey

ISSUER = "caseapp"
VALID_WINDOW = 1  # one 30-second step either side, for clock drift


def _aad(user: User) -> bytes:
    """Bound to the user's own key (users have integer ids; their TOTP key has a UUID)."""
    return crypto.aad_for("users", "totp_secret", user.totp_key.id)


def start_enrolment(user: User) -> str:
    """Give the user a new, not yet enabled, secret; returns it (base32)."""
    if user.totp_key is None or user.totp_key.is_destroyed:
        user.totp_key = DataKey.create()
    secret = pyotp.random_base32()
    key = user.totp_key
    user.totp_secret_ct = crypto.seal(key.plain_key(), key.id, secret, _aad(user))
    user.totp_enabled = False
    user.totp_last_step = None
    return secret


def secret_of(user: User) -> str | None:
    if user.totp_secret_ct is None or user.totp_key is None or user.totp_key.is_destroyed:
        return None
    return crypto.open_sealed(user.totp_key.plain_key(), bytes(user.totp_secret_ct), _aad(user))


def provisioning_uri(user: User) -> str:
    return pyotp.TOTP(secret_of(user)).provisioning_uri(name=user.username, issuer_name=ISSUER)


def qr_svg(user: User) -> bytes:
    """A standalone SVG document (with its namespace, so browsers draw it as an image)."""
    buffer = io.BytesIO()
    segno.make(provisioning_uri(user), error="m").save(buffer, kind="svg", scale=4, title=ISSUER)
    return buffer.getvalue()


def accept_code(user: User, code: str) -> bool:
    """True when `code` is valid now and not used before; remembers its time step."""
    secret = secret_of(user)
    code = "".join(ch for ch in (code or "") if ch.isdigit())
    if not secret or len(code) != 6:
        return False
    totp = pyotp.TOTP(secret)
    now = totp.timecode(utcnow())
    for step in range(now - VALID_WINDOW, now + VALID_WINDOW + 1):
        if totp.generate_otp(step) == code:
            if user.totp_last_step is not None and step <= user.totp_last_step:
                return False
            user.totp_last_step = step
            return True
    return False


def clear(user: User) -> None:
    """Remove the second factor (an admin reset, e.g. after a lost phone)."""
    user.totp_secret_ct = None
    user.totp_enabled = False
    user.totp_last_step = None
    if user.totp_key is not None:
        user.totp_key.destroy()
