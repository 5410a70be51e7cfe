"""The SQLite database file is the owner's alone: 0600, in a 0700 directory."""
from __future__ import annotations

import os
import stat

import pytest
from sqlalchemy import text

from caseapp import create_app
from caseapp.extensions import db
from tests.conftest import TEST_KEYS


@pytest.fixture
def usual_umask():
    previous = os.umask(0o022)  # what most servers run with: files 0644, directories 0755
    yield
    os.umask(previous)


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def _write_something(url: str) -> None:
    app = create_app("test", SQLALCHEMY_DATABASE_URI=url, CASEAPP_KEYS=TEST_KEYS)
    with app.app_context():
        db.session.execute(text("CREATE TABLE IF NOT EXISTS probe (x INTEGER)"))
        db.session.execute(text("INSERT INTO probe VALUES (1)"))
        db.session.commit()
        db.engine.dispose()


def test_a_new_sqlite_database_and_its_directory_are_private(tmp_path, usual_umask):
    directory = tmp_path / "instance"
    path = directory / "caseapp.sqlite"
    _write_something(f"sqlite:///{path}")
    assert _mode(path) == 0o600
    assert _mode(directory) == 0o700


def test_an_existing_world_readable_database_is_made_private(tmp_path, usual_umask):
    path = tmp_path / "old.sqlite"
    path.touch(mode=0o644)
    os.chmod(path, 0o644)
    _write_something(f"sqlite:///{path}")
    assert _mode(path) == 0o600


def test_an_in_memory_database_creates_no_file(tmp_path, usual_umask, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _write_something("sqlite://")
    assert list(tmp_path.iterdir()) == []
