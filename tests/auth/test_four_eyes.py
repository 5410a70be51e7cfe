"""No administrator's path into a confidential structure: grants and resets wait for a supervisor of it."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from caseapp.auth import four_eyes
from caseapp.auth.errors import UserError
from caseapp.auth.models import AccessRequest, User
from caseapp.beneficiaries.queries import visible_beneficiaries
from caseapp.casefiles.queries import visible_case_files
from caseapp.extensions import db
from tests.auth.conftest import audited, login_post, one_time_password, post_form, requests_for
from tests.factories import DEFAULT_PASSWORD, make_beneficiary, make_user, structure

NEW_PASSWORD = "violet tractor harbour lemonade"


@pytest.fixture
def shelter(db_session):
    """The women's shelter: a supervisor, a caseworker and one survivor on file."""
    supervisor = make_user("supervisor", structures=("SHELTER-W",), username="shelter.lead")
    caseworker = make_user("caseworker", structures=("SHELTER-W",), username="shelter.worker")
    survivor = make_beneficiary("SHELTER-W", actor=caseworker, family_name="Survivoropoulou")
    db.session.commit()
    return supervisor, caseworker, survivor


@pytest.fixture
def admin_client(client, login_as):
    login_as("admin")
    return client


def sees(client, person) -> bool:
    response = client.get(f"/beneficiaries/{person.id}")
    assert response.status_code in (200, 404)
    return response.status_code == 200


def first_login(app, username: str, password: str):
    """A fresh desk: log in with a one-time password and choose a new one."""
    other = app.test_client()
    assert login_post(other, username, password).status_code == 302
    response = post_form(other, "/account/password", current_password=password, new_password=NEW_PASSWORD,
                         confirm=NEW_PASSWORD)
    assert response.status_code == 302
    return other


def decide(client, request: AccessRequest, **fields):
    """POST a decision, the CSRF token read from the list (the request's page may be a 404)."""
    return post_form(client, f"/access-requests/{request.id}", "/", **fields)


def confirm(client, request: AccessRequest):
    return decide(client, request, **{"confirm-decision": "confirm"})


def test_a_shelter_account_made_by_an_admin_opens_nothing_until_a_shelter_supervisor_confirms(
        app, admin_client, shelter, desk):
    supervisor, _caseworker, survivor = shelter
    response = post_form(admin_client, "/admin/users/new", username="new.shelter", display_name="New Shelter",
                         role="caseworker", structures=["SHELTER-W"])
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'id="pending-notice"' in page and "SHELTER-W" in page
    password = one_time_password(response)
    newcomer = db.session.execute(select(User).where(User.username == "new.shelter")).scalar_one()
    assert newcomer.structures == []
    [pending] = requests_for(newcomer)
    assert (pending.kind, pending.status, pending.structure.code) == ("grant_structure", "pending", "SHELTER-W")

    # The administrator's account logs in, and sees nothing of the shelter.
    other = first_login(app, "new.shelter", password)
    assert not sees(other, survivor)
    assert db.session.execute(visible_case_files(newcomer)).all() == []
    assert db.session.execute(visible_beneficiaries(newcomer)).all() == []

    # The shelter's supervisor is told on their home page, and confirms.
    lead = desk(supervisor)
    home = lead.get("/").get_data(as_text=True)
    assert 'id="confirmations-notice"' in home
    listing = lead.get("/access-requests/").get_data(as_text=True)
    assert "new.shelter" in listing
    assert confirm(lead, pending).status_code == 302
    db.session.refresh(pending)
    assert pending.status == "confirmed" and pending.decided_by_id == supervisor.id
    assert sees(other, survivor)
    assert 'id="confirmations-notice"' not in lead.get("/").get_data(as_text=True)

    assert [e.outcome for e in audited("access.request")] == ["pending"]
    assert [e.user_id for e in audited("access.confirm")] == [supervisor.id]
    [grant] = audited("access.grant", "confirmed")
    assert (grant.object_id, grant.structure_id) == (str(newcomer.id), structure("SHELTER-W").id)


