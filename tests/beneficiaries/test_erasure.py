"""Erasure: four eyes on screen (supervisor asks, administrator confirms) or the command line."""
from datetime import timedelta

from babel.dates import format_date
from sqlalchemy import func, select, update

import pytest

from caseapp.beneficiaries import service, stats
from caseapp.casefiles.models import CaseNote, TimelineEvent
from caseapp.dates import local_date, local_today
from caseapp.beneficiaries.models import Beneficiary, ConsentRecord, ErasureRequest
from caseapp.extensions import db
from caseapp.formats import DATE_FORMAT
from caseapp.models_base import utcnow
from caseapp.security.crypto import DecryptionError, open_sealed
from caseapp.security.encrypted import encrypted_fields
from caseapp.security.key_models import DataKey, KeyDestroyedError
from tests.beneficiaries.conftest import audit_events, form_data
from tests.factories import case_file_of, make_beneficiary, make_note, make_user

ENCRYPTED_COLUMNS = [field.column_attr for field in encrypted_fields(Beneficiary).values()]


def page(response) -> str:
    return response.get_data(as_text=True)


def _full_person(actor):
    from datetime import date

    person = make_beneficiary(actor=actor, family_name="Erasable", given_name="Leyla", father_name="Omar",
                              mother_name="Samira", birth_date=date(1991, 7, 7), phone="+30 690 000 7777",
                              email="leyla@example.org", address="Somewhere 1", document_type="passport",
                              document_number="P998877", vulnerability_codes=["gbv_survivor"])
    make_note(case_file_of(person), "She named the perpetrator.", actor=actor)
    service.record_consent(person, purpose="processing", given=True, decided_on=local_today(), actor=actor)
    db.session.commit()
    return person


def _captured(person):
    table = Beneficiary.__table__
    row = db.session.execute(select(table).where(table.c.id == person.id)).mappings().one()
    values = {attr: row[Beneficiary.__mapper__.columns[attr].name] for attr in ENCRYPTED_COLUMNS}
    notes = db.session.execute(select(CaseNote.__table__.c.id, CaseNote.__table__.c.text)).all()
    return values, notes


def backup_date(days: int) -> str:
    """The date the erasure messages state (English, the one date format): `days` from now, Athens calendar."""
    return format_date(local_date(utcnow() + timedelta(days=days)), format=DATE_FORMAT, locale="en")


def _counts():
    today = local_today()
    return {sid: (m.new_registrations.cells, m.active_people.cells)
            for sid, m in stats.monthly_counts(today.year, today.month).items()}


def test_supervisor_requests_admin_confirms_and_nothing_of_the_person_decrypts(app, client, login_as):
    supervisor = login_as("supervisor", structures=("KEM",))
    person = _full_person(supervisor)
    person_id, key_id, reference = person.id, person.data_key_id, person.reference
    ciphertexts, note_ciphertexts = _captured(person)
    counts_before = _counts()

    path = f"/beneficiaries/{person_id}/erasure"
    assert ("can no longer be read in the live database, in any structure. Backups made before the erasure stay "
            "readable until their root keys are retired: at the latest 61 days after the confirmation under the "
            "key schedule.") in page(client.get(path))
    assert client.post(path, data=form_data(client, path, reason="data_subject_request")).status_code == 302
    assert "waiting for an administrator" in page(client.get(f"/beneficiaries/{person_id}"))
    assert client.get("/admin/erasure-requests/").status_code == 403
    assert db.session.get(DataKey, key_id).wrapped is not None  # nothing erased on one pair of eyes

    client.post("/logout", data=form_data(client, "/"))
    admin = login_as("admin")
    queue = page(client.get("/admin/erasure-requests/"))
    assert reference in queue and supervisor.display_name in queue
    for private in ("Erasable", "Leyla", "690 000 7777", "P998877"):
        assert private not in queue
    request = db.session.execute(select(ErasureRequest)).scalar_one()
    confirm_path = f"/admin/erasure-requests/{request.id}"
    wrong = client.post(confirm_path, data=form_data(client, confirm_path, reference="B-1999-000001"))
    assert wrong.status_code == 200 and "does not match" in page(wrong)
    assert db.session.get(DataKey, key_id).wrapped is not None
    horizon = backup_date(days=61)
    assert ("nothing about them can be read in the live database, in any structure; only anonymous counts for "
            "monthly statistics remain. Backups made before the erasure still hold their data, readable with "
            f"root key(s) test-root-1, until those keys are retired: at the latest on {horizon} under the key "
            "schedule.") in page(client.get(confirm_path))
    confirmed = client.post(confirm_path, data=form_data(client, confirm_path, reference=reference),
                            follow_redirects=True)
    assert ("Erased from the live database now. Backups made before now stop being readable once root key(s) "
            f"test-root-1 are retired: at the latest on {horizon} under the key schedule.") in page(confirmed)

    db.session.expire_all()
    key = db.session.get(DataKey, key_id)
    assert key.wrapped is None and key.destroyed_at is not None
    with pytest.raises(KeyDestroyedError):
        key.plain_key()
    erased = db.session.get(Beneficiary, person_id)
    assert erased.erased_at is not None
    assert all(getattr(erased, name) is None for name in encrypted_fields(Beneficiary))
    assert erased.family_name_bidx is None and erased.family_name_sound_bidx is None
    assert erased.vulnerability_codes == []
    # Even the ciphertexts as a backup holds them cannot be opened: the only key is gone.
    table = Beneficiary.__table__
    db.session.execute(update(table).where(table.c.id == person_id).values(
        {Beneficiary.__mapper__.columns[attr].name: blob for attr, blob in ciphertexts.items()}))
    restored = db.session.get(Beneficiary, person_id)
    db.session.refresh(restored)
    assert restored.family_name is None and restored.given_name is None
    for blob in [*ciphertexts.values(), *(text for _id, text in note_ciphertexts)]:
        if blob is not None:
            with pytest.raises((KeyDestroyedError, DecryptionError)):
                open_sealed(key.plain_key(), blob, b"")
    assert db.session.scalar(select(func.count()).select_from(CaseNote)) == 0
    assert db.session.scalar(select(func.count()).select_from(ConsentRecord)) == 0
    assert db.session.scalar(select(func.count()).select_from(TimelineEvent)
                             .where(TimelineEvent.case_file_id == case_file_of(erased).id)) == 0
    assert case_file_of(erased).status == "closed" and case_file_of(erased).close_reason == "erased"
    assert _counts() == counts_before

    actions = [e.action for e in audit_events()]
    assert {"erasure.request", "erasure.confirm", "beneficiaries.erase"} <= set(actions)
    assert audit_events("erasure.confirm")[-1].user_id == admin.id
    client.post("/logout", data=form_data(client, "/"))
    login_as("caseworker", structures=("KEM",))
    assert client.get(f"/beneficiaries/{person_id}").status_code == 404


