"""Demo data for referrals (`flask demo load`): one referral waiting in DIS-PROG's inbox, and one
to a partner organisation whose answer KEM recorded. Loaded once, into a database that has the
demo users and people (caseapp/demo.py) and no referral yet."""
from __future__ import annotations

from sqlalchemy import select

from caseapp.auth.models import User
from caseapp.beneficiaries import service as beneficiary_service
from caseapp.casefiles.models import CaseFile
from caseapp.dates import local_today
from caseapp.extensions import db
from caseapp.referrals import service
from caseapp.referrals.models import Referral
from caseapp.structures.models import Service, Structure

# (KEM person's given name, receiving structure, service code, urgency, reason, recorded answer)
DEMO_REFERRALS = [
    ("Yusuf", "DIS-PROG", "CASE_MANAGEMENT", "urgent",
     "Walks with difficulty since an injury; asks for help with the disability certification.", None),
    ("Amina", "P-PRAKSIS", "EMPLOYMENT", "routine",
     "Looking for a job-readiness programme; speaks Arabic and some English.", "phone"),
]


def _service(structure_code: str, service_code: str) -> Service | None:
    return db.session.execute(
        select(Service).join(Structure, Structure.id == Service.structure_id)
        .where(Structure.code == structure_code, Service.code == service_code)).scalar_one_or_none()


def load_demo_referrals() -> int:
    """Create the demo referrals (with the sharing consents they need). Returns how many were made."""
    if db.session.execute(select(Referral.id).limit(1)).first() is not None:
        return 0
    caseworker = db.session.execute(select(User).where(User.username == "caseworker")).scalar_one_or_none()
    if caseworker is None:
        return 0
    kem = next((s for s in caseworker.structures if s.code == "KEM"), None)
    files = db.session.execute(select(CaseFile).where(CaseFile.structure_id == kem.id)).scalars().all() if kem else []
    made = 0
    for given_name, to_code, service_code, urgency, reason, answered_by in DEMO_REFERRALS:
        case_file = next((cf for cf in files if cf.beneficiary.given_name == given_name), None)
        wanted = _service(to_code, service_code)
        if case_file is None or wanted is None:
            continue
        person = case_file.beneficiary
        for purpose in ("share_municipal", "share_partners"):
            beneficiary_service.record_consent(person, purpose=purpose, given=True, decided_on=local_today(),
                                               actor=caseworker)
        referral = service.create_referral(person, {"from_structure": kem, "service": wanted, "urgency": urgency,
                                                    "reason": reason, "plan_action_id": None},
                                           actor=caseworker, send=True)
        if answered_by:
            service.accept(referral, actor=caseworker, channel=answered_by, answered_on=local_today())
        made += 1
    return made
