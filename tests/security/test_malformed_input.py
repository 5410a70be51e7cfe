"""Malformed input never answers 500: every route, every parameter, every role, both backends.

The walker derives what to attack from the app itself, so routes added later are
covered without editing this file:

- path variables come from each rule's converters (`int`, `uuid`, `path` ...);
- query and form parameters are the names each endpoint actually reads: a first,
  well-formed request runs with a recording request class that notes every
  `request.args` / `request.form` key the view (or its WTForms form) looks up;
- a form's well-formed values are those a browser would send from the page that
  shows it (parsed from the HTML the GET routes return), plus `VALID_FORMS`;
- path variables need a real object of the right kind: `SAMPLES` builds one per
  variable name, and `test_every_path_variable_has_a_sample` fails for a new name.

Then every path variable, query key and form field is replaced in turn by each
malformed value (huge, negative and non-numbers, NUL and control characters,
invalid UTF-8 bytes, over-long text, malformed UUIDs), as anonymous and as each
role, with GET and POST (CSRF token included), and no answer may be a 5xx.
"""
from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import quote, urlencode, urljoin, urlsplit

import pytest
from flask import url_for
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.routing import IntegerConverter, UUIDConverter
from werkzeug.utils import cached_property

from caseapp.auth import four_eyes
from caseapp.beneficiaries import erasure
from caseapp.extensions import db, limiter
from caseapp.security.permissions import Role
from tests.conftest import csrf_token
from tests.factories import case_file_of, make_beneficiary, make_user, structure
from tests.inquiries.factories import make_target
from tests.interpretation.factories import make_interpreter, make_request
from tests.referrals.factories import give_consent, make_referral
from tests.stays.factories import stays_world
from tests.plans.factories import add_action, add_goal

ROLES = ["anonymous"] + [role.value for role in Role]

MALFORMED = {
    "huge integer": "9" * 30,
    "just past the database integer": str(2**31),
    "negative": "-1",
    "not a number": "abc",
    "NUL": "a\x00b",
    "control character": "a\x1b[2Jb",
    "invalid UTF-8": b"\xff\xfe\xc3\x28",
    "over-long": "x" * 5000,
    "malformed UUID": "00000000-0000-0000-0000-00000000000g",
}
# Each request re-renders a page, so query and form values are the kinds that differ in
# effect: a number too big for the database, a non-number (version=abc), NUL (PostgreSQL
# refuses it), undecodable bytes, text longer than any column.
QUERY_VALUES = ("huge integer", "negative", "NUL", "invalid UTF-8", "over-long", "malformed UUID")
FORM_VALUES = ("huge integer", "NUL", "invalid UTF-8", "over-long", "malformed UUID")
_ATTACKED: dict[str, set] = {}
# A query key nobody reads is still parsed by every request.
UNREAD_QUERY_KEY = "unexpected"


def _world(role_user):
    """Objects the path variables point at, visible to the KEM staff."""
    caseworker = make_user("caseworker", structures=("KEM",))
    supervisor = make_user("supervisor", structures=("KEM",))
    beneficiary = make_beneficiary("KEM", actor=caseworker)
    request = erasure.request_erasure(beneficiary, "data_subject_request", actor=supervisor)
    newcomer = make_user("caseworker", structures=("DIS-PROG",))
    make_user("supervisor", structures=("SHELTER-W",))  # someone who may confirm the grant
    access = four_eyes.request_grant(newcomer, structure("SHELTER-W"), actor=make_user("admin"))
    interpreter = make_interpreter()
    booking = make_request(case_file_of(beneficiary, "KEM"), actor=caseworker)
    give_consent(beneficiary, caseworker)
    referral = make_referral(beneficiary, actor=caseworker, to_code="DIS-PROG")
    from datetime import date

    from caseapp.referrals.models import WorkingDayOverride
    override = WorkingDayOverride(day=date(2099, 1, 2), working=False, note="Walker")
    db.session.add(override)
    db.session.flush()
    shelter = stays_world()
    from caseapp.plans import service as plans

    plan = plans.start_plan(case_file_of(beneficiary, "KEM"), actor=caseworker)
    goal = add_goal(plan, caseworker)
    plan_action = add_action(goal, caseworker)
    from tests.security.test_get_changes_nothing import _deliveries_world

    delivery, group = _deliveries_world(case_file_of(beneficiary, "KEM"), caseworker)
    inquiry_target = make_target(beneficiary, "KEM", "DIS-PROG")
    db.session.commit()  # views roll back on refusals: the world must outlive them
    return {"caseworker": caseworker, "beneficiary": beneficiary, "erasure_request": request,
            "access_request": access, "target_user": make_user("caseworker", structures=("KEM",)),
            "interpreter": interpreter, "booking": booking, "referral": referral, "override": override,
            "plan": plan, "goal": goal, "plan_action": plan_action, "delivery": delivery, "group_session": group,
            "inquiry_target": inquiry_target,
            **shelter}


