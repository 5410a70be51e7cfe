"""Referral screens as the people around one referral see them: sender, receiver, third structure."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from caseapp.casefiles.models import CaseFile
from caseapp.extensions import db
from caseapp.referrals import service
from caseapp.referrals.models import Referral
from caseapp.security.audit import AuditEvent
from tests.conftest import csrf_token
from tests.factories import case_file_of, make_note, make_user, structure
from tests.referrals.factories import give_consent, make_referral, person_at, service_of

FAMILY_CANARY = "Canaryfamilyname"
PHONE_CANARY = "6912345678"
NOTE_CANARY = "NOTECANARY she told us about the flat"
CONFIDENTIAL_CANARY = "SECRETCANARY safety plan details"


@pytest.fixture
def world(db_session):
    kem = make_user("caseworker", structures=("KEM",))
    dis = make_user("caseworker", structures=("DIS-PROG",))
    outsider = make_user("caseworker", structures=("GBV-CC",))
    person = person_at("KEM", actor=kem, given_name="Leila", family_name=FAMILY_CANARY, phone=PHONE_CANARY,
                       language_codes=["fa"])
    kem_file = case_file_of(person, "KEM")
    make_note(kem_file, NOTE_CANARY, actor=kem)
    make_note(kem_file, CONFIDENTIAL_CANARY, confidential=True, actor=kem)
    referral = make_referral(person, actor=kem, to_code="DIS-PROG")
    db.session.commit()
    return {"kem": kem, "dis": dis, "outsider": outsider, "person": person, "referral": referral}


def log_out(client) -> None:
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})


def page(client, url) -> tuple[int, str]:
    response = client.get(url)
    return response.status_code, response.get_data(as_text=True)


def test_before_acceptance_the_receiver_sees_only_the_minimum_on_the_referral(client, login, world):
    login(world["dis"])
    status, html = page(client, f"/referrals/{world['referral'].id}")
    assert status == 200
    assert "Leila" in html and world["person"].reference in html
    assert "Needs support with the disability certification." in html
    for canary in (FAMILY_CANARY, PHONE_CANARY, "691", NOTE_CANARY, CONFIDENTIAL_CANARY):
        assert canary not in html
    assert client.get(f"/beneficiaries/{world['person'].id}").status_code == 404
    assert client.get(f"/cases/{case_file_of(world['person'], 'KEM').id}").status_code == 404
    inbox = client.get("/referrals/").get_data(as_text=True)
    assert world["person"].reference in inbox and FAMILY_CANARY not in inbox


def test_after_acceptance_the_receiver_sees_the_person_and_its_own_file_but_never_the_senders_notes(
        client, login, post_form, world):
    login(world["dis"])
    url = f"/referrals/{world['referral'].id}"
    response = post_form(f"{url}/accept", token_from=url, version=world["referral"].version)
    assert response.status_code == 302
    referral = db.session.get(Referral, world["referral"].id)
    own = referral.receiving_case_file
    assert own is not None and own.structure.code == "DIS-PROG" and own.is_open
    status, profile = page(client, f"/beneficiaries/{world['person'].id}")
    assert status == 200 and FAMILY_CANARY in profile
    status, case_page = page(client, f"/cases/{own.id}")
    assert status == 200
    for html in (profile, case_page, page(client, url)[1]):
        assert NOTE_CANARY not in html and CONFIDENTIAL_CANARY not in html
    assert client.get(f"/cases/{case_file_of(world['person'], 'KEM').id}").status_code == 404


def test_a_referral_withdrawn_before_acceptance_leaves_the_receiver_with_404(client, login, world):
    service.withdraw(world["referral"], "Found a place elsewhere.", actor=world["kem"])
    db.session.commit()
    login(world["dis"])
    assert client.get(f"/referrals/{world['referral'].id}").status_code == 404
    assert client.get(f"/beneficiaries/{world['person'].id}").status_code == 404
    inbox = client.get("/referrals/?list=closed").get_data(as_text=True)
    assert world["person"].reference not in inbox


def test_after_declining_the_receiver_sees_nothing_of_the_person(client, login, post_form, world):
    login(world["dis"])
    url = f"/referrals/{world['referral'].id}"
    response = post_form(f"{url}/decline", token_from=url, version=world["referral"].version,
                         reason="No capacity this month.")
    assert response.status_code == 302 and response.headers["Location"].endswith("/referrals/")
    assert client.get(url).status_code == 404
    assert client.get(f"/beneficiaries/{world['person'].id}").status_code == 404


def test_a_third_structure_gets_404_on_the_referral_and_the_person_and_the_attempt_is_audited(client, login, world):
    login(world["outsider"])
    assert client.get(f"/referrals/{world['referral'].id}").status_code == 404
    assert client.get(f"/beneficiaries/{world['person'].id}").status_code == 404
    denied = db.session.execute(select(AuditEvent).where(
        AuditEvent.action == "access.denied", AuditEvent.user_id == world["outsider"].id,
        AuditEvent.object_id == str(world["referral"].id))).scalars().all()
    assert len(denied) == 1 and denied[0].object_type == "referral"


def test_the_sender_sees_the_acceptance_on_the_case_file_timeline(client, login, world):
    service.accept(world["referral"], actor=world["dis"])
    db.session.commit()
    login(world["kem"])
    html = client.get(f"/cases/{case_file_of(world['person'], 'KEM').id}").get_data(as_text=True)
    timeline = html.split('id="timeline-heading"')[1]
    assert "Referral accepted" in timeline or "Η παραπομπή έγινε δεκτή" in timeline


def test_two_people_answering_at_once_one_wins_the_other_gets_a_conflict_message(client, login, post_form, world):
    second = make_user("caseworker", structures=("DIS-PROG",))
    db.session.commit()
    stale_version = world["referral"].version
    service.accept(world["referral"], actor=world["dis"])  # the first one, a moment earlier
    db.session.commit()
    login(second)
    url = f"/referrals/{world['referral'].id}"
    response = post_form(f"{url}/decline", token_from=url, version=stale_version, reason="No capacity.")
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "at the same time" in html or "ταυτόχρονα" in html
    referral = db.session.get(Referral, world["referral"].id)
    db.session.refresh(referral)
    assert referral.status == "accepted" and referral.decline_reason is None


def test_a_stale_form_on_the_same_state_gets_409_and_a_conflict_message(client, login, post_form, world):
    login(world["dis"])
    url = f"/referrals/{world['referral'].id}"
    response = post_form(f"{url}/accept", token_from=url, version=world["referral"].version - 1)
    assert response.status_code == 409
    assert "at the same time" in response.get_data(as_text=True) or "ταυτόχρονα" in response.get_data(as_text=True)
    assert db.session.get(Referral, world["referral"].id).status == "sent"


def test_the_refer_form_sends_with_consent_and_refuses_without(client, login, post_form, db_session):
    kem = make_user("caseworker", structures=("KEM",))
    person = person_at("KEM", actor=kem, consent=False)
    db.session.commit()
    login(kem)
    url = f"/referrals/new/{person.id}"
    fields = dict(from_structure=structure("KEM").id, service=service_of("DIS-PROG").id, urgency="urgent",
                  reason="Needs a wheelchair.")
    response = post_form(url, **fields)
    assert response.status_code == 400
    assert "consent" in response.get_data(as_text=True).lower() or "συναίνεση" in response.get_data(as_text=True)
    assert "Needs a wheelchair." in response.get_data(as_text=True)  # what was typed is kept
    assert db.session.execute(select(Referral).where(Referral.beneficiary_id == person.id)).first() is None
    give_consent(person, kem, "share_municipal")
    db.session.commit()
    response = post_form(url, **fields)
    assert response.status_code == 302
    referral = db.session.execute(select(Referral).where(Referral.beneficiary_id == person.id)).scalar_one()
    assert referral.status == "sent" and referral.due_on is not None and referral.urgency == "urgent"
    give_consent(person, kem, "share_municipal", given=False)  # withdrawal blocks the next one at once
    db.session.commit()
    assert post_form(url, **fields).status_code == 400
    assert len(db.session.execute(select(Referral).where(Referral.beneficiary_id == person.id)).all()) == 1


def test_a_referral_to_a_partner_needs_consent_to_sharing_with_partners(db_session):
    from caseapp.domain import DomainError

    kem = make_user("caseworker", structures=("KEM",))
    person = person_at("KEM", actor=kem, consent=False)
    give_consent(person, kem, "share_municipal")
    with pytest.raises(DomainError) as refused:
        make_referral(person, actor=kem, to_code="P-PRAKSIS")
    assert "partner" in refused.value.message.lower() or "συνεργαζ" in str(refused.value.message)


def test_saving_a_draft_sends_nothing_and_the_receiver_does_not_see_it(client, login, post_form, db_session):
    kem = make_user("caseworker", structures=("KEM",))
    dis = make_user("caseworker", structures=("DIS-PROG",))
    person = person_at("KEM", actor=kem)
    db.session.commit()
    login(kem)
    response = post_form(f"/referrals/new/{person.id}", from_structure=structure("KEM").id,
                         service=service_of("DIS-PROG").id, urgency="routine", reason="Later.", draft="1")
    assert response.status_code == 302
    referral = db.session.execute(select(Referral).where(Referral.beneficiary_id == person.id)).scalar_one()
    assert referral.status == "draft" and referral.due_on is None
    log_out(client)
    login(dis)
    assert client.get(f"/referrals/{referral.id}").status_code == 404


def test_the_refer_form_is_prefilled_from_the_query(client, login, db_session):
    kem = make_user("caseworker", structures=("KEM",))
    person = person_at("KEM", actor=kem)
    wanted = service_of("DIS-PROG", "DISABILITY_CERT")
    db.session.commit()
    login(kem)
    html = client.get(f"/referrals/new/{person.id}?service={wanted.id}").get_data(as_text=True)
    assert f'value="{wanted.id}" selected' in html or f'selected value="{wanted.id}"' in html


def test_the_navigation_counts_referrals_waiting_for_an_answer(client, login, world):
    make_referral(actor=world["kem"], to_code="DIS-PROG")
    db.session.commit()
    login(world["dis"])
    html = client.get("/").get_data(as_text=True)
    nav = html.split("</nav>")[0]
    assert '<span class="badge">2' in nav


def test_an_overdue_referral_is_flagged_in_both_boxes_and_on_the_supervisors_home(client, login, world):
    from datetime import timedelta

    from caseapp.dates import local_today

    world["referral"].due_on = local_today() - timedelta(days=1)
    supervisor = make_user("supervisor", structures=("KEM",))
    db.session.commit()
    login(world["dis"])
    assert 'class="tag overdue"' in client.get("/referrals/?list=overdue").get_data(as_text=True)
    log_out(client)
    login(supervisor)
    assert 'class="tag overdue"' in client.get("/referrals/sent?list=overdue").get_data(as_text=True)
    home = client.get("/").get_data(as_text=True)
    assert world["person"].reference in home.split('id="referrals-due-heading"')[1]


def _queries_for(client, count_queries, url) -> int:
    client.get(url)
    with count_queries() as counted:
        response = client.get(url)
    assert response.status_code == 200, url
    return counted.n


def _shown_referrals(client, url) -> int:
    return len(set(re.findall(r'href="/referrals/([0-9a-f-]{36})"', client.get(url).get_data(as_text=True))))


def test_inbox_outbox_and_home_take_the_same_number_of_queries_for_2_or_20_referrals(
        client, login, count_queries, db_session):
    """Measured with every list filled (received, sent, accepted, overdue on the home page), N then 10N rows."""
    from datetime import timedelta

    from caseapp.dates import local_today

    kem = make_user("supervisor", structures=("KEM",))
    dis = make_user("supervisor", structures=("DIS-PROG",))

    def add(n):
        for i in range(n):
            sent = make_referral(actor=kem, to_code="DIS-PROG")
            received = make_referral(actor=dis, from_code="DIS-PROG", to_code="KEM")
            if i % 2:
                service.accept(received, actor=kem)
            else:
                received.due_on = sent.due_on = local_today() - timedelta(days=1)   # overdue: the home page
        db.session.commit()

    add(2)
    login(kem)
    client.get("/")
    urls = ["/referrals/", "/referrals/sent", "/referrals/?list=accepted", "/"]
    small = {url: _queries_for(client, count_queries, url) for url in urls}
    shown_small = {url: _shown_referrals(client, url) for url in urls}
    assert all(shown_small.values()), shown_small          # no list is measured empty
    add(18)
    client.get("/")
    large = {url: _queries_for(client, count_queries, url) for url in urls}
    shown_large = {url: _shown_referrals(client, url) for url in urls}
    assert all(shown_large[url] > shown_small[url] for url in urls), (shown_small, shown_large)
    assert small == large


def test_the_case_file_offers_refer_and_lists_its_referrals(client, login, world):
    login(world["kem"])
    html = client.get(f"/cases/{case_file_of(world['person'], 'KEM').id}").get_data(as_text=True)
    panel = html.split('id="referrals-heading"')[1].split("</section>")[0]
    assert f"/referrals/new/{world['person'].id}" in panel and f"/referrals/{world['referral'].id}" in panel


def test_the_confidential_note_wording_leads_to_referrals(client, login, world):
    login(world["kem"])
    html = client.get(f"/cases/{case_file_of(world['person'], 'KEM').id}").get_data(as_text=True)
    notes = html.split('id="notes-heading"')[1].split('id="timeline-heading"')[0]
    assert f"/referrals/new/{world['person'].id}" in notes


def test_an_erased_persons_referrals_leave_both_boxes(client, login, world):
    from caseapp.beneficiaries import erasure

    erasure.erase_beneficiary(world["person"])
    db.session.commit()
    login(world["dis"])
    assert client.get(f"/referrals/{world['referral'].id}").status_code == 404
    assert world["person"].reference not in client.get("/referrals/").get_data(as_text=True)
    assert db.session.get(Referral, world["referral"].id).reason is None   # the sealed reason is gone with the key


def test_the_home_page_lists_what_the_structure_must_answer_or_complete(client, login, world):
    accepted = make_referral(actor=world["kem"], to_code="DIS-PROG")
    service.accept(accepted, actor=world["dis"])
    db.session.commit()
    login(world["dis"])
    panel = client.get("/").get_data(as_text=True).split('id="referrals-due-heading"')[1].split("</section>")[0]
    assert f"/referrals/{world['referral'].id}" in panel and f"/referrals/{accepted.id}" in panel


def test_the_sender_changes_a_draft_then_sends_it_and_a_stale_form_is_a_conflict(client, login, post_form, db_session):
    kem = make_user("caseworker", structures=("KEM",))
    referral = make_referral(actor=kem, send=False)
    db.session.commit()
    login(kem)
    url = f"/referrals/{referral.id}/edit"
    assert client.get(url).status_code == 200
    wanted = service_of("GBV-CC")
    response = post_form(url, service=wanted.id, urgency="emergency", reason="Changed reason.",
                         version=referral.version)
    assert response.status_code == 302
    db.session.refresh(referral)
    assert (referral.to_structure_id, referral.urgency, referral.reason) == (wanted.structure_id, "emergency",
                                                                            "Changed reason.")
    stale = post_form(url, service=wanted.id, urgency="routine", reason="Older tab.", version=referral.version - 1)
    assert stale.status_code == 409 and "Older tab." in stale.get_data(as_text=True)
    service.send_referral(referral, actor=kem)
    db.session.commit()
    assert client.get(url).status_code == 403  # sent: no longer a draft


def test_the_sender_records_a_partners_answer_through_the_form(client, login, post_form, db_session):
    from caseapp.dates import local_today

    kem = make_user("caseworker", structures=("KEM",))
    referral = make_referral(actor=kem, to_code="P-PRAKSIS")
    db.session.commit()
    login(kem)
    url = f"/referrals/{referral.id}"
    html = client.get(url).get_data(as_text=True)
    assert 'name="channel"' in html and 'name="answered_on"' in html
    missing = post_form(f"{url}/accept", token_from=url, version=referral.version)
    assert missing.status_code == 400
    assert 'id="channel-error"' in missing.get_data(as_text=True)
    done = post_form(f"{url}/accept", token_from=url, version=referral.version, channel="email",
                     answered_on=local_today().isoformat())
    assert done.status_code == 302
    db.session.refresh(referral)
    assert referral.status == "accepted" and referral.answer_channel == "email" and referral.answered_for_partner
    history = client.get(url).get_data(as_text=True).split('id="history-heading"')[1]
    assert "By email" in history or "Με email" in history


def test_the_refer_form_offers_only_the_viewers_structures_holding_an_open_file_and_404s_for_others(
        client, login, db_session):
    from caseapp.casefiles import service as casefile_service

    person = person_at("KEM")
    helper = make_user("caseworker", structures=("DIS-PROG",))
    dis_file = casefile_service.open_case_file(person, structure("DIS-PROG"), actor=helper)
    clinics_file = casefile_service.open_case_file(person, structure("CLINICS"), actor=make_user(
        "caseworker", structures=("CLINICS",)))
    casefile_service.close_case_file(clinics_file, "goals_met", actor=make_user("caseworker", structures=("CLINICS",)))
    both = make_user("caseworker", structures=("DIS-PROG", "CLINICS", "GBV-CC"))
    outsider = make_user("caseworker", structures=("GBV-CC",))
    db.session.commit()
    url = f"/referrals/new/{person.id}"

    login(both)
    body = client.get(url).get_data(as_text=True)
    offered = re.search(r'<select[^>]*name="from_structure"[^>]*>(.*?)</select>', body, re.S).group(1)
    assert "DIS-PROG" in offered and "CLINICS" not in offered and "GBV-CC" not in offered
    assert dis_file.is_open
    log_out(client)

    login(outsider)
    assert client.get(url).status_code == 404
    token = csrf_token(client, "/")
    assert client.post(url, data={"csrf_token": token, "from_structure": structure("GBV-CC").id,
                                  "service": service_of("DIS-PROG").id, "urgency": "routine",
                                  "reason": "x"}).status_code == 404
    denied = db.session.execute(select(AuditEvent.object_type, AuditEvent.object_id).where(
        AuditEvent.outcome == "denied", AuditEvent.user_id == outsider.id)).all()
    assert [tuple(d) for d in denied] == [("beneficiary", str(person.id))] * 2
    assert db.session.execute(select(Referral).where(Referral.beneficiary_id == person.id)).first() is None
