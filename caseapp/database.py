"""Engine settings that apply to every connection, and a private SQLite file."""
import logging
import os
import unicodedata
from pathlib import Path

from sqlalchemy import String, event, literal
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

log = logging.getLogger(__name__)

_configured = False
SQLITE_BUSY_SECONDS = 30


def configure_engine_events() -> None:
    """SQLite: enforce foreign keys, and let SQLAlchemy drive transactions so
    SAVEPOINTs work (pysqlite's own BEGIN handling breaks them).

    Every SQLite transaction begins IMMEDIATE: it takes the write lock first, so two
    requests at once queue (up to the busy timeout, `SQLITE_BUSY_SECONDS`) instead of the
    second failing with "database is locked" when it writes after reading (every page
    writes its audit event). SQLite is the development and test database; PostgreSQL's
    row locks serve production."""
    global _configured
    if _configured:
        return
    _configured = True

    @event.listens_for(Engine, "connect")
    def _sqlite_on_connect(dbapi_connection, _record):
        if _is_sqlite(dbapi_connection):
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={int(SQLITE_BUSY_SECONDS * 1000)}")
            cursor.close()
            # lower() and LIKE fold ASCII only there: `folded` compares Greek without case or accents.
            dbapi_connection.create_function("app_fold", 1, fold_text, deterministic=True)

    @event.listens_for(Engine, "begin")
    def _sqlite_on_begin(connection):
        if connection.dialect.name == "sqlite":
            connection.exec_driver_sql("BEGIN IMMEDIATE")


def _is_sqlite(dbapi_connection) -> bool:
    return type(dbapi_connection).__module__.startswith("sqlite3")


def prepare_sqlite_file(url: str) -> Path | None:
    """Create a file-backed SQLite database readable by its owner only, before SQLite does.

    SQLite would create the file with the process umask (typically 0644: world-readable,
    and it holds ciphertexts, blind indexes and the audit log). The directory is created
    0700 and the file 0600; SQLite gives its journal the database file's mode. An existing
    file with group or other permissions is tightened to 0600 (and a warning logged).
    In-memory databases are left alone. Returns the file's path, or None.
    """
    parsed = make_url(url)
    database = parsed.database
    if parsed.get_backend_name() != "sqlite" or not database or database == ":memory:" \
            or database.startswith("file:") or parsed.query.get("mode") == "memory":
        return None
    path = Path(database)
    if not path.parent.exists():
        path.parent.mkdir(mode=0o700, parents=True)
    if not path.exists():
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    elif os.name == "posix" and path.stat().st_mode & 0o077:
        log.warning("Database file %s was readable by others; its mode is now 0600.", path)
        path.chmod(0o600)
    return path


# --- text compared without case or accents, the same on both databases --------------------------


def fold_text(text: str | None) -> str | None:
    """`text` for comparison: accents and other marks dropped, case folded ("Αθήνα" → "αθηνα",
    "ς" → "σ", "Émile" → "emile")."""
    if text is None:
        return None
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _fold_table() -> tuple[str, str]:
    """Greek (with polytonic) and accented Latin letters, each with its one-letter fold, so that
    PostgreSQL's translate() folds them whatever the database's locale."""
    ranges = [(0x00C0, 0x024F), (0x0370, 0x03FF), (0x1F00, 0x1FFF)]
    source, target = [], []
    for start, end in ranges:
        for point in range(start, end + 1):
            char = chr(point)
            if unicodedata.category(char)[0] != "L":
                continue
            folded_char = fold_text(char)
            if len(folded_char) == 1 and folded_char != char:
                source.append(char)
                target.append(folded_char)
    return "".join(source), "".join(target)


_FOLD_FROM, _FOLD_TO = _fold_table()


class folded(FunctionElement):
    """SQL: the column's text as `fold_text` gives it (compare with `fold_text(typed)`)."""

    type = String()
    inherit_cache = True


@compiles(folded)
def _folded_postgresql(element, compiler, **kw):
    (argument,) = list(element.clauses)
    return "lower(translate(%s, %s, %s))" % (compiler.process(argument, **kw),
                                            compiler.process(literal(_FOLD_FROM), **kw),
                                            compiler.process(literal(_FOLD_TO), **kw))


@compiles(folded, "sqlite")
def _folded_sqlite(element, compiler, **kw):
    (argument,) = list(element.clauses)
    return "app_fold(%s)" % compiler.process(argument, **kw)