def test_adding_the_shelter_to_a_kem_caseworker_waits_and_unticking_withdraws(admin_client, shelter, desk):
    _supervisor, _caseworker, survivor = shelter
    worker = make_user("caseworker", structures=("KEM",))
    db.session.commit()
    form = {"display_name": worker.display_name, "role": "caseworker", "structures": ["KEM", "SHELTER-W"],
            "version": str(worker.version)}
    assert post_form(admin_client, f"/admin/users/{worker.id}/edit", **form).status_code == 302
    db.session.refresh(worker)
    assert [s.code for s in worker.structures] == ["KEM"]
    assert not sees(desk(worker), survivor)
    edit_page = admin_client.get(f"/admin/users/{worker.id}/edit").get_data(as_text=True)
    assert "Σε αναμονή επιβεβαίωσης από επόπτη: SHELTER-W" in edit_page
    assert re.search(r'<input checked [^>]*value="SHELTER-W"', edit_page)  # still ticked: saving keeps it

    # Saved again without the shelter: the request is withdrawn (audited), nothing else changes.
    form.update(structures=["KEM"], version=str(worker.version))
    assert post_form(admin_client, f"/admin/users/{worker.id}/edit", **form).status_code == 302
    [request] = requests_for(worker)
    assert request.status == "cancelled"
    assert [e.outcome for e in audited("access.cancel")] == ["withdrawn"]


def test_a_shelter_password_reset_does_not_take_effect_until_confirmed(app, admin_client, shelter, desk):
    supervisor, caseworker, survivor = shelter
    response = post_form(admin_client, f"/admin/users/{caseworker.id}/reset-password", "/admin/users/")
    one_time = one_time_password(response)
    assert 'id="pending-notice"' in response.get_data(as_text=True)

    # The admin's password opens nothing; the owner's still works.
    assert login_post(app.test_client(), caseworker.username, one_time).status_code == 200
    owner = desk(caseworker)
    [pending] = requests_for(caseworker)
    assert pending.password_hash and one_time not in pending.password_hash

    assert confirm(desk(supervisor), pending).status_code == 302
    db.session.refresh(pending)
    assert pending.password_hash is None  # never kept once decided
    assert owner.get("/").status_code == 302  # the reset ended the owner's sessions
    assert login_post(app.test_client(), caseworker.username, DEFAULT_PASSWORD).status_code == 200
    assert sees(first_login(app, caseworker.username, one_time), survivor)
    assert audited("users.reset_password", "pending") and audited("users.reset_password", "confirmed")


def test_a_shelter_second_factor_reset_waits(admin_client, shelter, desk):
    from caseapp.auth import totp

    supervisor, caseworker, _survivor = shelter
    totp.start_enrolment(caseworker)
    caseworker.totp_enabled = True
    db.session.commit()
    assert post_form(admin_client, f"/admin/users/{caseworker.id}/reset-two-factor", "/admin/users/").status_code == 302
    db.session.refresh(caseworker)
    assert caseworker.totp_enabled
    [pending] = requests_for(caseworker)
    assert pending.kind == "reset_second_factor"
    confirm(desk(supervisor), pending)
    db.session.refresh(caseworker)
    assert not caseworker.totp_enabled and caseworker.totp_secret_ct is None


def test_reactivating_a_shelter_caseworker_waits(app, admin_client, shelter, desk):
    supervisor, caseworker, _survivor = shelter
    caseworker.active = False
    db.session.commit()
    post_form(admin_client, f"/admin/users/{caseworker.id}/active", "/admin/users/", active="1")
    db.session.refresh(caseworker)
    assert not caseworker.active
    assert login_post(app.test_client(), caseworker.username, DEFAULT_PASSWORD).status_code == 200
    [pending] = requests_for(caseworker)
    assert pending.kind == "reactivate"
    confirm(desk(supervisor), pending)
    db.session.refresh(caseworker)
    assert caseworker.active
    assert login_post(app.test_client(), caseworker.username, DEFAULT_PASSWORD).status_code == 302


def test_promoting_a_shelter_caseworker_to_supervisor_waits(admin_client, shelter, desk):
    supervisor, caseworker, survivor = shelter
    form = {"display_name": caseworker.display_name, "role": "supervisor", "structures": ["SHELTER-W"],
            "version": str(caseworker.version)}
    assert post_form(admin_client, f"/admin/users/{caseworker.id}/edit", **form).status_code == 302
    db.session.refresh(caseworker)
    assert caseworker.role == "supervisor" and caseworker.structures == []
    promoted = desk(caseworker)
    assert not sees(promoted, survivor)
    [pending] = requests_for(caseworker)
    assert "Τίποτα δεν περιμένει την επιβεβαίωσή σας." in promoted.get("/access-requests/").get_data(as_text=True)
    assert promoted.get(f"/access-requests/{pending.id}").status_code == 404  # not their own promotion
    confirm(desk(supervisor), pending)
    assert sees(promoted, survivor)


