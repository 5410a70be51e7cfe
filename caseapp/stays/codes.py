"""Coded values of stays (stored in clear; reports count them) and their labels."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

DISCHARGE_REASONS = {
    "own_housing": _l("Moved to housing of their own"),
    "family": _l("Went to family or friends"),
    "other_structure": _l("Moved to another shelter or structure"),
    "stay_ended": _l("The agreed stay ended"),
    "left": _l("Left of their own accord"),
    "rules": _l("Asked to leave (house rules)"),
    "hospital": _l("Hospital or treatment programme"),
    "deceased": _l("Deceased"),
    "other": _l("Other reason"),
}

WAITING_STATUS = {
    "waiting": _l("Waiting"),
    "admitted": _l("Admitted"),
    "withdrawn": _l("No longer waiting"),
}
