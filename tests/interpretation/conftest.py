"""Helpers for interpretation tests that drive the real pages."""
from __future__ import annotations

import pytest

from tests.conftest import csrf_token


def form_data(client, path: str, **fields) -> dict:
    data = {"csrf_token": csrf_token(client, path)}
    data.update({name: value for name, value in fields.items() if value is not None})
    return data


@pytest.fixture
def post_form(client):
    """POST `fields` to `path` with a CSRF token taken from the page at `token_from` (or `path`)."""

    def _post(path: str, token_from: str | None = None, **fields):
        return client.post(path, data=form_data(client, token_from or path, **fields))

    return _post
