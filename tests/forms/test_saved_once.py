"""A form is saved once: the same rendered form sent twice (a double click, the back button and
"Send" again, a retried request) is saved the first time only, and the second sending says so and
leads where the first did. A refused sending claims nothing; a new form is always a new save."""
from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select, update

from caseapp.beneficiaries.models import Beneficiary
from caseapp.casefiles.models import CaseNote
from caseapp.deliveries.models import ServiceDelivery
from caseapp.extensions import db
from caseapp.models_base import utcnow
from caseapp.submissions import FormSubmission
from tests.conftest import csrf_token
from tests.factories import case_file_of, make_beneficiary, make_user, structure

ALREADY_SAVED = "already been sent and saved"


def tokens(client, path: str) -> dict:
    """The hidden fields a browser would send back with the form at `path`."""
    page = client.get(path).get_data(as_text=True)
    return {"csrf_token": csrf_token(client, path),
            "submission_id": re.search(r'name="submission_id" type="hidden" value="([^"]+)"', page).group(1)}


def count(model) -> int:
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def flashed(client) -> str:
    return client.get("/").get_data(as_text=True)


def test_a_note_sent_twice_from_one_form_is_saved_once_and_the_second_leads_to_it(client, login_as):
    user = login_as("caseworker", structures=("KEM",))
    case_file = case_file_of(make_beneficiary("KEM", actor=user))
    db.session.commit()
    form = tokens(client, f"/cases/{case_file.id}") | {"text": "Asked about the asylum interview."}
    first = client.post(f"/cases/{case_file.id}/notes", data=form)
    second = client.post(f"/cases/{case_file.id}/notes", data=form)
    assert first.status_code == second.status_code == 302
    assert second.location == first.location and "#note-" in first.location
    assert ALREADY_SAVED in flashed(client)
    assert count(CaseNote) == 1


def test_the_same_text_from_a_form_shown_again_by_the_back_button_is_saved_once(client, login_as):
    """Back shows the page again (a new token) and the browser puts the text back: same content."""
    user = login_as("caseworker", structures=("KEM",))
    case_file = case_file_of(make_beneficiary("KEM", actor=user))
    db.session.commit()
    for _ in range(2):
        form = tokens(client, f"/cases/{case_file.id}") | {"text": "Phoned; no answer."}
        assert client.post(f"/cases/{case_file.id}/notes", data=form).status_code == 302
    assert count(CaseNote) == 1
    assert ALREADY_SAVED in flashed(client)


def test_the_same_text_later_or_other_text_at_once_is_a_new_note(app, client, login_as):
    user = login_as("caseworker", structures=("KEM",))
    case_file = case_file_of(make_beneficiary("KEM", actor=user))
    db.session.commit()
    for text in ("Phoned; no answer.", "Phoned again; left a message."):
        form = tokens(client, f"/cases/{case_file.id}") | {"text": text}
        assert client.post(f"/cases/{case_file.id}/notes", data=form).status_code == 302
    assert count(CaseNote) == 2
    db.session.execute(update(FormSubmission).values(
        created_at=utcnow() - timedelta(seconds=app.config["SUBMISSION_REPEAT_SECONDS"] + 1)))
    db.session.commit()
    form = tokens(client, f"/cases/{case_file.id}") | {"text": "Phoned; no answer."}
    assert client.post(f"/cases/{case_file.id}/notes", data=form).status_code == 302
    assert count(CaseNote) == 3


def test_a_refused_sending_claims_nothing_so_the_corrected_form_is_saved(client, login_as):
    user = login_as("caseworker", structures=("KEM",))
    case_file = case_file_of(make_beneficiary("KEM", actor=user))
    db.session.commit()
    form = tokens(client, f"/cases/{case_file.id}")
    refused = client.post(f"/cases/{case_file.id}/notes", data=form | {"text": "   "})
    assert refused.status_code == 400 and count(CaseNote) == 0
    assert form["submission_id"] in refused.get_data(as_text=True)  # the form shown again keeps its token
    assert client.post(f"/cases/{case_file.id}/notes", data=form | {"text": "Corrected."}).status_code == 302
    assert client.post(f"/cases/{case_file.id}/notes", data=form | {"text": "Corrected."}).status_code == 302
    assert count(CaseNote) == 1


def test_a_registration_sent_twice_registers_one_person(client, login_as):
    login_as("caseworker", structures=("KEM",))
    form = tokens(client, "/beneficiaries/new") | {
        "structure": str(structure("KEM").id), "given_name": "Leyla", "family_name": "Twiceclickzadeh",
        "sex": "female", "legal_status": "asylum_seeker"}
    first = client.post("/beneficiaries/new", data=form)
    second = client.post("/beneficiaries/new", data=form)
    assert first.status_code == second.status_code == 302
    assert second.location == first.location
    assert count(Beneficiary) == 1


