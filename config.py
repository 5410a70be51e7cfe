"""Configuration classes, read from environment variables.

`create_app()` picks one by `CASEAPP_ENV` (development, test, production) and
calls its `validate()`, which refuses unsafe production settings.
"""
from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent
INSTANCE = ROOT / "instance"


def _env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


class Config:
    ENV_NAME = "development"
    DEBUG = False
    TESTING = False
    SECRET_KEY = os.environ.get("SECRET_KEY") or "dev-only-secret-key-not-for-production-use"
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL") or f"sqlite:///{INSTANCE / 'caseapp.sqlite'}"
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}

    # Root keys for field encryption: outside code and database.
    CASEAPP_KEYS = os.environ.get("CASEAPP_KEYS")
    CASEAPP_KEY_FILE = os.environ.get("CASEAPP_KEY_FILE") or str(INSTANCE / "dev-keys.json")
    KEYS_REQUIRED = False
    BLIND_INDEX_EXPECTED_ROWS = _env_int("BLIND_INDEX_EXPECTED_ROWS", 1_000_000)
    # Erasure reaches backups through root-key retirement (caseapp/security/key_schedule.py):
    # a new root key at least every ROOT_KEY_ROTATION_DAYS, database backups kept
    # BACKUP_RETENTION_DAYS, so a backup is unreadable at the latest their sum (+1 day) after it.
    ROOT_KEY_ROTATION_DAYS = _env_int("ROOT_KEY_ROTATION_DAYS", 30)
    BACKUP_RETENTION_DAYS = _env_int("BACKUP_RETENTION_DAYS", 30)
    # Signed audit checkpoints, kept outside the database (caseapp/security/audit_checkpoints.py).
    AUDIT_CHECKPOINT_DIR = os.environ.get("AUDIT_CHECKPOINT_DIR") or str(INSTANCE / "audit-checkpoints")

    # Sessions: the cookie only carries a random session id; state is on the server.
    SESSION_COOKIE_NAME = "caseapp_session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    SESSION_IDLE_TIMEOUT = timedelta(minutes=_env_int("SESSION_IDLE_MINUTES", 30))
    SESSION_ABSOLUTE_TIMEOUT = timedelta(hours=_env_int("SESSION_ABSOLUTE_HOURS", 10))
    # The timeout warning (a dialog with "Stay signed in") opens this long before the session ends.
    SESSION_TIMEOUT_WARNING = timedelta(seconds=_env_int("SESSION_WARNING_SECONDS", 120))
    # The cookie is a browser-session cookie (no Expires/Max-Age: it ends when the browser
    # closes, since caseworkers share computers); the timeouts above are enforced on the server.
    WTF_CSRF_TIME_LIMIT = None  # the CSRF token lives as long as the session
    # The same content sent again from the same form within this time is not saved twice (caseapp/submissions.py).
    SUBMISSION_REPEAT_SECONDS = _env_int("SUBMISSION_REPEAT_SECONDS", 120)
    # A structure's request to the holders about the same details stays open this many days (caseapp/inquiries).
    INQUIRY_OPEN_DAYS = _env_int("INQUIRY_OPEN_DAYS", 30)

    # Login throttling: Flask-Limiter rates, and growing delays per (account, address) in
    # the database (caseapp/auth/throttle.py). No account lock.
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_LIMIT_PER_ADDRESS = os.environ.get("LOGIN_LIMIT_PER_ADDRESS", "30 per minute")
    LOGIN_LIMIT_PER_USERNAME = os.environ.get("LOGIN_LIMIT_PER_USERNAME", "15 per minute")
    LOGIN_THROTTLE_AFTER = _env_int("LOGIN_THROTTLE_AFTER", 5)
    LOGIN_THROTTLE_BASE = timedelta(seconds=_env_int("LOGIN_THROTTLE_BASE_SECONDS", 30))
    LOGIN_THROTTLE_MAX = timedelta(minutes=_env_int("LOGIN_THROTTLE_MAX_MINUTES", 60))
    LOGIN_THROTTLE_RESET = timedelta(hours=_env_int("LOGIN_THROTTLE_RESET_HOURS", 24))
    LOGIN_USUAL_ADDRESS_DAYS = _env_int("LOGIN_USUAL_ADDRESS_DAYS", 90)

    # Roles that must use a TOTP second factor (enrolment is forced at their next page view).
    TOTP_REQUIRED_ROLES = tuple(filter(None, os.environ.get("TOTP_REQUIRED_ROLES", "").split(",")))
    SECOND_FACTOR_TIMEOUT = timedelta(minutes=5)

    # Password hashing: argon2id (RFC 9106 second recommended option by default).
    ARGON2_TIME_COST = _env_int("ARGON2_TIME_COST", 3)
    ARGON2_MEMORY_COST = _env_int("ARGON2_MEMORY_COST", 65536)
    ARGON2_PARALLELISM = _env_int("ARGON2_PARALLELISM", 4)

    BABEL_DEFAULT_LOCALE = "el"
    BABEL_DEFAULT_TIMEZONE = "Europe/Athens"
    LANGUAGES = ("el", "en")
    BABEL_TRANSLATION_DIRECTORIES = str(ROOT / "translations")

    PREFERRED_URL_SCHEME = "http"
    # Number of reverse proxies in front of the app whose X-Forwarded-For/-Proto to trust.
    TRUSTED_PROXIES = _env_int("TRUSTED_PROXIES", 0)
    DEMO_DATA_ALLOWED = True
    PAGE_SIZE = 50
    # Interpretation: an in-person booking keeps the interpreter busy this long after it (travel).
    INTERPRETATION_TRAVEL_BUFFER_MINUTES = _env_int("INTERPRETATION_TRAVEL_BUFFER_MINUTES", 30)
    # Referrals: working days (Greek public holidays excluded) from sending to the due date, per urgency.
    REFERRAL_DUE_WORKING_DAYS = {
        "routine": _env_int("REFERRAL_DAYS_ROUTINE", 10),
        "urgent": _env_int("REFERRAL_DAYS_URGENT", 3),
        "emergency": _env_int("REFERRAL_DAYS_EMERGENCY", 1),
    }

    # Request size: a bigger body is refused (413) before it is read or parsed, whether it
    # announces its length or is streamed (chunked). Forms here are text; nothing is uploaded.
    MAX_CONTENT_LENGTH = _env_int("MAX_CONTENT_LENGTH", 1024 * 1024)
    # Werkzeug's form limits: the size of a form's text held in memory, and its number of fields.
    MAX_FORM_MEMORY_SIZE = _env_int("MAX_FORM_MEMORY_SIZE", 1024 * 1024)
    MAX_FORM_PARTS = _env_int("MAX_FORM_PARTS", 1000)

    @classmethod
    def validate(cls) -> None:
        """Refuse settings that are unsafe for this environment."""


