"""Administrators edit structures and service catalogues: history, audit, optimistic locking,
and the confidential flag that can be set on screen but not lifted there."""
from __future__ import annotations

from sqlalchemy import select

from caseapp.deliveries.models import ReferenceChange
from caseapp.extensions import db
from caseapp.structures.models import Service
from tests.deliveries.conftest import audit_actions, service_of
from tests.factories import structure
from tests.deliveries.conftest import english_user as make_user


def _structure_form(item, **changes):
    values = {"name_el": item.name_el, "name_en": item.name_en, "capacity": item.capacity or "",
              "confidential": "y" if item.confidential else None, "active": "y" if item.active else None,
              "version": item.version}
    values.update(changes)
    return values


def test_an_admin_changes_a_capacity_and_the_history_and_audit_keep_it(client, login, post_form):
    login(make_user("admin"))
    item = structure("SHELTER-ADD")
    before = None if item.capacity is None else str(item.capacity)
    path = f"/reference/structures/{item.id}"
    response = post_form(path, **_structure_form(item, capacity=41))
    assert response.status_code == 302
    db.session.refresh(item)
    assert item.capacity == 41
    change = db.session.execute(select(ReferenceChange).where(ReferenceChange.object_id == item.id)).scalar_one()
    assert (change.field, change.old_value, change.new_value) == ("capacity", before, "41")
    assert ("reference.structure_update", str(item.id)) in audit_actions(item.id)
    assert "41" in client.get(path).get_data(as_text=True)


def test_a_stale_structure_form_is_refused_with_409_and_nothing_changes(client, login, post_form):
    login(make_user("admin"))
    item = structure("KEM")
    stale = _structure_form(item, name_en="Renamed", version=item.version + 5)
    response = post_form(f"/reference/structures/{item.id}", **stale)
    assert response.status_code == 409
    assert "Renamed" in response.get_data(as_text=True)  # what was typed is kept
    db.session.refresh(item)
    assert item.name_en == "Migrant Integration Centre"


def test_making_a_structure_confidential_is_immediate_but_lifting_it_is_refused_on_screen(client, login, post_form):
    login(make_user("admin"))
    item = structure("OSN")
    assert post_form(f"/reference/structures/{item.id}", **_structure_form(item, confidential="y")).status_code == 302
    db.session.refresh(item)
    assert item.confidential
    lifted = _structure_form(item, confidential=None)
    response = post_form(f"/reference/structures/{item.id}", **lifted)
    assert response.status_code == 400
    db.session.refresh(item)
    assert item.confidential


def test_the_operator_lifts_the_confidential_flag_from_the_command_line_audited(app, db_session):
    from caseapp.deliveries.reference import lift_confidential_command

    item = structure("GBV-CC")
    result = app.test_cli_runner().invoke(lift_confidential_command, ["GBV-CC"])
    assert result.exit_code == 0, result.output
    db.session.refresh(item)
    assert not item.confidential
    assert ("reference.structure_update", str(item.id)) in audit_actions(item.id)


def test_an_admin_adds_and_renames_a_service_and_a_taken_code_is_refused(client, login, post_form):
    login(make_user("admin"))
    item = structure("KYADA-MUTUAL")
    path = f"/reference/structures/{item.id}/services/new"
    response = post_form(path, code="hygiene_kit", name_el="Είδη υγιεινής", name_en="Hygiene kit", unit="item",
                         active="y")
    assert response.status_code == 302
    added = db.session.execute(select(Service).where(Service.code == "HYGIENE_KIT")).scalar_one()
    assert added.structure_id == item.id and added.unit == "item"
    taken = post_form(path, code="FOOD_PARCEL", name_el="x", name_en="x", unit="parcel", active="y")
    assert taken.status_code == 400 and "already has a service with this code" in taken.get_data(as_text=True)
    response = post_form(f"/reference/services/{added.id}", code="HYGIENE_KIT", name_el="Είδη υγιεινής",
                         name_en="Hygiene kits", unit="item", active="y", version=added.version)
    assert response.status_code == 302
    db.session.refresh(added)
    assert added.name_en == "Hygiene kits"
    assert "Hygiene kit" in client.get(f"/reference/services/{added.id}").get_data(as_text=True)