def test_a_caseworker_cannot_request_and_a_supervisor_cannot_confirm(client, login_as):
    caseworker = login_as("caseworker", structures=("KEM",))
    person = make_beneficiary(actor=caseworker)
    assert client.get(f"/beneficiaries/{person.id}/erasure").status_code == 403
    assert "Request erasure" not in page(client.get(f"/beneficiaries/{person.id}"))


def test_an_administrator_can_reject_and_nothing_is_erased(client, login_as):
    supervisor = make_user("supervisor", structures=("KEM",))
    person = make_beneficiary(actor=supervisor)
    from caseapp.beneficiaries import erasure

    request = erasure.request_erasure(person, "registered_in_error", actor=supervisor)
    db.session.commit()
    login_as("admin")
    path = f"/admin/erasure-requests/{request.id}/reject"
    assert client.post(path, data=form_data(client, "/admin/erasure-requests/")).status_code == 302
    db.session.refresh(request)
    assert request.status == "rejected" and person.data_key.wrapped is not None
    assert person.reference in page(client.get("/admin/erasure-requests/?status=rejected"))


def test_a_second_request_for_the_same_person_is_refused(db_session):
    from caseapp.beneficiaries import erasure

    supervisor = make_user("supervisor", structures=("KEM",))
    person = make_beneficiary(actor=supervisor)
    erasure.request_erasure(person, "data_subject_request", actor=supervisor)
    with pytest.raises(service.BeneficiaryError):
        erasure.request_erasure(person, "data_subject_request", actor=supervisor)


def test_flask_beneficiaries_erase_ref(app, db_session):
    person = _full_person(make_user("caseworker", structures=("KEM",)))
    counts_before = _counts()
    result = app.test_cli_runner().invoke(args=["beneficiaries", "erase", person.reference.lower(), "--yes"])
    assert result.exit_code == 0, result.output
    assert f"Erased {person.reference} from the live database now" in result.output
    assert "Backups made before now still hold it, wrapped under root key(s) test-root-1" in result.output
    assert f"at the latest on {local_date(utcnow() + timedelta(days=61)).isoformat()}" in result.output
    assert "Erasable" not in result.output
    db.session.expire_all()
    erased = db.session.get(Beneficiary, person.id)
    assert erased.erased_at is not None and erased.data_key.wrapped is None and erased.family_name is None
    assert _counts() == counts_before
    event = audit_events("beneficiaries.erase")[-1]
    assert (event.object_id, event.user_id) == (str(person.id), None)
    again = app.test_cli_runner().invoke(args=["beneficiaries", "erase", person.reference, "--yes"])
    assert again.exit_code != 0 and "έχουν ήδη διαγραφεί" in again.output  # the CLI speaks the default language


def test_the_command_asks_before_erasing(app, db_session):
    person = make_beneficiary()
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["beneficiaries", "erase", person.reference], input="n\n")
    assert result.exit_code != 0
    db.session.expire_all()
    assert db.session.get(Beneficiary, person.id).erased_at is None