# Path variable name (or "endpoint:name" where a name means another object there) -> a
# well-formed value pointing at a real object of the world. A new route with a new variable
# name needs a line here (a test below says so).
SAMPLES = {
    "access_requests.decide:request_id": lambda world: world["access_request"].id,
    "user_id": lambda world: world["target_user"].id,
    "beneficiary_id": lambda world: world["beneficiary"].id,
    "case_file_id": lambda world: case_file_of(world["beneficiary"], "KEM").id,
    "request_id": lambda world: world["erasure_request"].id,
    "filename": lambda world: "css/app.css",
    "booking_id": lambda world: world["booking"].id,
    "interpreter_id": lambda world: world["interpreter"].id,
    "interpretation.act:action": lambda world: "cancel",
    "interpretation.mine_act:action": lambda world: "confirm",
    "referral_id": lambda world: world["referral"].id,
    "referrals.act:action": lambda world: "withdraw",
    "override_id": lambda world: world["override"].id,
    "structure_id": lambda world: structure("SHELTER-W").id,
    "stay_id": lambda world: world["stay"].id,
    "entry_id": lambda world: world["waiting_entry"].id,
    "link_id": lambda world: world["household_link"].id,
    "stays.admit:case_file_id": lambda world: world["newcomer_file"].id,
    "stays.wait:case_file_id": lambda world: world["newcomer_file"].id,
    "households.link:case_file_id": lambda world: world["resident_file"].id,
    "households.unlink:case_file_id": lambda world: world["resident_file"].id,
    "revision_id": lambda world: world["plan"].id,
    "goal_id": lambda world: world["goal"].id,
    "action_id": lambda world: world["plan_action"].id,
    "plans.act:action": lambda world: "submit",
    "decision": lambda world: "approve",
    "structure_id": lambda world: structure("KEM").id,
    "deliveries.desk:structure_id": lambda world: structure("KEM").id,
    "deliveries.sessions:structure_id": lambda world: structure("KEM").id,
    "reference.structure:structure_id": lambda world: structure("KEM").id,
    "reference.service_new:structure_id": lambda world: structure("KEM").id,
    "service_id": lambda world: world["delivery"].service_id,
    "delivery_id": lambda world: world["delivery"].id,
    "session_id": lambda world: world["group_session"].id,
    "partner_id": lambda world: structure("P-PRAKSIS").id,
    "target_id": lambda world: world["inquiry_target"].id,
    "inquiries.act:action": lambda world: "decline",
}

# Well-formed values for required fields the page leaves empty, so the attack on one
# field runs with every other field valid (deep enough to reach the services).
VALID_FORMS = {
    "beneficiaries.register": {"given_name": "Maria", "family_name": "Walker", "sex": "female",
                               "legal_status": "asylum_seeker"},
    "beneficiaries.search": {"surname": "Walker"},
    "beneficiaries.consent": {"decision": "given"},
    "users_admin.create": {"username": "walker", "display_name": "Walker", "role": "interpreter"},
    "auth.login": {"username": "nobody", "password": "not the password"},
    "erasure.confirm": {"reference": "B-26-00000-0"},
    "referrals.new": {"urgency": "routine", "reason": "Walker"},
    "referrals.calendar": {"day": "2099-01-05", "working": "off", "note": "Walker"},
}


# --- what an endpoint reads ------------------------------------------------------------


class _Seen:
    args: set[str] = set()
    form: set[str] = set()

    @classmethod
    def reset(cls):
        cls.args, cls.form = set(), set()


def _recording(kind: str):
    class Recording(ImmutableMultiDict):
        def _note(self, key):
            getattr(_Seen, kind).add(key)

        def __getitem__(self, key):
            self._note(key)
            return super().__getitem__(key)

        def __contains__(self, key):
            self._note(key)
            return super().__contains__(key)

        def get(self, key, default=None, type=None):
            self._note(key)
            return super().get(key, default, type)

        def getlist(self, key, type=None):
            self._note(key)
            return super().getlist(key, type)

    return Recording


_RecordingArgs, _RecordingForm = _recording("args"), _recording("form")


