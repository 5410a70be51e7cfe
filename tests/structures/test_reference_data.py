from sqlalchemy import func, select

from caseapp.extensions import db
from caseapp.structures.models import Service, Structure
from caseapp.structures.reference_data import STRUCTURES
from tests.factories import structure


def _counts():
    return (db.session.execute(select(func.count()).select_from(Structure)).scalar_one(),
            db.session.execute(select(func.count()).select_from(Service)).scalar_one())


def test_load_is_idempotent(app, db_session):
    before = _counts()
    result = app.test_cli_runner().invoke(args=["structures", "load"])
    assert result.exit_code == 0 and "nothing changed" in result.output
    assert _counts() == before == (len(STRUCTURES), sum(len(s["services"]) for s in STRUCTURES))


def test_design_structures_are_there_with_both_names(db_session):
    kem = structure("KEM")
    assert kem.name_el == "Κέντρο Ένταξης Μεταναστών" and kem.name_en == "Migrant Integration Centre"
    assert structure("SHELTER-W").confidential and structure("GBV-CC").confidential
    assert not structure("KEM").confidential
    assert structure("KYADA-PHARMACY").parent.code == "KYADA"
    assert len([c for c in structure("CLINICS").children]) == 7
    assert structure("P-UNHCR").is_partner
    assert {s.code for s in structure("KEM").services} >= {"PSYCHOSOCIAL", "LEGAL", "COURSE_GREEK"}


def test_load_never_overwrites_an_admin_edit(app, db_session):
    kem = structure("KEM")
    kem.name_en = "Migrant Integration Centre (edited)"
    db.session.commit()
    app.test_cli_runner().invoke(args=["structures", "load"])
    db.session.refresh(kem)
    assert kem.name_en.endswith("(edited)")


def test_structures_page_for_coordinator_shows_names_in_language(client, login_as):
    login_as("coordinator")
    page = client.get("/structures/").get_data(as_text=True)
    assert "Κέντρο Ένταξης Μεταναστών" in page and "Γιατροί του Κόσμου" in page
