"""Case files: notes (encrypted), confidential notes, close/reopen, reassignment, the timeline."""
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from caseapp.casefiles import queries as casefile_queries
from caseapp.beneficiaries import queries
from caseapp.beneficiaries import service as beneficiary_service
from caseapp.dates import local_today
from caseapp.casefiles import service as casefile_service
from caseapp.casefiles import timeline
from caseapp.casefiles.models import CaseFilePeriod, CaseNote
from caseapp.extensions import db
from tests.beneficiaries.conftest import audit_events, form_data
from tests.factories import case_file_of, make_beneficiary, make_note, make_user, structure


def page(response) -> str:
    return response.get_data(as_text=True)


def post(client, case_file, action, **fields):
    path = f"/cases/{case_file.id}"
    return client.post(f"{path}/{action}", data=form_data(client, path, **fields))


def test_a_note_is_added_encrypted_and_shown_on_the_timeline(client, login_as):
    user = login_as("caseworker", structures=("KEM",))
    case_file = case_file_of(make_beneficiary(actor=user))
    response = post(client, case_file, "notes", text="Needs a lawyer for the asylum appeal.\r\nCall Tuesday.")
    assert response.status_code == 302 and "#note-" in response.headers["Location"]
    body = page(client.get(f"/cases/{case_file.id}"))
    assert "Needs a lawyer for the asylum appeal.\nCall Tuesday." in body
    assert "Note added" in body and user.display_name in body
    raw = db.session.execute(select(CaseNote.__table__.c.text)).scalar_one()
    assert b"lawyer" not in bytes(raw)
    assert audit_events("notes.add")[-1].object_type == "case_note"


def test_an_empty_note_keeps_the_page_and_says_why(client, login_as):
    user = login_as("caseworker", structures=("KEM",))
    case_file = case_file_of(make_beneficiary(actor=user))
    response = post(client, case_file, "notes", text="   ")
    assert response.status_code == 400
    assert 'id="text-error"' in page(response)


def test_confidential_notes_are_marked_and_never_shareable(client, login_as):
    user = login_as("caseworker", structures=("KEM",))
    case_file = case_file_of(make_beneficiary(actor=user))
    post(client, case_file, "notes", text="Disclosed abuse; do not share.", confidential="y")
    open_note = make_note(case_file, "Attends Greek classes.", actor=user)
    body = page(client.get(f"/cases/{case_file.id}"))
    assert "Confidential" in body and "Confidential note added" in body
    shareable = db.session.execute(casefile_queries.shareable_notes(case_file)).scalars().all()
    assert [n.id for n in shareable] == [open_note.id]


def test_closing_needs_a_reason_and_a_closed_file_takes_no_notes_until_reopened(client, login_as):
    user = login_as("caseworker", structures=("KEM",))
    case_file = case_file_of(make_beneficiary(actor=user))
    assert "Choose a reason" in page(client.get(post(client, case_file, "close").headers["Location"]))
    assert case_file.is_open
    post(client, case_file, "close", reason="moved_away")
    db.session.refresh(case_file)
    assert case_file.status == "closed" and case_file.close_reason == "moved_away"
    assert post(client, case_file, "notes", text="Late note").status_code == 400
    body = page(client.get(f"/cases/{case_file.id}"))
    assert "Moved away" in body and "Reopen the case file" in body
    post(client, case_file, "reopen")
    db.session.refresh(case_file)
    assert case_file.is_open
    periods = db.session.execute(select(CaseFilePeriod).where(CaseFilePeriod.case_file_id == case_file.id)
                                 .order_by(CaseFilePeriod.id)).scalars().all()
    assert len(periods) == 2 and periods[0].closed_on is not None and periods[1].closed_on is None
    kinds = [e.kind for e in casefile_queries.timeline_page(case_file, None).items]
    assert kinds[:3] == ["case.reopened", "case.closed", "case.opened"]


def test_a_colleague_who_is_not_assigned_cannot_close_and_the_attempt_is_audited(client, login_as):
    owner = make_user("caseworker", structures=("KEM",))
    case_file = case_file_of(make_beneficiary(actor=owner))
    colleague = login_as("caseworker", structures=("KEM",))
    assert "Close the case file" not in page(client.get(f"/cases/{case_file.id}"))
    assert post(client, case_file, "close", reason="other").status_code == 403
    denied = audit_events("access.denied")[-1]
    assert (denied.user_id, denied.object_id) == (colleague.id, str(case_file.id))
    assert case_file.is_open


def test_a_supervisor_reassigns_and_a_caseworker_cannot(client, login_as):
    owner = make_user("caseworker", structures=("KEM",))
    newcomer = make_user("caseworker", structures=("KEM",), display_name="Newcomer Worker")
    outsider = make_user("caseworker", structures=("KYADA",))
    case_file = case_file_of(make_beneficiary(actor=owner))
    login_as("supervisor", structures=("KEM",))
    assert post(client, case_file, "assign", assigned_to=str(outsider.id)).status_code == 302
    db.session.refresh(case_file)
    assert case_file.assigned_to_id == owner.id
    post(client, case_file, "assign", assigned_to=str(newcomer.id))
    db.session.refresh(case_file)
    assert case_file.assigned_to_id == newcomer.id
    assert "Newcomer Worker" in page(client.get(f"/cases/{case_file.id}"))
    client.post("/logout", data=form_data(client, "/"))
    login_as("caseworker", structures=("KEM",))
    assert post(client, case_file, "assign", assigned_to=str(owner.id)).status_code == 403


def test_a_later_domain_adds_timeline_events_without_the_case_file_knowing_it(client, login_as):
    timeline.register_kind("test.referral_sent", _l("Referral sent"))
    user = login_as("caseworker", structures=("KEM",))
    case_file = case_file_of(make_beneficiary(actor=user))
    timeline.add_event(case_file, "test.referral_sent", actor=user, text="to KYADA-FOOD", link="/referrals/x")
    db.session.commit()
    body = page(client.get(f"/cases/{case_file.id}"))
    assert 'href="/referrals/x">Referral sent</a>' in body and "to KYADA-FOOD" in body


def test_opening_a_file_at_another_of_my_structures(client, login_as):
    user = login_as("caseworker", structures=("KEM", "DIS-PROG"))
    person = make_beneficiary("KEM", actor=user)
    beneficiary_service.record_consent(person, purpose="share_municipal", given=True, decided_on=local_today(),
                                       actor=user)  # opening a second structure's file is sharing
    db.session.commit()
    response = client.post(f"/beneficiaries/{person.id}/case-files",
                           data=form_data(client, f"/beneficiaries/{person.id}", structure=str(structure("DIS-PROG").id)))
    assert response.status_code == 302
    db.session.refresh(person)
    assert {cf.structure.code for cf in person.case_files} == {"KEM", "DIS-PROG"}


def test_notes_page_with_keyset_pagination(client, login_as):
    user = login_as("caseworker", structures=("KEM",))
    case_file = case_file_of(make_beneficiary(actor=user))
    notes = [casefile_service.add_note(case_file, f"Note number {i:03d}", confidential=False, actor=user)
             for i in range(casefile_queries.NOTES_PAGE + 3)]
    db.session.commit()
    first = page(client.get(f"/cases/{case_file.id}"))
    assert "Note number 052" in first and "Note number 002" not in first and "Older notes" in first
    cursor = first.split("notes_before=")[1].split("#")[0].split('"')[0]
    second = page(client.get(f"/cases/{case_file.id}?notes_before={cursor}"))
    assert "Note number 002" in second and "Note number 000" in second and "Note number 052" not in second
    assert len(notes) == 53
