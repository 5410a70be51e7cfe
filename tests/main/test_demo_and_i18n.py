import subprocess
import sys
from pathlib import Path

from caseapp.auth.service import find_user
from caseapp.demo import DEMO_PASSWORD, DEMO_USERS
from tests.conftest import csrf_token, make_app

ROOT = Path(__file__).resolve().parents[2]


def test_demo_load_creates_one_user_per_role_and_prints_logins(app, client, db_session):
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 0
    assert DEMO_PASSWORD in result.output
    roles = {find_user(username).role for username, *_ in DEMO_USERS}
    assert roles == {"caseworker", "supervisor", "coordinator", "admin", "interpreter"}
    again = app.test_cli_runner().invoke(args=["demo", "load"])
    assert again.exit_code == 0
    response = client.post("/login", data={"username": "caseworker", "password": DEMO_PASSWORD,
                                           "csrf_token": csrf_token(client)})
    assert response.status_code == 302
    listing = client.get("/beneficiaries/").get_data(as_text=True)
    assert "Haddad" in listing and "Rahimi" in listing
    assert "Papadopoulou" not in listing and "Mbeki" not in listing  # other structures' people


def test_demo_load_is_refused_in_production(database_url):
    app = make_app(database_url, DEMO_DATA_ALLOWED=False)
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code != 0 and "refused" in result.output


def test_catalogues_are_complete():
    """Every translatable string in the code has a Greek and an English translation."""
    pot = ROOT / "translations" / "messages.pot"
    before = pot.read_bytes()
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg", "-k", "_l",
                    "-k", "lazy_gettext", "--no-location", "--sort-output", "--omit-header", "-o",
                    str(pot.with_suffix(".check")), "."], check=True, cwd=ROOT, capture_output=True)
    try:
        sys.path.insert(0, str(ROOT / "scripts"))
        import i18n

        assert i18n.missing("el", template=pot.with_suffix(".check")) == []
        assert i18n.missing("en", template=pot.with_suffix(".check")) == []
    finally:
        pot.with_suffix(".check").unlink()
        assert pot.read_bytes() == before


def test_compiled_catalogues_are_used(client):
    assert "Σύνδεση" in client.get("/login").get_data(as_text=True)
