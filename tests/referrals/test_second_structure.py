"""Opening a case file at a second structure for a person held elsewhere is sharing: it obeys the
referral consent rule (the supervisor of KEM and DIS-PROG from the issue)."""
from __future__ import annotations

from sqlalchemy import select

from caseapp.casefiles.models import CaseFile
from caseapp.extensions import db
from caseapp.security.audit import AuditEvent
from tests.conftest import csrf_token
from tests.factories import make_user, structure
from tests.referrals.factories import give_consent, person_at


def _open_at_dis_prog(client, person):
    return client.post(f"/beneficiaries/{person.id}/case-files",
                       data={"csrf_token": csrf_token(client, f"/beneficiaries/{person.id}"),
                             "structure": str(structure("DIS-PROG").id)}, follow_redirects=True)


def _files(person) -> set[str]:
    return {cf.structure.code for cf in db.session.execute(
        select(CaseFile).where(CaseFile.beneficiary_id == person.id)).scalars()}


def test_a_supervisor_of_kem_and_dis_prog_cannot_open_a_dis_prog_file_once_sharing_consent_is_withdrawn(
        client, login, db_session):
    supervisor = make_user("supervisor", structures=("KEM", "DIS-PROG"))
    person = person_at("KEM", actor=supervisor)
    give_consent(person, supervisor, "share_municipal", given=False)
    db.session.commit()
    login(supervisor)
    response = _open_at_dis_prog(client, person)
    html = response.get_data(as_text=True)
    assert "consent" in html.lower() or "συναίνεση" in html
    assert _files(person) == {"KEM"}
    refused = db.session.execute(select(AuditEvent).where(
        AuditEvent.action == "cases.open", AuditEvent.outcome == "no_consent",
        AuditEvent.object_id == str(person.id))).scalars().all()
    assert len(refused) == 1


def test_with_sharing_consent_in_force_the_second_file_opens(client, login, db_session):
    supervisor = make_user("supervisor", structures=("KEM", "DIS-PROG"))
    person = person_at("KEM", actor=supervisor)
    db.session.commit()
    login(supervisor)
    _open_at_dis_prog(client, person)
    assert _files(person) == {"KEM", "DIS-PROG"}


def test_without_any_sharing_decision_the_second_file_is_refused(client, login, db_session):
    supervisor = make_user("supervisor", structures=("KEM", "DIS-PROG"))
    person = person_at("KEM", actor=supervisor, consent=False)
    db.session.commit()
    login(supervisor)
    _open_at_dis_prog(client, person)
    assert _files(person) == {"KEM"}
