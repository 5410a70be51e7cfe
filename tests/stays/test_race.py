"""Two admissions racing for the last bed, each in its own connection and transaction:
one wins, the other is told the shelter is full (PostgreSQL: the row lock makes it wait;
SQLite: the write lock makes it run again once the winner committed)."""
from __future__ import annotations

import threading

from sqlalchemy import func, select

from caseapp.casefiles.models import CaseFile
from caseapp.dates import local_today
from caseapp.domain import DomainError
from caseapp.extensions import db
from caseapp.stays import service
from caseapp.stays.models import Stay
from tests.conftest import RaceStart
from tests.stays.factories import admit, english, resident, set_capacity, shelter_staff


def _race(app, jobs, structure_id):
    """Each job in its own thread, app context, session and connection: all read first, wait for
    each other (on PostgreSQL; SQLite queues whole transactions: `RaceStart`), then admit (as the view does, through `admit_retrying`) and commit."""
    start = RaceStart(app, len(jobs))
    outcomes = [None] * len(jobs)

    def work(index, job):
        with app.app_context():
            try:
                start.before_reads()
                write = job()
                start.after_reads()
                service.admit_retrying(write, structure_id)
                db.session.commit()
                outcomes[index] = "admitted"
            except DomainError as error:
                db.session.rollback()
                outcomes[index] = (type(error).__name__, english(error.message))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=work, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


def test_two_admissions_racing_for_the_last_bed_one_wins_the_other_is_told_the_shelter_is_full(own_database):
    app = own_database
    with app.app_context():
        staff = [shelter_staff("SHELTER-ADD"), shelter_staff("SHELTER-ADD")]
        set_capacity("SHELTER-ADD", 2)
        admit(resident("SHELTER-ADD", actor=staff[0]), actor=staff[0])  # one bed left
        files = [resident("SHELTER-ADD", actor=staff[0]).id, resident("SHELTER-ADD", actor=staff[1]).id]
        staff_ids = [s.id for s in staff]
        structure_id = db.session.get(CaseFile, files[0]).structure_id
        db.session.commit()
        db.session.remove()

    def job(n):
        def read():
            from caseapp.auth.models import User

            case_file = db.session.get(CaseFile, files[n])
            case_file.structure.capacity  # noqa: B018  (loaded before the race, as a request would)
            actor = db.session.get(User, staff_ids[n])
            actor.structure_ids  # noqa: B018
            return lambda: service.admit(case_file, local_today(), actor=actor)
        return read

    outcomes = _race(app, [job(0), job(1)], structure_id)
    assert outcomes.count("admitted") == 1, outcomes
    loser = next(o for o in outcomes if o != "admitted")
    assert loser[0] == "ShelterFull" and "The shelter is full" in loser[1], outcomes
    with app.app_context():
        held = db.session.execute(select(func.count()).select_from(Stay).where(
            Stay.structure_id == structure_id, Stay.discharged_on.is_(None))).scalar_one()
        db.session.remove()
    assert held == 2
