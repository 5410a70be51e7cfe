"""Requests of any size are refused before they are read: a 413 page, never a parsed 50 MB body."""
from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from werkzeug import formparser

from tests.conftest import csrf_token

FIFTY_MB = 50 * 1024 * 1024
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def parses(monkeypatch):
    """Counts how often Werkzeug starts parsing a form body."""
    calls = []
    original = formparser.FormDataParser.parse

    def counting(self, *args, **kwargs):
        calls.append(1)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(formparser.FormDataParser, "parse", counting)
    return calls


def _is_413_page(response) -> bool:
    text = response.get_data(as_text=True)
    return response.status_code == 413 and "1 MB" in text and "<html" in text


def test_a_50_mb_anonymous_post_is_refused_with_413_before_it_is_parsed(client, parses):
    body = b"username=admin&password=" + b"x" * FIFTY_MB
    response = client.post("/login", data=body, content_type="application/x-www-form-urlencoded")
    assert _is_413_page(response)
    assert parses == []


def test_a_streamed_body_without_content_length_is_cut_at_the_limit(client):
    stream = io.BytesIO(b"username=admin&password=" + b"x" * (5 * 1024 * 1024))
    response = client.post("/login", input_stream=stream, content_type="application/x-www-form-urlencoded",
                           headers={"Transfer-Encoding": "chunked"},
                           environ_overrides={"wsgi.input_terminated": True})
    assert _is_413_page(response)
    assert stream.tell() <= 1024 * 1024 + 64 * 1024  # stopped reading near the limit


def test_a_large_body_to_a_page_that_reads_no_form_is_refused_too(client):
    response = client.post("/language", data=b"locale=en&next=/" + b"&x=" * 400_000,
                           content_type="application/x-www-form-urlencoded")
    assert _is_413_page(response)


def test_a_multipart_form_with_thousands_of_fields_is_refused(client):
    token = csrf_token(client)
    fields = {f"f{i}": "x" for i in range(2000)}
    response = client.post("/login", data={"csrf_token": token, **fields}, content_type="multipart/form-data")
    assert response.status_code == 413


def test_a_normal_form_below_the_limit_is_accepted(client):
    token = csrf_token(client)
    response = client.post("/login", data={"csrf_token": token, "username": "nobody", "password": "x" * 100})
    assert response.status_code == 200
    assert "Wrong username or password" in response.get_data(as_text=True) or "λάθος" in response.get_data(
        as_text=True).lower()


def test_the_limit_is_configurable(monkeypatch):
    import importlib

    import config

    monkeypatch.setenv("MAX_CONTENT_LENGTH", "2048")
    try:
        assert importlib.reload(config).Config.MAX_CONTENT_LENGTH == 2048
    finally:
        monkeypatch.delenv("MAX_CONTENT_LENGTH")
        importlib.reload(config)


def test_every_environment_variable_is_in_the_readme_configuration_table():
    source = (ROOT / "config.py").read_text()
    names = set(re.findall(r'(?:environ\.get|_env_int|_env_bool)\(\s*"([A-Z0-9_]+)"', source))
    readme = (ROOT / "README.md").read_text()
    table = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    missing = sorted(name for name in names if f"`{name}`" not in table)
    assert "MAX_CONTENT_LENGTH" in names
    assert missing == []
