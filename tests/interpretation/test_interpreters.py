"""Managing interpreters (admins and supervisors), and the suggestions offered when assigning."""
from __future__ import annotations

import pytest
from sqlalchemy import select, text

from caseapp.domain import DomainError
from caseapp.extensions import db
from caseapp.interpretation import languages, queries, service
from caseapp.interpretation.models import Interpreter
from tests.factories import make_user
from tests.interpretation.factories import in_days, make_interpreter, make_request, supervisor_of


@pytest.mark.parametrize("role", ["admin", "supervisor"])
def test_admins_and_supervisors_add_and_edit_interpreters(client, login_as, post_form, role):
    login_as(role, structures=("DIS-PROG",) if role == "supervisor" else ())
    account = make_user("interpreter")
    response = post_form("/interpretation/interpreters/new", name="  Amir   Haddad ", gender="male",
                         phone="+30 699 000 0111", language_codes=["ar", "fr"], user=str(account.id), active="y")
    assert response.status_code == 302
    interpreter = db.session.execute(select(Interpreter)).scalar_one()
    assert (interpreter.name, interpreter.language_codes, interpreter.user_id, interpreter.active) == (
        "Amir Haddad", ["ar", "fr"], account.id, True)
    listing = client.get("/interpretation/interpreters/").get_data(as_text=True)
    assert "Amir Haddad" in listing and "+30 699 000 0111" in listing

    path = f"/interpretation/interpreters/{interpreter.id}/edit"
    response = post_form(path, version=str(interpreter.version), name="Amir Haddad", gender="male", phone="",
                         language_codes=["ar"], user="")
    assert response.status_code == 302
    db.session.refresh(interpreter)
    assert (interpreter.language_codes, interpreter.user_id, interpreter.active, interpreter.phone) == (
        ["ar"], None, False, None)


def test_the_phone_is_sealed_at_rest(db_session):
    interpreter = make_interpreter(phone="6912121212")
    db.session.flush()
    raw = db.session.execute(text("SELECT phone FROM interpreters")).scalar_one()
    assert b"6912121212" not in bytes(raw) and interpreter.phone == "6912121212"


@pytest.mark.parametrize("role", ["caseworker", "coordinator", "interpreter"])
def test_caseworkers_coordinators_and_interpreters_cannot_manage_interpreters(client, login_as, role):
    login_as(role)
    assert client.get("/interpretation/interpreters/").status_code == 403
    assert client.get("/interpretation/interpreters/new").status_code == 403


def test_bad_interpreter_input_is_refused_on_its_field(client, login_as, post_form):
    login_as("admin")
    caseworker = make_user("caseworker")
    for fields, field in (({"name": ""}, "name"), ({"language_codes": []}, "language_codes"),
                          ({"language_codes": ["zz"]}, "language_codes"), ({"user": str(caseworker.id)}, "user")):
        values = {"name": "Farida", "gender": "female", "language_codes": ["fa"], "active": "y"}
        values.update(fields)
        response = post_form("/interpretation/interpreters/new", **values)
        assert response.status_code == 400, fields
        assert f'href="#{field}"' in response.get_data(as_text=True), fields
    assert db.session.execute(select(Interpreter)).first() is None


def test_one_login_links_to_one_interpreter_and_only_interpreter_accounts_link(db_session):
    account = make_user("interpreter")
    make_interpreter(login=account)
    with pytest.raises(DomainError) as refused:
        make_interpreter(login=account)
    assert refused.value.field == "user"
    with pytest.raises(DomainError):
        make_interpreter(login=make_user("caseworker"))


def test_an_interpreter_with_upcoming_bookings_cannot_be_deactivated(db_session):
    supervisor = supervisor_of()
    interpreter = make_interpreter(("ar",))
    service.assign(make_request(actor=supervisor), interpreter, actor=supervisor)
    values = {"name": interpreter.name, "gender": interpreter.gender, "language_codes": ["ar"], "active": False,
              "user": None}
    with pytest.raises(DomainError) as refused:
        service.save_interpreter(interpreter, values, actor=supervisor)
    assert refused.value.field == "active"


