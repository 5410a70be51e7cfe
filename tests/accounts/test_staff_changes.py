"""People and accounts: files of a departed caseworker reach the supervisors, roles and structures
that mean nothing are refused with a message."""
import re

import pytest
from sqlalchemy import select

from caseapp.auth import service as auth_service
from caseapp.auth.errors import UserError
from caseapp.auth.models import User
from caseapp.casefiles import queries as casefile_queries
from caseapp.casefiles import service as casefile_service
from caseapp.casefiles.models import CaseFile, TimelineEvent
from caseapp.extensions import db
from caseapp.security.audit import AuditEvent
from tests.conftest import csrf_token
from tests.factories import case_file_of, make_beneficiary, make_user, structure


def page(response) -> str:
    return response.get_data(as_text=True)


def reload(case_file) -> CaseFile:
    db.session.expire_all()
    return db.session.get(CaseFile, case_file.id)


def admin_post(client, path, **data):
    return client.post(path, data={"csrf_token": csrf_token(client, "/admin/users/"), **data})


# --- a caseworker deactivated or moved: their files go to the supervisors -------------------------------


def test_deactivating_a_caseworker_unassigns_their_open_files_and_lists_them_for_the_supervisor(app, client,
                                                                                                 login_as):
    worker = make_user("caseworker", structures=("KEM",), display_name="Departing Worker")
    open_file = case_file_of(make_beneficiary("KEM", actor=worker, family_name="Openfile"))
    closed_file = case_file_of(make_beneficiary("KEM", actor=worker, family_name="Closedfile"))
    casefile_service.close_case_file(closed_file, "goals_met", actor=worker)
    db.session.commit()
    login_as("admin")
    assert admin_post(client, f"/admin/users/{worker.id}/active", active="0").status_code == 302
    assert reload(open_file).assigned_to_id is None
    assert reload(closed_file).assigned_to_id == worker.id  # history kept for closed files
    kinds = db.session.execute(select(TimelineEvent.kind).where(TimelineEvent.case_file_id == open_file.id)).scalars()
    assert "case.unassigned" in set(kinds)
    assert db.session.execute(select(AuditEvent).where(AuditEvent.action == "cases.unassign",
                                                       AuditEvent.object_id == str(open_file.id))).scalar_one()

    supervisor = make_user("supervisor", structures=("KEM",))
    db.session.commit()
    other = app.test_client()
    other.post("/language", data={"locale": "en", "next": "/", "csrf_token": csrf_token(other)})
    other.post("/login", data={"username": supervisor.username, "password": "correct horse battery staple 42",
                               "csrf_token": csrf_token(other)})
    home = page(other.get("/"))
    assert "Case files to assign" in home and "Openfile" in home and "Closedfile" not in home
    case_page = page(other.get(f"/cases/{open_file.id}"))
    assert "Departing Worker" not in case_page.split('id="timeline')[0] and "Not assigned" in case_page
    from caseapp.beneficiaries.sightings import who_has_seen

    home_views = [s for s in who_has_seen(open_file.beneficiary_id) if s.action == "home.view"]
    assert [s.user_id for s in home_views] == [supervisor.id]   # the home page's event names the person shown


def test_removing_a_caseworker_from_one_structure_unassigns_only_that_structures_files(client, login_as):
    worker = make_user("caseworker", structures=("KEM", "DIS-PROG"))
    kem_file = case_file_of(make_beneficiary("KEM", actor=worker), "KEM")
    dis_file = case_file_of(make_beneficiary("DIS-PROG", actor=worker), "DIS-PROG")
    db.session.commit()
    login_as("admin")
    response = admin_post(client, f"/admin/users/{worker.id}/edit", display_name=worker.display_name,
                          role="caseworker", structures=["DIS-PROG"], version=str(worker.version))
    assert response.status_code == 302, page(response)[:2000]
    assert reload(kem_file).assigned_to_id is None
    assert reload(dis_file).assigned_to_id == worker.id


def test_a_caseworker_made_coordinator_no_longer_holds_files(client, login_as):
    worker = make_user("caseworker", structures=("KEM",))
    case_file = case_file_of(make_beneficiary("KEM", actor=worker))
    db.session.commit()
    login_as("admin")
    response = admin_post(client, f"/admin/users/{worker.id}/edit", display_name=worker.display_name,
                          role="coordinator", structures=["KEM"], version=str(worker.version))
    assert response.status_code == 302, page(response)[:2000]
    assert reload(case_file).assigned_to_id is None


