"""State machines as data: one transition table per lifecycle, one function that applies it.

A domain declares its lifecycle once::

    REFERRAL = Lifecycle(
        name="referral",
        states={"draft": _l("Draft"), "sent": _l("Sent"), ...},
        transitions=[
            Transition("send", {"draft"}, "sent", parties={"sender"}),
            Transition("accept", {"sent"}, "accepted", parties={"receiver"}),
            ...
        ],
        parties=lambda referral, user: {...},   # which parties the user acts as, for this object
    )

and its service calls `REFERRAL.apply(referral, "accept", user)`, which checks the
state and the party and sets the new state, or raises `TransitionError` (a
`DomainError`) with a message a person understands. Side effects (history, audit,
timeline, notifications) stay in the service. Tests walk `REFERRAL.triples()`,
every (state, action, party) combination, against `REFERRAL.permits`.

Parties are the roles a person plays *for this object* ("sender", "receiver",
"supervisor of the plan's structure", "the interpreter assigned"), computed by the
domain from the user's role, structures and the object; a user outside every party
never reaches the lifecycle (the scoping query already answered 404).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator

from flask_babel import lazy_gettext as _l

from caseapp.domain import DomainError


class TransitionError(DomainError):
    """An action that the object's state or the user's part does not allow."""


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[str]
    target: str
    parties: frozenset[str]

    def __init__(self, action: str, sources: Iterable[str], target: str, *, parties: Iterable[str]):
        object.__setattr__(self, "action", action)
        object.__setattr__(self, "sources", frozenset(sources))
        object.__setattr__(self, "target", target)
        object.__setattr__(self, "parties", frozenset(parties))


@dataclass
class Lifecycle:
    name: str
    states: dict[str, object]            # state code -> lazy label
    transitions: list[Transition]
    parties: Callable[[object, object], set[str]]
    state_attr: str = "status"
    action_labels: dict[str, object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for transition in self.transitions:
            unknown = (transition.sources | {transition.target}) - set(self.states)
            if unknown:
                raise ValueError(f"{self.name}: unknown state(s) {sorted(unknown)} in {transition.action}")

    # --- the table, as data -------------------------------------------------------

    @property
    def actions(self) -> list[str]:
        return sorted({t.action for t in self.transitions})

    @property
    def all_parties(self) -> list[str]:
        return sorted(set().union(*(t.parties for t in self.transitions)))

    def find(self, state: str, action: str) -> Transition | None:
        return next((t for t in self.transitions if t.action == action and state in t.sources), None)

    def permits(self, state: str, action: str, party: str) -> bool:
        """True when `party` may take `action` on an object in `state`."""
        transition = self.find(state, action)
        return transition is not None and party in transition.parties

    def triples(self) -> Iterator[tuple[str, str, str]]:
        """Every (state, action, party), for tests that walk the whole table."""
        for state in self.states:
            for action in self.actions:
                for party in self.all_parties:
                    yield state, action, party

    # --- applying it --------------------------------------------------------------

    def state_of(self, obj) -> str:
        return getattr(obj, self.state_attr)

    def state_label(self, state: str) -> str:
        return str(self.states.get(state, state))

    def allowed(self, obj, action: str, user) -> bool:
        transition = self.find(self.state_of(obj), action)
        return transition is not None and bool(transition.parties & self.parties(obj, user))

    def available(self, obj, user) -> list[str]:
        """The actions this user may take on `obj` now (for the buttons a page shows)."""
        return [action for action in self.actions if self.allowed(obj, action, user)]

    def check(self, obj, action: str, user) -> Transition:
        """The transition `action` would take, or `TransitionError` saying why not."""
        state = self.state_of(obj)
        transition = self.find(state, action)
        if transition is None:
            raise TransitionError(_l("This cannot be done now: its state is “%(state)s”.",
                                     state=self.state_label(state)))
        if not transition.parties & self.parties(obj, user):
            raise TransitionError(_l("This action is not yours to take."))
        return transition

    def apply(self, obj, action: str, user) -> Transition:
        """Check, then move `obj` to the transition's target state (the caller flushes,
        records who and when, audits and writes the timeline)."""
        transition = self.check(obj, action, user)
        setattr(obj, self.state_attr, transition.target)
        return transition