def _recording_request_class(base):
    class RecordingRequest(base):
        @cached_property
        def args(self):
            return _RecordingArgs(base.args.fget(self))

        def _load_form_data(self):
            super()._load_form_data()
            self.__dict__["form"] = _RecordingForm(self.__dict__["form"])

    return RecordingRequest


# --- forms as a browser sends them ----------------------------------------------------------


class _Forms(HTMLParser):
    """POST forms of a page: action path -> list of (name, value) a browser would submit."""

    def __init__(self, page_url: str):
        super().__init__()
        self.page_url = page_url
        self.forms: dict[str, tuple[str, list[tuple[str, str]]]] = {}  # action -> (page, fields)
        self._fields = None
        self._select = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "get").lower() == "post":
            action = urlsplit(urljoin(self.page_url, a.get("action") or self.page_url)).path
            self._fields = self.forms.setdefault(action, []) if action not in self.forms else None
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            if self._select[1] is None:
                self._select[1] = value
            if "selected" in a:
                self._select[2] = value
        elif self._fields is None or not a.get("name"):
            return
        elif tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "file", "reset"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            self._fields.append((a["name"], a.get("value") or ("y" if kind == "checkbox" else "")))
        elif tag == "select":
            self._select = [a["name"], None, None]
        elif tag == "textarea":
            self._textarea = [a["name"], ""]

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._fields = None
        elif tag == "select" and self._select is not None and self._fields is not None:
            name, first, selected = self._select
            chosen = selected if selected is not None else first
            if chosen is not None:
                self._fields.append((name, chosen))
            self._select = None
        elif tag == "textarea" and self._textarea is not None and self._fields is not None:
            self._fields.append(tuple(self._textarea))
            self._textarea = None


# --- the walk -------------------------------------------------------------------------------------


def _sample(rule, name):
    return SAMPLES.get(f"{rule.endpoint}:{name}") or SAMPLES[name]


def _converter_kind(converter) -> str:
    if isinstance(converter, IntegerConverter):
        return "int"
    if isinstance(converter, UUIDConverter):
        return "uuid"
    return "text"


def _encoded(value) -> str:
    return quote(value if isinstance(value, bytes) else value.encode("utf-8"), safe="")


def _body(pairs) -> bytes:
    return urlencode([(k, v) for k, v in pairs]).encode("ascii")


