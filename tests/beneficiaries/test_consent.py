"""Consent per purpose: given or withdrawn, when, by whom; the history is kept."""
from datetime import timedelta

from caseapp.casefiles import queries as casefile_queries
from caseapp.beneficiaries import queries, service
from caseapp.dates import local_today
from tests.beneficiaries.conftest import audit_events, form_data
from tests.factories import make_beneficiary, make_user, structure


def page(response) -> str:
    return response.get_data(as_text=True)


def record(client, person, **fields):
    path = f"/beneficiaries/{person.id}/consent"
    return client.post(path, data=form_data(client, path, **fields))


def test_a_withdrawal_is_in_force_at_once_and_the_history_keeps_both(client, login_as):
    user = login_as("caseworker", structures=("KEM",))
    person = make_beneficiary(actor=user)
    yesterday = (local_today() - timedelta(days=1)).isoformat()
    assert record(client, person, purpose="share_partners", decision="given", decided_on=yesterday).status_code == 302
    assert queries.has_consent(person, "share_partners")
    assert record(client, person, purpose="share_partners", decision="withdrawn",
                  decided_on=local_today().isoformat()).status_code == 302
    assert not queries.has_consent(person, "share_partners")
    history = queries.consent_history(person)
    assert [(h.given, h.recorded_by_id) for h in history] == [(False, user.id), (True, user.id)]
    body = page(client.get(f"/beneficiaries/{person.id}/consent"))
    assert body.count("Withdrawn") >= 2 and "Given" in body and user.display_name in body
    decisions = [e.action for e in audit_events() if e.action in ("consent.give", "consent.withdraw")]
    assert decisions == ["consent.give", "consent.withdraw"]


def test_the_profile_shows_the_decision_in_force_per_purpose(client, login_as):
    user = login_as("caseworker", structures=("KEM",))
    person = make_beneficiary(actor=user)
    record(client, person, purpose="interpretation", decision="given", decided_on=local_today().isoformat())
    profile = page(client.get(f"/beneficiaries/{person.id}"))
    assert "Not recorded" in profile and "Given" in profile


def test_a_decision_in_the_future_or_without_a_choice_is_refused(client, login_as):
    user = login_as("caseworker", structures=("KEM",))
    person = make_beneficiary(actor=user)
    tomorrow = (local_today() + timedelta(days=1)).isoformat()
    body = page(record(client, person, purpose="processing", decision="given", decided_on=tomorrow))
    assert 'id="decided_on-error"' in body and "cannot be in the future" in body
    body = page(record(client, person, purpose="processing", decided_on=local_today().isoformat()))
    assert 'id="decision-error"' in body
    assert queries.consent_history(person) == []


def test_consent_recorded_at_the_shelter_binds_kem_without_naming_the_shelter(client, login_as):
    from caseapp.casefiles import service as casefile_service

    person = make_beneficiary("KEM")
    shelter_worker = make_user("caseworker", structures=("SHELTER-W",), display_name="Shelterworker Name")
    casefile_service.open_case_file(person, structure("SHELTER-W"), actor=shelter_worker)
    service.record_consent(person, purpose="share_municipal", given=False, decided_on=local_today(),
                           actor=shelter_worker)
    login_as("caseworker", structures=("KEM",))
    body = page(client.get(f"/beneficiaries/{person.id}/consent"))
    assert "Withdrawn" in body and "Another structure" in body
    assert "SHELTER" not in body and "Shelterworker" not in body


def test_consent_events_reach_only_the_recorders_timelines(client, login_as):
    from caseapp.casefiles import service as casefile_service
    from tests.factories import case_file_of

    person = make_beneficiary("KEM")
    shelter_worker = make_user("caseworker", structures=("SHELTER-W",))
    casefile_service.open_case_file(person, structure("SHELTER-W"), actor=shelter_worker)
    service.record_consent(person, purpose="processing", given=True, decided_on=local_today(), actor=shelter_worker)
    kem_events = casefile_queries.timeline_page(case_file_of(person, "KEM"), None).items
    shelter_events = casefile_queries.timeline_page(case_file_of(person, "SHELTER-W"), None).items
    assert "consent.given" not in {e.kind for e in kem_events}
    assert "consent.given" in {e.kind for e in shelter_events}
