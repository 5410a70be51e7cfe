"""Demo data for asking the holders (`flask demo load`): DIS-PROG asks about someone KEM follows.

Loaded once, into a database with the demo users and people (caseapp/demo.py) and no request yet.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from caseapp.auth.models import User
from caseapp.extensions import db
from caseapp.inquiries.models import Inquiry
from caseapp.inquiries.service import send_inquiry


def load_demo_inquiries() -> int:
    """Returns the number of requests sent (0 when there already are some or the users are missing)."""
    if db.session.execute(select(Inquiry.id).limit(1)).first() is not None:
        return 0
    requester = db.session.execute(select(User).where(User.username == "disprog")).scalar_one_or_none()
    if requester is None:
        return 0
    structure = next((s for s in requester.structures if s.code == "DIS-PROG"), None)
    if structure is None:
        return 0
    # Registering "Yousef Rahimi", born 2 November 1987: KEM already follows a Yusuf Rahimi.
    send_inquiry({"family_name": "Rahimi", "birth_date": date(1987, 11, 2), "birth_year": 1987},
                 structure=structure, actor=requester)
    return 1