def test_a_desk_delivery_sent_twice_is_recorded_once_without_asking(client, login_as):
    from tests.deliveries.conftest import service_of

    user = login_as("caseworker", structures=("KYADA-FOOD",))
    person = make_beneficiary("KYADA-FOOD", actor=user)
    db.session.commit()
    desk = f"/deliveries/desk/{structure('KYADA-FOOD').id}"
    form = tokens(client, desk) | {"reference": person.reference, "service": service_of("KYADA-FOOD", "MEALS").id,
                                   "quantity": 1}
    first = client.post(desk, data=form)
    second = client.post(desk, data=form)
    assert first.status_code == second.status_code == 302  # not the 409 "already served today?" question
    assert second.location == first.location
    assert count(ServiceDelivery) == 1


def test_another_users_token_is_their_own_and_not_a_repeat(client, login_as):
    first_user = login_as("caseworker", structures=("KEM",))
    case_file = case_file_of(make_beneficiary("KEM", actor=first_user))
    db.session.commit()
    form = tokens(client, f"/cases/{case_file.id}") | {"text": "Seen at the desk."}
    assert client.post(f"/cases/{case_file.id}/notes", data=form).status_code == 302
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    login_as("caseworker", structures=("KEM",))
    form["csrf_token"] = csrf_token(client, f"/cases/{case_file.id}")
    assert client.post(f"/cases/{case_file.id}/notes", data=form).status_code == 302
    assert count(CaseNote) == 2


def test_a_made_up_token_is_ignored_not_trusted(client, login_as):
    user = login_as("caseworker", structures=("KEM",))
    case_file = case_file_of(make_beneficiary("KEM", actor=user))
    db.session.commit()
    for bad in ("x", "'; drop table form_submissions; --", "a" * 65):
        form = {"csrf_token": csrf_token(client, f"/cases/{case_file.id}"), "submission_id": bad, "text": "Note."}
        assert client.post(f"/cases/{case_file.id}/notes", data=form).status_code == 302
    assert count(CaseNote) == 3 and count(FormSubmission) == 0


def test_only_digests_are_kept_and_old_ones_are_deleted(client, login_as):
    user = login_as("caseworker", structures=("KEM",))
    case_file = case_file_of(make_beneficiary("KEM", actor=user))
    db.session.add(FormSubmission(key="0" * 64, created_at=utcnow() - timedelta(days=2)))
    db.session.commit()
    form = tokens(client, f"/cases/{case_file.id}") | {"text": "Note."}
    client.post(f"/cases/{case_file.id}/notes", data=form)
    kept = db.session.execute(select(FormSubmission)).scalars().all()
    assert len(kept) == 2   # the form's token and its content, as digests; the old one is gone
    assert all(form["submission_id"] not in k.key and "Note." not in k.key and len(k.key) == 64 for k in kept)
    assert all(k.result_path.startswith(f"/cases/{case_file.id}") for k in kept)


def test_a_search_form_sent_by_get_carries_no_token(client, login_as):
    login_as("admin")
    page = client.get("/admin/audit/").get_data(as_text=True)
    assert "submission_id" not in page


def test_two_sendings_of_one_form_at_the_same_instant_save_once(own_database):
    """Two requests carrying one token, each in its own connection and transaction: the
    database's key makes the second wait for the first and then see it taken."""
    import threading

    from caseapp import submissions

    from tests.conftest import RaceStart

    start = RaceStart(own_database, 2)
    outcomes = []

    def send():
        with own_database.app_context():
            try:
                start.before_reads()
                db.session.execute(select(FormSubmission)).all()  # the view reads first, as views do
                start.after_reads()
                earlier = submissions.claim(7, "same-token-from-one-form")
                if earlier is None:
                    submissions.settle(7, "same-token-from-one-form", "/cases/first")
                db.session.commit()
                outcomes.append("saved" if earlier is None else "repeat")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["repeat", "saved"]
    with own_database.app_context():
        assert db.session.execute(select(func.count()).select_from(FormSubmission)).scalar_one() == 1


def test_the_desk_asks_about_a_second_delivery_rather_than_calling_it_a_repeat(client, login_as):
    from tests.deliveries.conftest import service_of

    user = login_as("caseworker", structures=("KYADA-FOOD",))
    person = make_beneficiary("KYADA-FOOD", actor=user)
    db.session.commit()
    desk = f"/deliveries/desk/{structure('KYADA-FOOD').id}"
    fields = {"reference": person.reference, "service": service_of("KYADA-FOOD", "MEALS").id, "quantity": 1}
    assert client.post(desk, data=tokens(client, desk) | fields).status_code == 302
    again = client.post(desk, data=tokens(client, desk) | fields)   # a new form, the same person and meal
    assert again.status_code == 409 and count(ServiceDelivery) == 1
