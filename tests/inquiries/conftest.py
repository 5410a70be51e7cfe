import pytest

from tests.conftest import csrf_token
from tests.interpretation.conftest import post_form  # noqa: F401  (the same form helper)


@pytest.fixture(autouse=True)
def english(request):
    """Assertions read English (the source language), so translating the UI cannot break them."""
    if "client" in request.fixturenames:
        client = request.getfixturevalue("client")
        client.post("/language", data={"locale": "en", "next": "/", "csrf_token": csrf_token(client)})