def test_reactivating_gives_nothing_back_in_silence(client, login_as):
    worker = make_user("caseworker", structures=("KEM",))
    case_file = case_file_of(make_beneficiary("KEM", actor=worker))
    db.session.commit()
    login_as("admin")
    admin_post(client, f"/admin/users/{worker.id}/active", active="0")
    admin_post(client, f"/admin/users/{worker.id}/active", active="1")
    assert reload(case_file).assigned_to_id is None


def test_reopening_a_file_of_a_deactivated_caseworker_assigns_the_person_reopening_it(db_session):
    worker = make_user("caseworker", structures=("KEM",))
    case_file = case_file_of(make_beneficiary("KEM", actor=worker))
    casefile_service.close_case_file(case_file, "goals_met", actor=worker)
    admin = make_user("admin")
    auth_service.set_active(worker, False, actor=admin)
    colleague = make_user("caseworker", structures=("KEM",))
    casefile_service.reopen_case_file(case_file, actor=colleague)
    assert case_file.assigned_to_id == colleague.id


def test_reopening_a_file_of_a_moved_caseworker_by_a_supervisor_assigns_the_supervisor(db_session):
    worker = make_user("caseworker", structures=("KEM", "DIS-PROG"))
    case_file = case_file_of(make_beneficiary("KEM", actor=worker))
    casefile_service.close_case_file(case_file, "goals_met", actor=worker)
    worker.structures = [structure("DIS-PROG")]  # moved while the file was closed
    supervisor = make_user("supervisor", structures=("KEM",))
    casefile_service.reopen_case_file(case_file, actor=supervisor)
    assert case_file.assigned_to_id == supervisor.id


def test_reopening_keeps_an_assignee_who_still_works_there(db_session):
    worker = make_user("caseworker", structures=("KEM",))
    case_file = case_file_of(make_beneficiary("KEM", actor=worker))
    casefile_service.close_case_file(case_file, "goals_met", actor=worker)
    supervisor = make_user("supervisor", structures=("KEM",))
    casefile_service.reopen_case_file(case_file, actor=supervisor)
    assert case_file.assigned_to_id == worker.id


def test_the_reassign_form_preselects_nobody_and_refuses_an_empty_choice(client, login_as):
    worker = make_user("caseworker", structures=("KEM",))
    make_user("caseworker", structures=("KEM",), display_name="Another Worker")
    case_file = case_file_of(make_beneficiary("KEM", actor=worker))
    db.session.commit()
    login_as("supervisor", structures=("KEM",))
    body = page(client.get(f"/cases/{case_file.id}"))
    select_html = re.search(r'<select[^>]*name="assigned_to"[^>]*>(.*?)</select>', body, re.S).group(1)
    assert re.findall(r"<option selected[^>]*>([^<]*)<", select_html) in ([], ["Choose…"])
    assert "Another Worker" in select_html
    response = client.post(f"/cases/{case_file.id}/assign",
                           data={"csrf_token": csrf_token(client, f"/cases/{case_file.id}"), "assigned_to": ""})
    assert response.status_code == 302
    assert "Choose a caseworker of this structure." in page(client.get(f"/cases/{case_file.id}"))
    assert reload(case_file).assigned_to_id == worker.id


def test_the_to_assign_list_is_the_supervisors_own_structures_only(client, login_as):
    worker = make_user("caseworker", structures=("DIS-PROG",))
    make_beneficiary("DIS-PROG", actor=worker, family_name="Elsewhereperson")
    auth_service.set_active(worker, False, actor=make_user("admin"))
    db.session.commit()
    login_as("supervisor", structures=("KEM",))
    home = page(client.get("/"))
    assert "Case files to assign" not in home and "Elsewhereperson" not in home


def test_caseworkers_do_not_get_the_to_assign_list(client, login_as):
    worker = make_user("caseworker", structures=("KEM",))
    make_beneficiary("KEM", actor=worker)
    auth_service.set_active(worker, False, actor=make_user("admin"))
    db.session.commit()
    login_as("caseworker", structures=("KEM",))
    assert "Case files to assign" not in page(client.get("/"))


