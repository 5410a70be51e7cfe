"""Goal and action texts and review comments never reach the disk in clear: not in the
SQLite file, not in a pg_dump (each test builds its own committed database)."""
from __future__ import annotations

from flask_migrate import upgrade

from caseapp.extensions import db
from caseapp.plans import queries, service
from caseapp.structures.service import load_reference_data
from tests.beneficiaries.test_encryption_at_rest import fresh_database  # noqa: F401  (fixture)
from tests.factories import make_user
from tests.plans.factories import make_case_file

GOAL_TITLE = "Escape the flat of Kostopetrakis"
GOAL_DESCRIPTION = "Wheelchair user stuck on the fourth floor without a lift"
ACTION_TEXT = "Ask Vlachogiannaki at the housing office for a ground-floor flat"
COMMENT = "Mention the epilepsy diagnosis from Evangelismos"
NEEDLES = [GOAL_TITLE, GOAL_DESCRIPTION, ACTION_TEXT, COMMENT, "Kostopetrakis", "Vlachogiannaki", "epilepsy"]


def _write_a_plan(app) -> str:
    with app.app_context():
        load_reference_data()
        caseworker = make_user("caseworker", structures=("DIS-PROG",))
        supervisor = make_user("supervisor", structures=("DIS-PROG",))
        case_file = make_case_file(actor=caseworker)
        revision = service.start_plan(case_file, actor=caseworker)
        goal = service.add_goal(revision, {"domain": "housing", "title": GOAL_TITLE, "description": GOAL_DESCRIPTION},
                                actor=caseworker)
        service.add_action(goal, {"description": ACTION_TEXT, "responsible_kind": "structure"},
                           queries.responsible_options(revision.structure_id), actor=caseworker)
        service.submit(revision, actor=caseworker)
        service.request_changes(revision, actor=supervisor, comment=COMMENT)
        reference = case_file.beneficiary.reference
        db.session.commit()
        db.session.remove()
        return reference


def test_goal_action_and_comment_texts_are_absent_in_clear_from_the_database_files(fresh_database):  # noqa: F811
    url, read_everything = fresh_database
    from tests.conftest import make_app

    app = make_app(url)
    with app.app_context():
        upgrade()
        db.session.remove()
    try:
        reference = _write_a_plan(app)
    finally:
        with app.app_context():
            db.engine.dispose()
    content = read_everything()
    assert reference.encode() in content, "positive control: the dump holds the committed data"
    for needle in NEEDLES:
        for encoded in (needle.encode("utf-8"), needle.encode("utf-8").hex().encode(), needle.encode("utf-16-le")):
            assert encoded not in content, needle
