"""`flask demo load`: one demo user per role, for trying the app locally."""
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
    ("shelter", "caseworker", "Μαρία Δημητρίου", ["SHELTER-W"]),
    ("coordinator", "coordinator", "Γιώργος Παππάς", ["ACCMR"]),
    ("admin", "admin", "Σοφία Ιωάννου", []),
    ("interpreter", "interpreter", "Amir Haddad", []),
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


@demo_cli.command("load")
def load_command():
    """Create the demo users (idempotent) and print their logins."""
    if not current_app.config["DEMO_DATA_ALLOWED"]:
        raise click.ClickException("Demo data is refused in production.")
    load_reference_data()
    load_demo_users()
    db.session.commit()
    click.echo("Demo logins (password for all: %s):" % DEMO_PASSWORD)
    for username, role, _name, structures in DEMO_USERS:
        where = ", ".join(structures) or "-"
        click.echo(f"  {username:<12} {role:<12} {where}")
