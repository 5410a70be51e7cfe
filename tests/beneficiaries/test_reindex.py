"""`flask beneficiaries reindex`: index sizes follow BLIND_INDEX_EXPECTED_ROWS, and search keeps working."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from caseapp.beneficiaries import erasure, queries
from caseapp.beneficiaries.models import Beneficiary
from caseapp.extensions import db
from caseapp.security.encrypted import blind_index_for
from tests.beneficiaries.conftest import audit_events
from tests.factories import make_beneficiary, make_user


def test_reindex_resizes_every_index_and_the_people_are_still_found(app, db_session):
    user = make_user("caseworker", structures=("KEM",))
    people = [make_beneficiary(actor=user, family_name=name, birth_date=date(1990, 1, n + 1), phone=phone,
                               document_type="passport", document_number=f"P{n}000000")
              for n, (name, phone) in enumerate((("Yılmaz", "+30 694 123 4567"), ("يوسف", "+963 933 123 456"),
                                                 ("Шевченко", None)))]
    erased = make_beneficiary(actor=user, family_name="Gone")
    erasure.erase_beneficiary(erased, actor=user)
    ids = [p.id for p in people]
    versions = [p.version for p in people]
    db.session.commit()
    before = {p.id: (p.family_name_bidx, p.family_name_sound_bidx, p.phone_bidx) for p in people}
    original = app.config["BLIND_INDEX_EXPECTED_ROWS"]
    app.config["BLIND_INDEX_EXPECTED_ROWS"] = 1_000_000
    try:
        result = app.test_cli_runner().invoke(args=["beneficiaries", "reindex", "--batch-size", "2"])
        assert result.exit_code == 0, result.output
        assert "Recomputed the blind indexes of 3 people; 3 had changed." in result.output
        db.session.expire_all()
        for person_id, version in zip(ids, versions):
            person = db.session.get(Beneficiary, person_id)
            assert person.version == version  # open edit forms stay valid
            assert len(person.family_name_bidx) == 3 and len(person.family_name_sound_bidx) == 2  # 10 and 8 bits
            assert person.family_name_bidx == blind_index_for("surname", person.family_name)
            assert (person.family_name_bidx, person.family_name_sound_bidx, person.phone_bidx) != before[person_id]
        assert len(db.session.get(Beneficiary, ids[0]).birth_date_bidx) == 5  # 18 bits
        found = queries.search_beneficiaries(user, queries.Criteria(surname="YILMAZ", phone="٦٩٤١٢٣٤٥٦٧"))
        assert [b.id for b in found] == [ids[0]]
        assert [b.id for b in queries.search_similar(user, queries.Criteria(surname="Yusuf"))] == [ids[1]]
        gone = db.session.execute(select(Beneficiary).where(Beneficiary.id == erased.id)).scalar_one()
        assert (gone.family_name_bidx, gone.family_name_sound_bidx) == (None, None)
        assert audit_events("beneficiaries.reindex")[-1].outcome == "ok"

        again = app.test_cli_runner().invoke(args=["beneficiaries", "reindex"])
        assert "Recomputed the blind indexes of 3 people; 0 had changed." in again.output
    finally:
        app.config["BLIND_INDEX_EXPECTED_ROWS"] = original