@pytest.mark.parametrize("files", [1, 25])
def test_the_to_assign_list_takes_a_fixed_number_of_queries(client, login_as, count_queries, backend, files):
    worker = make_user("caseworker", structures=("KEM",))
    for _ in range(files):
        make_beneficiary("KEM", actor=worker)
    auth_service.set_active(worker, False, actor=make_user("admin"))
    db.session.commit()
    supervisor = login_as("supervisor", structures=("KEM",))
    files_shown, total = casefile_queries.files_to_assign(supervisor, 20)
    assert total == files and len(files_shown) == min(files, 20)
    client.get("/")
    with count_queries() as counted:
        home = page(client.get("/"))
    assert "Case files to assign" in home
    counts = QUERY_COUNTS.setdefault(backend, {})
    counts[files] = counted.n
    if len(counts) == 2:
        assert counts[1] == counts[25]


QUERY_COUNTS: dict[str, dict[int, int]] = {}


# --- role and structures: combinations that mean nothing are refused -----------------------------------


def _new_user(client, **fields):
    return client.post("/admin/users/new", data={"csrf_token": csrf_token(client, "/admin/users/new"), **fields})


def _exists(username) -> bool:
    return db.session.execute(select(User).where(User.username == username)).scalar_one_or_none() is not None


def test_an_admin_with_structures_is_refused_with_a_message(client, login_as):
    login_as("admin")
    body = page(_new_user(client, username="admin.two", display_name="Admin Two", role="admin", structures=["KEM"]))
    assert 'id="structures-error"' in body and "Administrators and interpreters do not belong to structures" in body
    assert not _exists("admin.two")


def test_an_interpreter_with_a_structure_is_refused(client, login_as):
    login_as("admin")
    body = page(_new_user(client, username="interp.two", display_name="Interp", role="interpreter",
                          structures=["DIS-PROG"]))
    assert 'id="structures-error"' in body and not _exists("interp.two")


def test_a_supervisor_without_a_structure_is_refused(client, login_as):
    login_as("admin")
    body = page(_new_user(client, username="sup.none", display_name="Sup", role="supervisor"))
    assert "Caseworkers and supervisors belong to at least one structure." in body and not _exists("sup.none")


def test_making_a_supervisor_an_admin_while_keeping_structures_is_refused(client, login_as):
    login_as("admin")
    target = make_user("supervisor", structures=("KEM",))
    db.session.commit()
    response = admin_post(client, f"/admin/users/{target.id}/edit", display_name=target.display_name,
                          role="admin", structures=["KEM"], version=str(target.version))
    assert 'id="structures-error"' in page(response)
    db.session.expire_all()
    assert db.session.get(User, target.id).role == "supervisor"


def test_the_service_refuses_what_the_form_refuses(db_session):
    with pytest.raises(UserError) as refused:
        auth_service.create_user(username="cli.admin", display_name="Cli", role="admin", password=None,
                                 structure_codes=["KEM"])
    assert refused.value.field == "structures"
    with pytest.raises(UserError):
        auth_service.create_user(username="cli.worker", display_name="Cli", role="caseworker", password=None,
                                 structure_codes=[])


def test_a_coordinator_with_or_without_a_structure_is_accepted(client, login_as):
    login_as("admin")
    _new_user(client, username="coord.one", display_name="Coord", role="coordinator", structures=["ACCMR"])
    _new_user(client, username="coord.two", display_name="Coord", role="coordinator")
    assert _exists("coord.one") and _exists("coord.two")


def test_files_left_with_an_inactive_holder_before_this_release_are_on_the_to_assign_list(client, login_as):
    worker = make_user("caseworker", structures=("KEM",), display_name="Long Gone")
    case_file = case_file_of(make_beneficiary("KEM", actor=worker, family_name="Leftbehind"))
    worker.active = False  # as the previous release left it: deactivated, the file still assigned
    db.session.commit()
    login_as("supervisor", structures=("KEM",))
    home = page(client.get("/"))
    assert "Case files to assign" in home and "Leftbehind" in home
    case_page = page(client.get(f"/cases/{case_file.id}"))
    assert "Not assigned" in case_page and "Long Gone" not in case_page.split('id="notes-heading"')[0]
