"""`flask demo load`: one demo user per role, for trying the app locally."""
from datetime import date

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from caseapp.auth import service
from caseapp.auth.models import User
from caseapp.extensions import db
from caseapp.structures.service import load_reference_data

DEMO_PASSWORD = "demo-password-athens-2026"

DEMO_USERS = [
    ("caseworker", "caseworker", "Ελένη Καραγιάννη", ["KEM"]),
    ("supervisor", "supervisor", "Νίκος Αλεξίου", ["KEM", "DIS-PROG"]),
    ("disprog", "caseworker", "Δήμητρα Ρήγα", ["DIS-PROG"]),
    ("shelter", "caseworker", "Μαρία Δημητρίου", ["SHELTER-W"]),
    # Confirms what an administrator asks for at the shelter (four eyes).
    ("shelter-supervisor", "supervisor", "Αικατερίνη Νικολάου", ["SHELTER-W"]),
    ("shelter-add", "caseworker", "Κώστας Μαυρίδης", ["SHELTER-ADD"]),
    # The food centre's desk (caseapp/deliveries): serves meals by reference or card.
    ("food", "caseworker", "Παναγιώτης Σταύρου", ["KYADA-FOOD"]),
    ("coordinator", "coordinator", "Γιώργος Παππάς", ["ACCMR"]),
    ("admin", "admin", "Σοφία Ιωάννου", []),
    ("interpreter", "interpreter", "Amir Haddad", []),
]

# Fictional people, so the screens have something to show. Loaded once.
DEMO_BENEFICIARIES = [
    ("caseworker", "KEM", {"given_name": "Amina", "family_name": "Haddad", "sex": "female",
                           "birth_date": date(1991, 3, 14), "nationality": "SY", "language_codes": ["ar", "en"],
                           "legal_status": "refugee", "phone": "6900000001"},
     "First meeting: looking for Greek courses and help with the tax number."),
    ("caseworker", "KEM", {"given_name": "Yusuf", "family_name": "Rahimi", "sex": "male",
                           "birth_date": date(1987, 11, 2), "nationality": "AF", "language_codes": ["fa"],
                           "legal_status": "asylum_seeker"},
     "Asked about the citizenship-exam seminar; to be called back next week."),
    ("supervisor", "DIS-PROG", {"given_name": "Joseph", "family_name": "Mbeki", "sex": "male",
                                "birth_date": date(1979, 6, 30), "nationality": "CD", "language_codes": ["fr"],
                                "legal_status": "subsidiary_protection", "vulnerability_codes": ["disability"]},
     "Needs support with the disability certification; an interpreter for French is helpful."),
    ("shelter", "SHELTER-W", {"given_name": "Elena", "family_name": "Papadopoulou", "sex": "female",
                              "birth_date": date(1994, 1, 21), "nationality": "GR", "language_codes": ["el"],
                              "legal_status": "greek_citizen", "vulnerability_codes": ["gbv_survivor"]},
     "Admitted with one child. Safety plan agreed."),
]

demo_cli = AppGroup("demo", help="Demo data for local use (refused in production).")


def load_demo_users() -> list[User]:
    created = []
    for username, role, name, structures in DEMO_USERS:
        existing = db.session.execute(select(User).where(User.username == username)).scalar_one_or_none()
        if existing is None:
            created.append(service.create_user(username=username, display_name=name, role=role,
                                               password=DEMO_PASSWORD, structure_codes=structures))
    return created


def load_demo_beneficiaries() -> int:
    """Register the fictional people above (only into an empty database), each with a note."""
    from caseapp.casefiles import service as casefile_service
    from caseapp.beneficiaries import service as beneficiary_service
    from caseapp.beneficiaries.models import Beneficiary

    if db.session.execute(select(Beneficiary.id).limit(1)).first() is not None:
        return 0
    for username, code, values, note in DEMO_BENEFICIARIES:
        actor = db.session.execute(select(User).where(User.username == username)).scalar_one()
        structure = next(s for s in actor.structures if s.code == code)
        person = beneficiary_service.register_beneficiary(values, structure=structure, actor=actor)
        case_file = next(cf for cf in person.case_files if cf.structure_id == structure.id)
        casefile_service.add_note(case_file, note, confidential=False, actor=actor)
    return len(DEMO_BENEFICIARIES)


@demo_cli.command("load")
@click.option("--size", type=click.Choice(["small", "large"]), default="small", show_default=True,
              help="People over twelve months: small (hundreds) or large (the city: ~26,000 served a month).")
def load_command(size: str):
    """Create the demo users (idempotent) and print their logins."""
    if not current_app.config["DEMO_DATA_ALLOWED"]:
        raise click.ClickException("Demo data is refused in production.")
    load_reference_data()
    load_demo_users()
    db.session.flush()
    load_demo_beneficiaries()
    from caseapp.interpretation.demo import load_demo_interpretation

    load_demo_interpretation()
    from caseapp.referrals.demo import load_demo_referrals

    load_demo_referrals()
    from caseapp.stays.demo import load_demo_stays

    load_demo_stays()

    from caseapp.plans.demo import load_demo_plans

    load_demo_plans()
    from caseapp.deliveries.demo import load_demo_deliveries

    load_demo_deliveries()
    from caseapp.inquiries.demo import load_demo_inquiries

    load_demo_inquiries()
    db.session.commit()
    from caseapp.reports.demo import SIZES, load_scale_demo

    with click.progressbar(length=SIZES[size][0], label=f"Demo people ({size})") as bar:
        loaded = load_scale_demo(size, progress=bar.update)
    db.session.commit()
    if loaded:
        click.echo("Loaded {people} people, {case_files} case files, {referrals} referrals, {interpretation} "
                   "interpretation requests.".format(**loaded))
    click.echo("Demo logins (password for all: %s):" % DEMO_PASSWORD)
    for username, role, _name, structures in DEMO_USERS:
        where = ", ".join(structures) or "-"
        click.echo(f"  {username:<19} {role:<12} {where}")