def test_neither_the_admin_nor_the_person_concerned_can_confirm(admin_client, shelter, desk):
    supervisor, _caseworker, _survivor = shelter
    second = make_user("supervisor", structures=("SHELTER-W",), username="shelter.second")
    db.session.commit()
    post_form(admin_client, f"/admin/users/{supervisor.id}/reset-password", "/admin/users/")
    [pending] = requests_for(supervisor)

    assert admin_client.get("/access-requests/").status_code == 403
    assert confirm(admin_client, pending).status_code == 403
    concerned = desk(supervisor)
    assert f"/access-requests/{pending.id}" not in concerned.get("/access-requests/").get_data(as_text=True)
    assert confirm(concerned, pending).status_code == 404
    db.session.refresh(pending)
    assert pending.status == "pending"
    with pytest.raises(UserError):
        four_eyes.confirm(pending, actor=supervisor)
    assert confirm(desk(second), pending).status_code == 302


def test_the_requester_cannot_confirm_their_own_request(shelter):
    supervisor, caseworker, _survivor = shelter
    second = make_user("supervisor", structures=("SHELTER-W",))
    [request] = four_eyes.request_change(four_eyes.RESET_SECOND_FACTOR, caseworker, [structure("SHELTER-W")],
                                         actor=second)
    with pytest.raises(UserError):
        four_eyes.confirm(request, actor=second)
    assert four_eyes.confirm(request, actor=supervisor) is True


def test_another_structures_supervisor_gets_404_and_is_audited(admin_client, shelter, desk):
    _supervisor, caseworker, _survivor = shelter
    post_form(admin_client, f"/admin/users/{caseworker.id}/reset-password", "/admin/users/")
    [pending] = requests_for(caseworker)
    kem_lead = desk(make_user("supervisor", structures=("KEM",)))
    assert "shelter.worker" not in kem_lead.get("/access-requests/").get_data(as_text=True)
    assert kem_lead.get(f"/access-requests/{pending.id}").status_code == 404
    assert confirm(kem_lead, pending).status_code == 404
    assert [e.object_id for e in audited("access.denied")] == [str(pending.id)] * 2
    db.session.refresh(pending)
    assert pending.status == "pending"


def test_a_refusal_needs_a_reason_and_the_admin_reads_it(app, admin_client, shelter, desk):
    supervisor, caseworker, _survivor = shelter
    response = post_form(admin_client, f"/admin/users/{caseworker.id}/reset-password", "/admin/users/")
    one_time = one_time_password(response)
    [pending] = requests_for(caseworker)
    lead = desk(supervisor)
    empty = decide(lead, pending, **{"refuse-decision": "refuse", "refuse-reason": "  "})
    assert empty.status_code == 200 and 'id="refuse-reason-error"' in empty.get_data(as_text=True)
    db.session.refresh(pending)
    assert pending.status == "pending"

    reason = "She did not ask for a reset; call her first."
    assert decide(lead, pending, **{"refuse-decision": "refuse", "refuse-reason": reason}).status_code == 302
    db.session.refresh(pending)
    assert (pending.status, pending.refusal_reason, pending.password_hash) == ("refused", reason, None)
    assert login_post(app.test_client(), caseworker.username, one_time).status_code == 200
    edit_page = admin_client.get(f"/admin/users/{caseworker.id}/edit").get_data(as_text=True)
    assert "call her first" in edit_page
    [refusal] = audited("access.refuse")
    assert (refusal.user_id, refusal.object_id) == (supervisor.id, str(pending.id))
    assert confirm(lead, pending).status_code == 404  # decided once


def test_without_an_active_supervisor_the_admin_is_told_and_nothing_is_created(admin_client):
    gbv_lead = make_user("supervisor", structures=("GBV-CC",), active=False)
    db.session.commit()
    response = post_form(admin_client, "/admin/users/new", username="gbv.worker", display_name="Gbv Worker",
                         role="caseworker", structures=["GBV-CC"])
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and 'id="structures-error"' in page
    assert "GBV-CC" in page and "flask users create" in page
    assert db.session.execute(select(User).where(User.username == "gbv.worker")).scalar_one_or_none() is None
    post_form(admin_client, f"/admin/users/{gbv_lead.id}/active", "/admin/users/", active="1")
    db.session.refresh(gbv_lead)
    assert not gbv_lead.active  # reactivating the only supervisor needs someone else: refused
    assert requests_for(gbv_lead) == []