def test_suggestions_are_the_free_active_speakers_preferred_gender_first(db_session):
    supervisor = supervisor_of()
    booking = make_request(actor=supervisor, language="ar", preferred_gender="female", starts_at=in_days(6, 10))
    man = make_interpreter(("ar",), name="A man", gender="male")
    woman = make_interpreter(("ar", "fr"), name="B woman", gender="female")
    busy = make_interpreter(("ar",), name="C busy", gender="female")
    service.assign(make_request(actor=supervisor, starts_at=in_days(6, 10, 30)), busy, actor=supervisor)
    make_interpreter(("ar",), name="D inactive", gender="female", active=False)
    make_interpreter(("fa",), name="E other language", gender="female")
    found = queries.suggestions(booking)
    assert [s.interpreter.name for s in found] == ["B woman", "A man"]
    assert [s.gender_matches for s in found] == [True, False]
    assert {s.rank for s in found} == {languages.EXACT}

    service.assign(booking, woman, actor=supervisor)
    assert [s.interpreter.name for s in queries.suggestions(booking)] == ["A man"]  # re-assign: the others
    with pytest.raises(DomainError):
        service.assign(booking, make_interpreter(("fa",)), actor=supervisor)  # does not speak Arabic
    assert man.active


def test_matching_ranks_the_exact_language_before_its_family():
    assert languages.match_rank(["ar"], "ar") == languages.EXACT
    assert languages.match_rank(["fa"], "ar") is None
    assert languages.speaks(["fr", "ar"], "ar") and not languages.speaks([], "ar")
    assert "ar" in languages.matching_codes("ar")


def test_a_dialect_matches_its_own_speakers_first_then_the_same_family_never_another_language():
    assert languages.match_rank(["apc"], "apc") == languages.EXACT
    assert languages.match_rank(["ar"], "apc") == languages.FAMILY      # Arabic for Levantine
    assert languages.match_rank(["acm"], "apc") == languages.FAMILY     # Iraqi for Levantine
    assert languages.match_rank(["apc"], "ar") == languages.FAMILY      # Levantine for Arabic
    assert languages.match_rank(["fa"], "prs") == languages.FAMILY      # Persian for Dari
    assert languages.match_rank(["ckb"], "kmr") == languages.FAMILY     # Sorani for Kurmanji
    assert languages.match_rank(["ps"], "prs") is None                  # Pashto is not Dari
    assert languages.match_rank(["ti"], "tig") is None                  # Tigrinya is not Tigre
    assert languages.matching_codes("apc") >= {"apc", "ar", "acm", "arz"}
    assert not languages.matching_codes("apc") & {"fa", "prs", "ku"}


def test_suggestions_put_the_interpreter_of_the_dialect_before_those_of_its_family(db_session):
    supervisor = supervisor_of()
    booking = make_request(actor=supervisor, language="apc", starts_at=in_days(6, 10))
    make_interpreter(("ar",), name="A standard Arabic", gender="female")
    make_interpreter(("acm", "en"), name="B Iraqi", gender="female")
    make_interpreter(("apc",), name="C Levantine", gender="male")
    make_interpreter(("prs",), name="D Dari", gender="female")
    found = queries.suggestions(booking)
    assert [(s.interpreter.name, s.rank) for s in found] == [
        ("C Levantine", languages.EXACT), ("A standard Arabic", languages.FAMILY), ("B Iraqi", languages.FAMILY)]


def test_demo_load_gives_the_demo_interpreter_a_record_and_a_booking(app, db_session):
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    from caseapp.auth.service import find_user

    record = db.session.execute(select(Interpreter).where(Interpreter.user_id == find_user("interpreter").id)
                                ).scalar_one()
    assert {"ar", "fr"} <= set(record.language_codes)
    assert [r.language for r in queries.own_upcoming(find_user("interpreter"), 10)] == ["fr"]
    assert find_user("disprog").structures[0].code == "DIS-PROG"
    assert app.test_cli_runner().invoke(args=["demo", "load"]).exit_code == 0  # idempotent
