"""Relations between household members: stored codes, and the words each side sees."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

# Stored in `HouseholdLink.relation`.
RELATIONS = {
    "partner": _l("Spouse or partner"),
    "parent_child": _l("Parent and child"),
    "sibling": _l("Sibling"),
    "other": _l("Other relation"),
}

# What the form asks: the other person is this person's ...
AS_SEEN = {
    "partner": _l("Spouse or partner"),
    "child": _l("Child"),
    "parent": _l("Parent"),
    "sibling": _l("Sibling"),
    "other": _l("Other relation"),
}


def seen_from(link, beneficiary_id) -> str:
    """The `AS_SEEN` code of the other person of `link`, seen from `beneficiary_id`."""
    if link.relation != "parent_child":
        return link.relation
    return "child" if link.person_id == beneficiary_id else "parent"


def label_from(link, beneficiary_id) -> str:
    return str(AS_SEEN[seen_from(link, beneficiary_id)])
