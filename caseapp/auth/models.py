from __future__ import annotations

from datetime import datetime

import uuid

from sqlalchemy import Boolean, Column, ForeignKey, Integer, LargeBinary, String, Table, Uuid, and_
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caseapp.extensions import db
from caseapp.models_base import UTCDateTime, utcnow
from caseapp.security.key_models import DataKey
from caseapp.security.permissions import Role, role_has
from caseapp.structures.models import Structure

user_structures = Table(
    "user_structures",
    db.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("structure_id", ForeignKey("structures.id"), primary_key=True),
)


class User(db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    display_name: Mapped[str] = mapped_column(String(128), nullable=False)
    role: Mapped[str] = mapped_column(String(16), nullable=False)
    password_hash: Mapped[str] = mapped_column(String(255), nullable=False)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    must_change_password: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    locale: Mapped[str | None] = mapped_column(String(8))
    # Second factor (TOTP): the secret is sealed under the user's own data key.
    totp_key_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("data_keys.id"))
    totp_secret_ct: Mapped[bytes | None] = mapped_column("totp_secret", LargeBinary)
    totp_enabled: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    totp_last_step: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    # Only confirmed memberships: a grant of a confidential structure waiting for a supervisor's
    # confirmation is an `AccessRequest`, not a row here, so no scoping query can see it.
    structures: Mapped[list[Structure]] = relationship(secondary=user_structures, order_by=Structure.code)
    totp_key: Mapped[DataKey | None] = relationship()
    pending_access_requests: Mapped[list[AccessRequest]] = relationship(
        primaryjoin=lambda: and_(AccessRequest.user_id == User.id, AccessRequest.status == "pending"),
        order_by=lambda: AccessRequest.id, viewonly=True)

    __mapper_args__ = {"version_id_col": version}

    # Flask-Login protocol
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return str(self.id)

    def has_permission(self, permission: str) -> bool:
        return self.active and role_has(self.role, permission)

    @property
    def role_enum(self) -> Role:
        return Role(self.role)

    @property
    def structure_ids(self) -> list[int]:
        return [s.id for s in self.structures]

    def needs_second_factor_enrolment(self, required_roles) -> bool:
        return self.role in required_roles and not self.totp_enabled

    @property
    def confidential_structures(self) -> list[Structure]:
        """The confirmed memberships whose staff changes need a supervisor's confirmation."""
        return [s for s in self.structures if s.confidential]

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role}>"


class AuthSession(db.Model):
    """A server-side login session; the cookie holds only the random token.

    Only the SHA-256 of the token is stored, so a database leak does not hand
    out live sessions. Ending the row ends the session wherever the cookie is.
    """

    __tablename__ = "auth_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    end_reason: Mapped[str | None] = mapped_column(String(32))
    # Password checked, TOTP code still to come: not yet a logged-in session.
    second_factor_pending: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)

    user: Mapped[User] = relationship()


class AccessRequest(db.Model):
    """A change that would open a confidential structure to someone, waiting for four eyes.

    An administrator's grant of a confidential structure (new user, added structure, role
    widened), reactivation of its staff, and reset of their password or second factor are
    stored here instead of being applied. An active supervisor of `structure` (neither the
    requester nor the user concerned) confirms or refuses it; only a confirmation applies it.
    One action touching several confidential structures (a reset for someone at SHELTER-W
    and GBV-CC) makes one row per structure sharing a `batch`; it applies once every row of
    the batch is confirmed, and a refusal of any row refuses the batch.

    `password_hash` holds the argon2id hash of a pending one-time password (reset_password
    only) and is cleared as soon as the request is decided.
    """

    __tablename__ = "access_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(24), nullable=False)
    batch: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False, default=uuid.uuid4, index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    structure_id: Mapped[int] = mapped_column(ForeignKey("structures.id"), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="pending")
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    refusal_reason: Mapped[str | None] = mapped_column(String(500))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    structure: Mapped[Structure] = relationship()
    requested_by: Mapped[User | None] = relationship(foreign_keys=[requested_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_pending(self) -> bool:
        return self.status == "pending"


class LoginThrottle(db.Model):
    """Failed attempts for one (account, client address) pair; see `caseapp.auth.throttle`.

    Both parts of the key are HMACs (never a name or an address in clear), and a row exists
    for unknown usernames too, so the database work does not tell whether an account exists.
    """

    __tablename__ = "login_throttles"

    account_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    address_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    last_failure_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    blocked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    touched_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, index=True)