def test_an_inactive_service_is_no_longer_offered_at_the_desk(client, login, post_form):
    meals = service_of("KYADA-FOOD", "MEALS")
    login(make_user("admin"))
    post_form(f"/reference/services/{meals.id}", code="MEALS", name_el=meals.name_el, name_en=meals.name_en,
              unit="meal", version=meals.version)
    post_form("/logout", token_from="/reference/")
    login(make_user("caseworker", structures=("KYADA-FOOD",)))
    page = client.get(f"/deliveries/desk/{structure('KYADA-FOOD').id}").get_data(as_text=True)
    assert f'value="{meals.id}"' not in page


def test_staff_cannot_edit_reference_data(client, login):
    login(make_user("supervisor", structures=("KEM",)))
    assert client.get("/reference/").status_code == 403
    assert client.get(f"/reference/structures/{structure('KEM').id}").status_code == 403


def test_a_capacity_below_the_beds_taken_today_is_refused_on_its_field(client, login, post_form):
    from tests.stays.factories import admit, resident, set_capacity

    shelter = set_capacity("SHELTER-ADD", 5)
    for _ in range(3):
        admit(resident("SHELTER-ADD"))
    db.session.commit()
    login(make_user("admin"))
    path = f"/reference/structures/{shelter.id}"
    for too_few in (0, 2, ""):   # "" clears the capacity: no beds at all
        response = post_form(path, **_structure_form(shelter, capacity=too_few))
        page = response.get_data(as_text=True)
        assert response.status_code == 400 and "3 beds are taken today" in page
        db.session.refresh(shelter)
        assert shelter.capacity == 5
    assert post_form(path, **_structure_form(shelter, capacity=3)).status_code == 302
    db.session.refresh(shelter)
    assert shelter.capacity == 3


def _history_rows(client, path) -> list[list[str]]:
    import html
    import re

    page = client.get(path).get_data(as_text=True)
    table = page[page.index('id="history-heading"'):]
    rows = re.findall(r"<tr><th scope=\"row\">.*?</tr>", table, re.S)
    return [[html.unescape(re.sub(r"<[^>]+>", "", cell)).strip()
             for cell in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)][2:] for row in rows]


def test_the_history_shows_field_labels_and_values_as_the_form_shows_them(client, login, post_form):
    login(make_user("admin"))
    item = structure("SHELTER-ADD")
    path = f"/reference/structures/{item.id}"
    assert post_form(path, **_structure_form(item, capacity=1250, name_en="Shelter annex",
                                             confidential="y", active=None)).status_code == 302
    rows = _history_rows(client, path)
    fields = {row[0] for row in rows}
    assert fields == {"Capacity (beds or places)", "Name in English", "Confidential structure", "Active"}
    assert not fields & {"capacity", "name_en", "confidential", "active"}
    assert ["Confidential structure", "No", "Yes"] in rows and ["Active", "Yes", "No"] in rows
    assert any(row[0] == "Capacity (beds or places)" and row[2] == "1,250" for row in rows)
    assert not any(cell in ("True", "False", "None") for row in rows for cell in row)


def test_the_history_of_a_service_names_the_unit_and_reads_greek_on_a_greek_page(client, login, post_form):
    from tests.conftest import csrf_token

    login(make_user("admin"))
    meals = service_of("KYADA-FOOD", "MEALS")
    path = f"/reference/services/{meals.id}"
    assert post_form(path, code="MEALS", name_el=meals.name_el, name_en=meals.name_en, unit="parcel",
                     active="y", version=meals.version).status_code == 302
    assert ["Unit", "meal", "parcel"] in _history_rows(client, path)
    client.post("/language", data={"locale": "el", "next": "/", "csrf_token": csrf_token(client, "/")})
    assert ["Μονάδα", "γεύμα", "δέμα"] in _history_rows(client, path)
    structure_path = f"/reference/structures/{structure('KYADA-FOOD').id}"
    item = structure("KYADA-FOOD")
    assert post_form(structure_path, **_structure_form(item, capacity=2500)).status_code == 302
    assert any(row[2] == "2.500" for row in _history_rows(client, structure_path))  # Greek digit grouping