class Walker:
    def __init__(self, app, client, role: str, world):
        self.app, self.client, self.role, self.world = app, client, role, world
        self.forms: dict[str, tuple[str, list[tuple[str, str]]]] = {}  # action -> (page, fields)
        self.token = csrf_token(client, "/" if role != "anonymous" else "/login")
        self.failures: list[str] = []
        self.requests = 0

    def rules(self):
        rules = sorted(self.app.url_map.iter_rules(), key=lambda r: (r.endpoint == "auth.logout", r.rule))
        return [r for r in rules if r.endpoint != "auth.logout" or self.role == "anonymous"]

    def url(self, rule, **replace) -> str:
        values = {name: _sample(rule, name)(self.world) for name in rule.arguments}
        with self.app.test_request_context():
            url = url_for(rule.endpoint, **values)
        for name, raw in replace.items():
            url = url.replace(quote(str(values[name]), safe="/"), raw, 1)
        return url

    def send(self, method: str, url: str, *, query=(), form=None, what: str):
        self.requests += 1
        body = _body(form) if method == "POST" else None
        response = self.client.open(url, method=method, query_string=_body(query).decode() or None, data=body,
                                    content_type="application/x-www-form-urlencoded" if body else None)
        if response.status_code >= 500:
            self.failures.append(f"{self.role} {method} {url} {what}: {response.status_code}")
        elif response.status_code in (400, 404) and response.mimetype == "text/html":
            if "<html" not in response.get_data(as_text=True):
                self.failures.append(f"{self.role} {method} {url} {what}: bare {response.status_code}")
        return response

    def read_forms(self, page_url: str, response=None) -> None:
        response = response or self.client.get(page_url)
        if response.mimetype != "text/html":
            return
        parser = _Forms(page_url)
        parser.feed(response.get_data(as_text=True))
        for action, fields in parser.forms.items():
            self.forms[action] = (page_url, fields)

    def baseline(self, rule, method: str, url: str, *, refresh: bool = False):
        if method == "GET":
            return []
        action = urlsplit(url).path
        if refresh and action in self.forms:
            self.read_forms(self.forms[action][0])  # the values as they are now (versions)
        pairs = list(self.forms.get(action, (None, [("csrf_token", self.token)]))[1])
        overrides = VALID_FORMS.get(rule.endpoint, {})
        pairs = [(k, v) for k, v in pairs if k not in overrides] + list(overrides.items())
        if not any(k == "csrf_token" for k, _v in pairs):
            pairs.append(("csrf_token", self.token))
        return pairs

    def discover(self, rule, method: str, url: str):
        """One well-formed request; returns the query and form keys the endpoint read."""
        _Seen.reset()
        response = self.send(method, url, form=self.baseline(rule, method, url, refresh=True), what="well-formed")
        if method == "GET" and response.status_code == 200:
            self.read_forms(url, response)
        return set(_Seen.args), set(_Seen.form)

    def first_time(self, part: str, rule, method: str, key: str, label: str) -> bool:
        """Roles that reach the same form share its attack (caseworkers and supervisors fill
        the same registration form): each (endpoint, parameter, value) is sent once per backend."""
        done = _ATTACKED.setdefault(self.app.config["SQLALCHEMY_DATABASE_URI"], set())
        attack = (part, rule.endpoint, method, key, label)
        if attack in done:
            return False
        done.add(attack)
        return True

    def walk(self):
        for method in ("GET", "POST"):
            for rule in self.rules():
                if method in rule.methods:
                    self.walk_rule(rule, method)

    def walk_rule(self, rule, method: str):
        url = self.url(rule)
        args, fields = self.discover(rule, method, url)
        base = self.baseline(rule, method, url, refresh=True)
        for name, converter in rule._converters.items():
            for label, value in MALFORMED.items():
                bad_url = self.url(rule, **{name: _encoded(value)})
                self.send(method, bad_url, form=base, what=f"path {name}={label}")
            if _converter_kind(converter) == "int":
                self.send(method, self.url(rule, **{name: "0"}), form=base, what=f"path {name}=0")
        for key in sorted(args | {UNREAD_QUERY_KEY}):
            for label in QUERY_VALUES if key in args else ("NUL", "over-long"):
                if self.first_time("query", rule, method, key, label):
                    self.send(method, url, query=[(key, MALFORMED[label])], form=base, what=f"query {key}={label}")
        for key in sorted(fields):
            for label in FORM_VALUES:
                if not self.first_time("form", rule, method, key, label):
                    continue
                pairs = [(k, v) for k, v in base if k != key] + [(key, MALFORMED[label])]
                self.send(method, url, form=pairs, what=f"form {key}={label}")


@pytest.mark.parametrize("role", ROLES)
def test_no_malformed_path_query_or_form_value_answers_500(app, client, login_as, monkeypatch, role):
    monkeypatch.setattr(app, "request_class", _recording_request_class(app.request_class))
    monkeypatch.setattr(limiter, "enabled", False)  # throttling would hide what lies behind it
    structures = {"caseworker": ("KEM",), "supervisor": ("KEM", "SHELTER-W")}  # SHELTER-W: four-eyes grants
    user = None if role == "anonymous" else login_as(role, **(
        {"structures": structures[role]} if role in structures else {}))
    walker = Walker(app, client, role, _world(user))
    walker.walk()
    assert walker.failures == []
    assert walker.requests > 200


def test_every_path_variable_has_a_sample_of_its_type(app, db_session):
    """A route with a new path variable must say, in SAMPLES, how to build a real object for it."""
    missing = sorted({f"{rule.endpoint}:{name}" for rule in app.url_map.iter_rules() for name in rule.arguments
                      if f"{rule.endpoint}:{name}" not in SAMPLES and name not in SAMPLES})
    assert missing == []
    walker = Walker(app, app.test_client(), "anonymous", _world(None))
    for rule in app.url_map.iter_rules():
        walker.url(rule)  # a sample of the wrong type (a UUID for an <int:>) cannot build the URL


def test_the_walker_reads_the_parameters_views_use(app, client, login_as, monkeypatch):
    """The recording finds query keys read deep inside a page and a form's fields."""
    monkeypatch.setattr(app, "request_class", _recording_request_class(app.request_class))
    login_as("caseworker", structures=("KEM",))
    walker = Walker(app, client, "caseworker", _world(None))
    rules = {rule.endpoint: rule for rule in app.url_map.iter_rules()}
    args, _fields = walker.discover(rules["cases.show"], "GET", walker.url(rules["cases.show"]))
    assert {"events_before", "notes_before"} <= args
    walker.discover(rules["beneficiaries.show"], "GET", walker.url(rules["beneficiaries.show"]))
    _args, fields = walker.discover(rules["cases.add_note"], "POST", walker.url(rules["cases.add_note"]))
    assert {"text", "csrf_token"} <= fields
