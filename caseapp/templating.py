"""Template globals: navigation by role and the language switch."""
from flask import request
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from caseapp.i18n import LANGUAGE_NAMES


def role_label(role: str) -> str:
    from caseapp.auth.forms import ROLE_LABELS

    return str(ROLE_LABELS.get(role, role))

# (endpoint, label, permission or None for any logged-in user)
NAVIGATION = [
    ("main.home", _l("Home"), None),
    ("beneficiaries.index", _l("Beneficiaries"), "beneficiaries.view"),
    ("users_admin.index", _l("Users"), "users.manage"),
    ("structures.index", _l("Structures"), "structures.view"),
    ("security.audit", _l("Audit log"), "audit.verify"),
    ("erasure.index", _l("Erasure requests"), "erasure.confirm"),
]


STRUCTURE_KIND_LABELS = {
    "counselling": _l("Counselling centre"),
    "shelter": _l("Shelter"),
    "reception": _l("Reception centre"),
    "social_service": _l("Social service"),
    "clinic": _l("Clinic"),
    "programme": _l("Programme"),
    "coordination": _l("Coordination"),
    "partner": _l("Partner organisation"),
}


def structure_kind_label(kind: str) -> str:
    return str(STRUCTURE_KIND_LABELS.get(kind, kind))


def navigation_items():
    if not current_user.is_authenticated:
        return []
    return [(endpoint, label) for endpoint, label, permission in NAVIGATION
            if permission is None or current_user.has_permission(permission)]


def register(app) -> None:
    app.jinja_env.add_extension("jinja2.ext.do")

    @app.context_processor
    def inject_globals():
        return {
            "navigation_items": navigation_items,
            "current_locale": str(get_locale() or app.config["BABEL_DEFAULT_LOCALE"]),
            "language_names": LANGUAGE_NAMES,
            "current_path": request.path,
            "role_label": role_label,
            "structure_kind_label": structure_kind_label,
        }