def test_the_operator_command_line_grants_at_once_and_audits(app, db_session):
    result = app.test_cli_runner().invoke(
        args=["users", "create", "first.gbv.lead", "--role", "supervisor", "--structure", "GBV-CC"],
        input="kettle orchard lantern ninety\n")
    assert result.exit_code == 0, result.output
    assert "GBV-CC is confidential" in result.output
    user = db.session.execute(select(User).where(User.username == "first.gbv.lead")).scalar_one()
    assert [s.code for s in user.structures] == ["GBV-CC"]
    [grant] = audited("access.grant", "operator")
    assert (grant.object_id, grant.user_id) == (str(user.id), None)


def test_a_reset_for_two_confidential_structures_needs_both(admin_client, shelter, desk):
    supervisor, _caseworker, _survivor = shelter
    both = make_user("caseworker", structures=("GBV-CC", "SHELTER-W"))
    gbv_lead = make_user("supervisor", structures=("GBV-CC",))
    db.session.commit()
    post_form(admin_client, f"/admin/users/{both.id}/reset-two-factor", "/admin/users/")
    first, second = requests_for(both)
    assert first.batch == second.batch
    old_hash = both.password_hash
    from caseapp.auth import totp

    totp.start_enrolment(both)
    both.totp_enabled = True
    db.session.commit()
    shelter_req = first if first.structure.code == "SHELTER-W" else second
    gbv_req = second if shelter_req is first else first
    confirm(desk(supervisor), shelter_req)
    db.session.refresh(both)
    assert both.totp_enabled  # one of two
    confirm(desk(gbv_lead), gbv_req)
    db.session.refresh(both)
    assert not both.totp_enabled and both.password_hash == old_hash


def test_a_reset_during_a_pending_grant_waits_too(app, admin_client, shelter):
    """Otherwise an administrator would reset a newcomer's password before the supervisor confirms."""
    worker = make_user("caseworker", structures=("KEM",))
    db.session.commit()
    post_form(admin_client, f"/admin/users/{worker.id}/edit", display_name=worker.display_name, role="caseworker",
              structures=["KEM", "SHELTER-W"], version=str(worker.version))
    one_time = one_time_password(post_form(admin_client, f"/admin/users/{worker.id}/reset-password", "/admin/users/"))
    assert login_post(app.test_client(), worker.username, one_time).status_code == 200
    assert [r.kind for r in requests_for(worker)] == ["grant_structure", "reset_password"]


def test_the_confirmations_list_takes_a_fixed_number_of_queries(admin_client, shelter, desk, count_queries):
    supervisor, _caseworker, _survivor = shelter
    lead = desk(supervisor)
    counts = []
    for extra in (2, 12):
        for _ in range(extra):
            user = make_user("caseworker", structures=("KEM",))
            four_eyes.request_grant(user, structure("SHELTER-W"), actor=make_user("admin"))
        db.session.commit()
        with count_queries() as counted:
            page = lead.get("/access-requests/")
        assert page.status_code == 200
        counts.append(counted.n)
    assert counts[0] == counts[1]


def test_the_access_request_lifecycle_table():
    """Decided once: only a confirmer confirms or refuses; only an administrator (or the
    system, for the rest of a refused batch) cancels; nothing leaves a decided state."""
    table = four_eyes.ACCESS_REQUEST
    allowed = {(state, action, party) for state, action, party in table.triples()
               if table.permits(state, action, party)}
    assert allowed == {("pending", "confirm", "confirmer"), ("pending", "refuse", "confirmer"),
                       ("pending", "cancel", "administrator"), ("pending", "cancel", "system")}


def test_supervisors_see_the_waiting_count_on_every_page(admin_client, shelter, desk):
    supervisor, caseworker, _survivor = shelter
    lead = desk(supervisor)
    assert 'class="badge"' not in lead.get("/beneficiaries/").get_data(as_text=True)
    post_form(admin_client, f"/admin/users/{caseworker.id}/reset-password", "/admin/users/")
    page = lead.get("/beneficiaries/").get_data(as_text=True)
    assert re.search(r'href="/access-requests/">[^<]+ <span class="badge">1<', page)
    assert 'class="badge"' not in desk(make_user("supervisor", structures=("KEM",))).get("/").get_data(as_text=True)
