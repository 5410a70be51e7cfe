"""Demo action plan: the DIS-PROG caseworker's draft for the demo person there, submitted for review."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from caseapp.auth.models import User
from caseapp.casefiles.models import CaseFile
from caseapp.dates import local_today
from caseapp.extensions import db
from caseapp.plans import queries, service
from caseapp.plans.models import Plan
from caseapp.structures.models import Structure

GOALS = [
    ("disability", "Disability certificate from KEPA",
     [("Book the KEPA appointment and gather the medical reports", "user", 14),
      ("Interpreter (French) and escort to the KEPA appointment", "structure", 30)]),
    ("income", "Disability allowance",
     [("Apply for the disability allowance once the certificate is issued", "user", 60)]),
]


def load_demo_plans() -> int:
    """One submitted plan on the first open DIS-PROG case file, if it has none (idempotent)."""
    caseworker = db.session.execute(select(User).where(User.username == "disprog")).scalar_one_or_none()
    dis_prog = db.session.execute(select(Structure).where(Structure.code == "DIS-PROG")).scalar_one_or_none()
    if caseworker is None or dis_prog is None:
        return 0
    case_file = db.session.execute(
        select(CaseFile).where(CaseFile.structure_id == dis_prog.id, CaseFile.status == "open")
        .where(~CaseFile.id.in_(select(Plan.case_file_id))).order_by(CaseFile.opened_at).limit(1)
    ).scalar_one_or_none()
    if case_file is None:
        return 0
    revision = service.start_plan(case_file, actor=caseworker)
    options = queries.responsible_options(dis_prog.id)
    today = local_today()
    for domain, title, actions in GOALS:
        goal = service.add_goal(revision, {"domain": domain, "title": title, "description": None}, actor=caseworker)
        for text, kind, days in actions:
            service.add_action(goal, {"description": text, "responsible_kind": kind,
                                      "responsible_user_id": caseworker.id if kind == "user" else None,
                                      "due_on": today + timedelta(days=days)}, options, actor=caseworker)
    service.submit(revision, actor=caseworker)
    return 1
