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


def test_a_decision_before_the_person_was_born_is_refused(client, login_as):
    from datetime import date

    user = login_as("caseworker", structures=("KEM",))
    dated = make_beneficiary(actor=user, birth_date=date(1995, 6, 1))
    year_only = make_beneficiary(actor=user, birth_year=1995)
    for person, day in ((dated, "1900-01-01"), (dated, "1995-05-31"), (year_only, "1994-12-31")):
        body = page(record(client, person, purpose="processing", decision="given", decided_on=day))
        assert 'id="decided_on-error"' in body and "before the person was born" in body, (person, day)
        assert queries.consent_history(person) == []
    assert "before the person was born" not in page(
        record(client, dated, purpose="processing", decision="given", decided_on="1995-06-01"))


def test_a_decision_recorded_at_the_shelter_stays_inside_the_shelter(client, login_as):
    from caseapp.casefiles import service as casefile_service

    person = make_beneficiary("KEM")
    shelter_worker = make_user("caseworker", structures=("SHELTER-W",), display_name="Shelterworker Name")
    casefile_service.open_case_file(person, structure("SHELTER-W"), actor=shelter_worker)
    service.record_consent(person, purpose="share_municipal", given=False, decided_on=local_today(),
                           actor=shelter_worker)
    login_as("caseworker", structures=("KEM",))
    body = page(client.get(f"/beneficiaries/{person.id}/consent"))
    assert "No decision recorded yet." in body
    assert "Withdrawn" not in body and "Another structure" not in body
    assert "SHELTER" not in body and "Shelterworker" not in body
    profile = page(client.get(f"/beneficiaries/{person.id}"))
    assert "Withdrawn" not in profile
    assert queries.has_consent(person, "share_municipal", structure_id=structure("SHELTER-W").id) is False
    assert queries.consent_history(person, [structure("KEM").id]) == []


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


# --- in force = latest by decision date; a confidential structure's decisions stay inside it ----


def test_a_given_dated_before_a_withdrawal_but_entered_after_it_leaves_consent_withdrawn(client, login_as):
    user = login_as("caseworker", structures=("KEM",))
    person = make_beneficiary(actor=user)
    today = local_today()
    withdrawn_on, given_on = today - timedelta(days=10), today - timedelta(days=60)
    record(client, person, purpose="share_partners", decision="withdrawn", decided_on=withdrawn_on.isoformat())
    record(client, person, purpose="share_partners", decision="given", decided_on=given_on.isoformat())
    assert not queries.has_consent(person, "share_partners")
    assert not queries.has_consent(person, "share_partners", structure_id=structure("KEM").id)
    assert [h.decided_on for h in queries.consent_history(person)] == [withdrawn_on, given_on]
    assert queries.current_consents(person)["share_partners"].given is False
    body = page(client.get(f"/beneficiaries/{person.id}/consent"))
    in_force = body[:body.index('id="record-heading"')]
    assert "Withdrawn" in in_force and "Given" not in in_force
    history = body[body.index('id="history-heading"'):]
    assert history.index("Withdrawn") < history.index("Given")


def test_a_withdrawal_dated_before_a_later_given_leaves_consent_given(db_session):
    person = make_beneficiary("KEM")
    worker = make_user("caseworker", structures=("KEM",))
    today = local_today()
    service.record_consent(person, purpose="interpretation", given=True, decided_on=today, actor=worker)
    service.record_consent(person, purpose="interpretation", given=False, decided_on=today - timedelta(days=3),
                           actor=worker)
    assert queries.has_consent(person, "interpretation")


def test_two_decisions_of_the_same_day_the_one_entered_last_is_in_force(db_session):
    person = make_beneficiary("KEM")
    worker = make_user("caseworker", structures=("KEM",))
    service.record_consent(person, purpose="processing", given=True, decided_on=local_today(), actor=worker)
    service.record_consent(person, purpose="processing", given=False, decided_on=local_today(), actor=worker)
    assert not queries.has_consent(person, "processing")
    service.record_consent(person, purpose="processing", given=True, decided_on=local_today(), actor=worker)
    assert queries.has_consent(person, "processing")


def test_purposes_are_decided_independently_by_date(db_session):
    person = make_beneficiary("KEM")
    worker = make_user("caseworker", structures=("KEM",))
    today = local_today()
    service.record_consent(person, purpose="share_partners", given=True, decided_on=today - timedelta(days=5),
                           actor=worker)
    service.record_consent(person, purpose="share_municipal", given=False, decided_on=today, actor=worker)
    service.record_consent(person, purpose="share_partners", given=False, decided_on=today - timedelta(days=9),
                           actor=worker)
    assert queries.has_consent(person, "share_partners")
    assert not queries.has_consent(person, "share_municipal")


def _person_known_at_kem_and_shelter():
    from caseapp.casefiles import service as casefile_service

    person = make_beneficiary("KEM")
    kem_worker = make_user("caseworker", structures=("KEM",))
    shelter_worker = make_user("caseworker", structures=("SHELTER-W",))
    casefile_service.open_case_file(person, structure("SHELTER-W"), actor=shelter_worker)
    return person, kem_worker, shelter_worker


def test_a_shelter_withdrawal_counts_at_the_shelter_and_not_at_kem(db_session):
    person, kem_worker, shelter_worker = _person_known_at_kem_and_shelter()
    today = local_today()
    service.record_consent(person, purpose="interpretation", given=True, decided_on=today - timedelta(days=2),
                           actor=kem_worker)
    service.record_consent(person, purpose="interpretation", given=False, decided_on=today, actor=shelter_worker)
    assert queries.has_consent(person, "interpretation", structure_id=structure("KEM").id)
    assert not queries.has_consent(person, "interpretation", structure_id=structure("SHELTER-W").id)
    assert [h.given for h in queries.consent_history(person, [structure("KEM").id])] == [True]
    assert [h.given for h in queries.consent_history(person, [structure("SHELTER-W").id])] == [False, True]


def test_a_kem_decision_counts_at_the_shelter_and_is_shown_there_as_another_structures(client, login):
    person, kem_worker, shelter_worker = _person_known_at_kem_and_shelter()
    service.record_consent(person, purpose="share_partners", given=True, decided_on=local_today(),
                           actor=kem_worker)
    assert queries.has_consent(person, "share_partners", structure_id=structure("SHELTER-W").id)
    login(shelter_worker)
    body = page(client.get(f"/beneficiaries/{person.id}/consent"))
    assert "Given" in body and "Another structure" in body and kem_worker.display_name not in body


def test_one_confidential_structures_decisions_do_not_reach_another_confidential_structure(db_session):
    from caseapp.casefiles import service as casefile_service

    person, _kem_worker, shelter_worker = _person_known_at_kem_and_shelter()
    gbv_worker = make_user("caseworker", structures=("GBV-CC",))
    casefile_service.open_case_file(person, structure("GBV-CC"), actor=gbv_worker)
    service.record_consent(person, purpose="processing", given=True, decided_on=local_today(), actor=shelter_worker)
    assert not queries.has_consent(person, "processing", structure_id=structure("GBV-CC").id)
    assert queries.has_consent(person, "processing", structure_id=structure("SHELTER-W").id)


def test_interpretation_consent_is_read_as_the_requesting_structure_sees_it(db_session):
    from caseapp.interpretation.service import interpretation_consent

    person, kem_worker, shelter_worker = _person_known_at_kem_and_shelter()
    service.record_consent(person, purpose="interpretation", given=True, decided_on=local_today(),
                           actor=shelter_worker)
    assert interpretation_consent(person, structure("SHELTER-W").id)
    assert not interpretation_consent(person, structure("KEM").id)