class DevelopmentConfig(Config):
    DEBUG = _env_bool("FLASK_DEBUG", False)


class TestConfig(Config):
    ENV_NAME = "test"
    TESTING = True
    SECRET_KEY = "test-secret-key-that-is-long-enough-0123456789"
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL") or "sqlite://"
    CASEAPP_KEY_FILE = None
    AUDIT_CHECKPOINT_DIR = None  # each test gets its own directory (tests/conftest.py)
    RATELIMIT_STORAGE_URI = "memory://"
    LOGIN_LIMIT_PER_ADDRESS = "30 per minute"
    LOGIN_LIMIT_PER_USERNAME = "15 per minute"
    # Cheap hashes keep the suite fast; production parameters are tested separately.
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_COST = 1024
    ARGON2_PARALLELISM = 1
    BLIND_INDEX_EXPECTED_ROWS = 10_000


class ProductionConfig(Config):
    ENV_NAME = "production"
    SECRET_KEY = os.environ.get("SECRET_KEY")
    CASEAPP_KEY_FILE = os.environ.get("CASEAPP_KEY_FILE")
    KEYS_REQUIRED = True
    TOTP_REQUIRED_ROLES = tuple(filter(None, os.environ.get(
        "TOTP_REQUIRED_ROLES", "supervisor,coordinator,admin").split(",")))
    SESSION_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"
    DEMO_DATA_ALLOWED = False
    DEBUG = _env_bool("FLASK_DEBUG", False)

    @classmethod
    def validate(cls) -> None:
        secret = cls.SECRET_KEY or ""
        if len(secret.encode()) < 32:
            raise RuntimeError("SECRET_KEY must be set to at least 32 bytes in production.")
        if cls.DEBUG:
            raise RuntimeError("Debug mode must be off in production.")
        if not os.environ.get("DATABASE_URL"):
            raise RuntimeError("DATABASE_URL must be set in production.")
        if cls.ROOT_KEY_ROTATION_DAYS < 1 or cls.BACKUP_RETENTION_DAYS < 0:
            raise RuntimeError("ROOT_KEY_ROTATION_DAYS must be at least 1 and BACKUP_RETENTION_DAYS at least 0.")


CONFIGS = {
    "development": DevelopmentConfig,
    "test": TestConfig,
    "production": ProductionConfig,
}


def config_for(name: str | None) -> type[Config]:
    name = name or os.environ.get("CASEAPP_ENV", "development")
    try:
        return CONFIGS[name]
    except KeyError:
        raise RuntimeError(f"Unknown CASEAPP_ENV {name!r}; use one of {', '.join(CONFIGS)}.") from None
