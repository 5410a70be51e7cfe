"""Days of a stay entered wrongly are corrected as an audited edit: the same rules as at admission
and discharge, no overlap with the person's other stays, a reason kept as an encrypted note, and
occupancy that follows the corrected days."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from caseapp.casefiles.models import CaseNote, TimelineEvent
from caseapp.dates import local_today
from caseapp.extensions import db
from caseapp.security.audit import AuditEvent
from caseapp.stays import service, stats
from tests.conftest import csrf_token
from tests.factories import make_user
from tests.stays.factories import admit, resident, set_capacity, shelter_staff


def _day(days_ago: int) -> str:
    return (local_today() - timedelta(days=days_ago)).isoformat()


def _ended_stay(staff, *, admitted_days_ago=10, discharged_days_ago=4):
    set_capacity("SHELTER-ADD", 10)
    stay = admit(resident("SHELTER-ADD", actor=staff), days_ago=admitted_days_ago, actor=staff)[0]
    service.discharge(stay, local_today() - timedelta(days=discharged_days_ago), "own_housing", actor=staff)
    db.session.commit()
    return stay


@pytest.fixture(autouse=True)
def english(request):
    """Assertions read English (the source language)."""
    if "client" in request.fixturenames:
        client = request.getfixturevalue("client")
        client.post("/language", data={"locale": "en", "next": "/", "csrf_token": csrf_token(client)})


def _post(client, stay, **fields):
    url = f"/stays/{stay.id}/correct"
    data = {"csrf_token": csrf_token(client, url), "version": stay.version, "note": "Typed the wrong week."}
    data.update(fields)
    return client.post(url, data=data)


def test_an_ended_stay_is_corrected_with_a_reason_and_the_history_keeps_it(client, login):
    staff = login(shelter_staff("SHELTER-ADD"))
    stay = _ended_stay(staff)
    response = _post(client, stay, admitted_on=_day(12), discharged_on=_day(5), reason="own_housing")
    assert response.status_code == 302
    db.session.refresh(stay)
    assert (stay.admitted_on.isoformat(), stay.discharged_on.isoformat()) == (_day(12), _day(5))
    event = db.session.execute(select(AuditEvent).where(AuditEvent.action == "stays.correct")).scalar_one()
    assert str(event.object_id) == str(stay.id)
    timeline = db.session.execute(select(TimelineEvent).where(TimelineEvent.kind == "stay.corrected")).scalar_one()
    assert timeline.text == "admitted_on,discharged_on"     # which fields, never the reason typed
    notes = db.session.execute(select(CaseNote).where(CaseNote.case_file_id == stay.case_file_id)).scalars().all()
    assert [n.text for n in notes] == ["Typed the wrong week."]
    page = client.get(f"/cases/{stay.case_file_id}").get_data(as_text=True)
    assert "Days of the stay corrected" in page and "Day of admission, Day of discharge" in page


def test_a_correction_obeys_the_admission_and_discharge_rules_and_keeps_what_was_typed(client, login):
    staff = login(shelter_staff("SHELTER-ADD"))
    stay = _ended_stay(staff)
    future = (local_today() + timedelta(days=2)).isoformat()
    for fields, where in (({"admitted_on": future, "discharged_on": _day(4), "reason": "own_housing"}, "admitted_on"),
                          ({"admitted_on": _day(3), "discharged_on": _day(4), "reason": "own_housing"}, "discharged_on"),
                          ({"admitted_on": _day(10), "discharged_on": _day(4), "reason": "not-a-reason"}, "reason"),
                          ({"admitted_on": _day(11), "discharged_on": _day(4), "reason": "own_housing",
                            "note": "   "}, "note")):
        response = _post(client, stay, **fields)
        page = response.get_data(as_text=True)
        assert response.status_code == 400, fields
        assert f'id="{where}-error"' in page, (fields, where)
        assert f'value="{fields["admitted_on"]}"' in page
        db.session.refresh(stay)
        assert stay.admitted_on.isoformat() == _day(10)


def test_a_correction_that_would_overlap_another_stay_is_refused(client, login):
    staff = login(shelter_staff("SHELTER-ADD"))
    first = _ended_stay(staff, admitted_days_ago=20, discharged_days_ago=15)
    second = admit(first.case_file, days_ago=10, actor=staff)[0]
    db.session.commit()
    response = _post(client, second, admitted_on=_day(16))
    assert response.status_code == 400 and "overlap another stay" in response.get_data(as_text=True)
    assert _post(client, second, admitted_on=_day(15)).status_code == 302   # from the day the other ended


def test_an_open_stay_corrects_only_its_admission_and_occupancy_follows(client, login):
    staff = login(shelter_staff("SHELTER-ADD"))
    set_capacity("SHELTER-ADD", 10)
    stay = admit(resident("SHELTER-ADD", actor=staff), days_ago=0, actor=staff)[0]
    db.session.commit()
    page = client.get(f"/stays/{stay.id}/correct").get_data(as_text=True)
    assert 'name="discharged_on"' not in page
    earlier = local_today() - timedelta(days=40)
    assert _post(client, stay, admitted_on=earlier.isoformat()).status_code == 302
    db.session.refresh(stay)
    assert stay.is_open and stay.admitted_on == earlier
    month = stats.monthly_counts(earlier.year, earlier.month).get(stay.structure_id)
    assert month is not None and month.bed_days > 0 and month.people == 1


def test_a_stale_correction_is_a_conflict_and_others_get_404(client, login):
    staff = shelter_staff("SHELTER-ADD")
    stay = _ended_stay(staff)
    login(staff)
    assert _post(client, stay, version=stay.version + 1, admitted_on=_day(11), discharged_on=_day(4),
                 reason="own_housing").status_code == 409
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    login(make_user("caseworker", structures=("KEM",)))
    assert client.get(f"/stays/{stay.id}/correct").status_code == 404
