"""Helpers for referral tests that drive the real pages."""
from __future__ import annotations

import pytest

from tests.conftest import csrf_token


@pytest.fixture
def post_form(client):
    """POST `fields` to `path` with a CSRF token taken from the page at `token_from` (or `path`)."""

    def _post(path: str, token_from: str | None = None, **fields):
        data = {"csrf_token": csrf_token(client, token_from or path)}
        data.update({name: value for name, value in fields.items() if value is not None})
        return client.post(path, data=data)

    return _post
