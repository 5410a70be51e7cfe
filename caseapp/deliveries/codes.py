"""Units of delivery (what a service is counted in) and their labels."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice

UNITS = {
    "session": _l("session"),
    "night": _l("night"),
    "meal": _l("meal"),
    "parcel": _l("parcel"),
    "prescription": _l("prescription"),
    "load": _l("laundry load"),
    "item": _l("item"),
    "visit": _l("visit"),
    "certificate": _l("certificate"),
    "device": _l("device"),
    "case": _l("case"),
}


def unit_label(code: str) -> str:
    return str(UNITS.get(code, code))


def unit_choices() -> list[SelectChoice]:
    return [SelectChoice(code, str(label)) for code, label in UNITS.items()]
