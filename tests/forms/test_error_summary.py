"""One error summary for every form (the `error_summary(form)` macro of templates/_forms.html): a stale
CSRF token says "This form had expired" and keeps what was typed, on the forms written by hand too."""
import html
import re
from pathlib import Path

from sqlalchemy import select

from caseapp.dates import local_today
from caseapp.extensions import db
from caseapp.referrals.models import Referral
from caseapp.stays.models import Stay
from tests.conftest import DEFAULT_PASSWORD, csrf_token
from tests.factories import structure
from tests.referrals.factories import give_consent, person_at, service_of
from tests.stays.factories import resident, set_capacity, shelter_staff

EXPIRED_FORM = "This form had expired"
TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
REASON = "Needs a wheelchair ramp; speaks Dari and a little Greek.\nSecond line of the reason."


def page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def sign_in_again(client, user) -> None:
    """What another tab does: log out and in, which gives the session new CSRF tokens."""
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    client.post("/login", data={"username": user.username, "password": DEFAULT_PASSWORD,
                                "csrf_token": csrf_token(client)})


def test_only_the_macro_writes_the_error_summary():
    copies = [str(path.relative_to(TEMPLATES)) for path in TEMPLATES.rglob("*.html")
              if "Please correct the following" in path.read_text()]
    assert copies == ["_forms.html"]
    for name in ("referrals/new.html", "stays/admit.html", "security/audit.html"):
        assert "error_summary(form)" in (TEMPLATES / name).read_text(), name


def test_a_stale_referral_form_says_it_had_expired_and_keeps_the_typed_reason(client, login):
    from tests.factories import make_user

    kem = make_user("caseworker", structures=("KEM",))
    person = person_at("KEM", actor=kem)
    give_consent(person, kem, "share_municipal")
    db.session.commit()
    login(kem)
    url = f"/referrals/new/{person.id}"
    stale = csrf_token(client, url)
    sign_in_again(client, kem)
    response = client.post(url, data={"csrf_token": stale, "from_structure": structure("KEM").id,
                                      "service": service_of("DIS-PROG").id, "urgency": "urgent", "reason": REASON})
    body = page(response)
    assert response.status_code == 400
    assert EXPIRED_FORM in body and body.count('class="error-summary"') == 1
    assert REASON in body  # the typed reason is in its box again
    assert re.search(r'<input checked[^>]*value="urgent"', body)
    assert db.session.execute(select(Referral).where(Referral.beneficiary_id == person.id)).first() is None
    fresh = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', body).group(1)
    again = client.post(url, data={"csrf_token": fresh, "from_structure": structure("KEM").id,
                                   "service": service_of("DIS-PROG").id, "urgency": "urgent", "reason": REASON})
    assert again.status_code == 302
    assert db.session.execute(select(Referral).where(Referral.beneficiary_id == person.id)).scalar_one().reason \
        == REASON


def test_a_stale_referral_form_in_greek_says_so_in_greek(client, login):
    from tests.factories import make_user

    kem = make_user("caseworker", structures=("KEM",))
    person = person_at("KEM", actor=kem)
    db.session.commit()
    login(kem)
    client.post("/language", data={"locale": "el", "next": "/", "csrf_token": csrf_token(client, "/")})
    response = client.post(f"/referrals/new/{person.id}", data={"csrf_token": "stale", "reason": REASON})
    body = page(response)
    assert response.status_code == 400 and EXPIRED_FORM not in body
    summary = re.search(r'<div class="error-summary".*?</div>', body, re.S).group(0)
    assert re.search(r"[\u0370-\u03ff]{4}", summary) and REASON in body


def test_a_stale_admission_form_says_it_had_expired_and_keeps_the_children_typed(client, login):
    staff = login(shelter_staff("SHELTER-W"))
    set_capacity("SHELTER-W", 20)
    mother_file = resident("SHELTER-W", actor=staff)
    db.session.commit()
    response = client.post(f"/stays/cases/{mother_file.id}/admit", data={
        "csrf_token": "stale", "admitted_on": local_today().isoformat(),
        "child1_given_name": "Lina", "child1_family_name": "Haddad-Nasser", "child1_sex": "female"})
    body = page(response)
    assert response.status_code == 400 and EXPIRED_FORM in body and body.count('class="error-summary"') == 1
    assert 'value="Lina"' in body and 'value="Haddad-Nasser"' in body
    assert db.session.execute(select(Stay)).first() is None


def test_a_field_error_and_a_form_error_are_listed_in_the_one_summary_with_links(client, login):
    staff = login(shelter_staff("SHELTER-W"))
    set_capacity("SHELTER-W", 20)
    mother_file = resident("SHELTER-W", actor=staff)
    db.session.commit()
    response = client.post(f"/stays/cases/{mother_file.id}/admit", data={
        "csrf_token": csrf_token(client, f"/stays/cases/{mother_file.id}/admit"), "admitted_on": "31/02/2020"})
    body = page(response)
    assert response.status_code == 400 and EXPIRED_FORM not in body
    summary = re.search(r'<div class="error-summary".*?</div>', body, re.S).group(0)
    assert 'href="#admitted_on"' in summary


def test_a_stale_desk_form_says_it_had_expired_and_keeps_the_reference(client, login):
    from tests.factories import make_user

    login(make_user("caseworker", structures=("KYADA-FOOD",)))
    desk = f"/deliveries/desk/{structure('KYADA-FOOD').id}"
    response = client.post(desk, data={"csrf_token": "stale", "reference": "B-26-7KQ4X-7"})
    body = page(response)
    assert response.status_code == 400 and EXPIRED_FORM in body
    assert 'value="B-26-7KQ4X-7"' in body
