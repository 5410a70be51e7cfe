from sqlalchemy import select

from caseapp.extensions import db
from caseapp.security.audit import AuditEvent
from tests.factories import case_file_of, make_beneficiary


def test_home_lists_the_open_files_assigned_to_the_caseworker(client, login_as):
    me = login_as("caseworker", structures=("KEM",))
    mine = make_beneficiary("KEM", actor=me, family_name="Homepagidis")
    make_beneficiary("KEM", family_name="Someoneelses")  # another caseworker's file
    make_beneficiary("SHELTER-W", family_name="Hiddenshelter")
    db.session.commit()
    page = client.get("/").get_data(as_text=True)
    assert "Homepagidis" in page and mine.reference in page
    assert "Someoneelses" not in page and "Hiddenshelter" not in page
    audited = db.session.execute(select(AuditEvent).where(AuditEvent.action == "cases.my_list")).scalars().all()
    assert [event.user_id for event in audited] == [me.id]


def test_a_closed_file_leaves_the_home_page(client, login_as):
    from caseapp.casefiles import service as casefile_service

    me = login_as("caseworker", structures=("KEM",))
    person = make_beneficiary("KEM", actor=me, family_name="Closedfileidis")
    casefile_service.close_case_file(case_file_of(person, "KEM"), "goals_met", actor=me)
    db.session.commit()
    assert "Closedfileidis" not in client.get("/").get_data(as_text=True)


def test_home_takes_a_fixed_number_of_queries(client, login_as, count_queries):
    me = login_as("caseworker", structures=("KEM",))
    counts = []
    for extra in (2, 15):
        for _ in range(extra):
            make_beneficiary("KEM", actor=me)
        db.session.commit()
        with count_queries() as counted:
            assert client.get("/").status_code == 200
        counts.append(counted.n)
    assert counts[0] == counts[1]


def test_admins_home_shows_no_case_files(client, login_as):
    login_as("admin")
    page = client.get("/").get_data(as_text=True)
    assert "my-files-heading" not in page
