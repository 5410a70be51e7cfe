"""Template globals: navigation by role, panels of other domains, and the language switch."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from flask import g, request
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from caseapp.i18n import LANGUAGE_NAMES
from caseapp.panels import panels_for


def role_label(role: str) -> str:
    from caseapp.auth.forms import ROLE_LABELS

    return str(ROLE_LABELS.get(role, role))

@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: object
    permission: str | None      # None: any logged-in user
    order: int
    badge: Callable[[object], int | None] | None = None  # e.g. referrals waiting for an answer
    visible: Callable[[object], bool] | None = None  # e.g. only for staff of a shelter
    more: bool = False  # a less used page: listed under "More", so the header stays on one line


NAVIGATION: dict[str, NavItem] = {}


def register_nav(endpoint: str, label, *, permission: str | None, order: int,
                 badge: Callable[[object], int | None] | None = None,
                 visible: Callable[[object], bool] | None = None, more: bool = False) -> None:
    """Add a main-navigation entry (each domain registers its own, at import of its views).

    `badge(user)` returns a count shown next to the label (one query at most, as it runs
    on every page), or None for none. `visible(user)` (no query: it runs on every page)
    hides the entry from users with the permission to whom it means nothing. `more` lists a
    less used page under the header's "More" disclosure rather than on the header's line.
    """
    NAVIGATION[endpoint] = NavItem(endpoint, label, permission, order, badge, visible, more)


register_nav("beneficiaries.index", _l("Beneficiaries"), permission="beneficiaries.view", order=10)
register_nav("users_admin.index", _l("Users"), permission="users.manage", order=80)
register_nav("structures.index", _l("Structures"), permission="structures.view", order=85)
register_nav("security.audit", _l("Audit log"), permission="audit.verify", order=90)
register_nav("erasure.index", _l("Erasure requests"), permission="erasure.confirm", order=95)


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


def navigation_items() -> list[tuple[str, object, int | None, bool]]:
    """(endpoint, label, badge count or None, listed under "More") for the current user, in order."""
    if not current_user.is_authenticated:
        return []
    if "navigation" in g:
        return g.navigation
    items = g.navigation = []
    for item in sorted(NAVIGATION.values(), key=lambda i: i.order):
        if item.visible is not None and not item.visible(current_user):
            continue
        if item.permission is None or current_user.has_permission(item.permission):
            items.append((item.endpoint, item.label, item.badge(current_user) if item.badge else None, item.more))
    return items


def show_nothing_for_none(value):
    """Jinja `finalize`: an absent value (None) prints as nothing, never as the word "None"."""
    return "" if value is None else value


def bdi(value):
    """`{{ name|bdi }}`: a name isolated from the text around it (`<bdi>`), so a right-to-left
    name in a Greek or English sentence keeps its order and the sentence keeps its own."""
    from markupsafe import Markup, escape

    if value is None or value == "":
        return ""
    return Markup("<bdi>%s</bdi>") % escape(value)


def register(app) -> None:
    from caseapp import formats

    app.jinja_env.add_extension("jinja2.ext.do")
    formats.register(app)
    app.jinja_env.finalize = show_nothing_for_none
    app.jinja_env.filters["bdi"] = bdi

    @app.context_processor
    def inject_globals():
        return {
            "navigation_items": navigation_items,
            "current_locale": str(get_locale() or app.config["BABEL_DEFAULT_LOCALE"]),
            "language_names": LANGUAGE_NAMES,
            "current_path": request.path,
            "role_label": role_label,
            "structure_kind_label": structure_kind_label,
            "panels_for": panels_for,
        }
