import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from caseapp.auth import passwords
from caseapp.auth import service
from tests.factories import make_user


@pytest.mark.parametrize("weak", ["short", "password1234", "qwertyuiopasdf", "123456789012", "aaaaaaaaaaaaaaaa",
                                  "iloveyou12345"])
def test_common_or_short_passwords_are_refused(app, weak):
    with app.test_request_context():
        assert passwords.password_problems(weak)


def test_no_composition_rules_a_long_phrase_is_fine(app):
    with app.test_request_context():
        assert passwords.password_problems("lantern orbit tram river") == []


def test_length_limits(app):
    with app.test_request_context():
        assert passwords.password_problems("x7#kQ!" * 22)  # 132 characters
        assert passwords.password_problems("Zq9#mL2@vR8!" + "wp4$" * 29) == []  # 128 characters


def test_the_username_is_not_a_password(db_session):
    with pytest.raises(service.UserError):
        make_user("caseworker", username="konstantinos.papadopoulos", password="konstantinos.papadopoulos")


def test_hashes_are_argon2id(db_session):
    user = make_user("caseworker")
    assert user.password_hash.startswith("$argon2id$")


@settings(max_examples=25, deadline=None)
@given(st.text(min_size=1, max_size=40))
def test_verify_never_accepts_another_password(app, other):
    with app.test_request_context():
        stored = passwords.hash_password("the real passphrase here")
        assert passwords.verify_password(stored, "the real passphrase here")
        if other != "the real passphrase here":
            assert not passwords.verify_password(stored, other)


def test_users_create_reads_the_password_from_stdin(app, db_session):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "create", "eleni", "--role", "caseworker", "--structure", "KEM",
                                 "--structure", "DIS-PROG"], input="river lantern orbit tram\n")
    assert result.exit_code == 0, result.output
    user = service.find_user("eleni")
    assert [s.code for s in user.structures] == ["DIS-PROG", "KEM"]
    assert passwords.verify_password(user.password_hash, "river lantern orbit tram")


def test_users_create_refuses_a_weak_password_and_unknown_structure(app, db_session):
    runner = app.test_cli_runner()
    weak = runner.invoke(args=["users", "create", "weak", "--role", "caseworker", "--structure", "KEM"],
                         input="password\n")
    assert weak.exit_code != 0 and service.find_user("weak") is None
    unknown = runner.invoke(args=["users", "create", "lost", "--role", "caseworker", "--structure", "NOPE"],
                            input="river lantern orbit tram\n")
    assert unknown.exit_code != 0 and "NOPE" in unknown.output

