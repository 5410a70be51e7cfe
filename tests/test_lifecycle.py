"""The shared state-machine helper: a table as data, applied by one function."""
from types import SimpleNamespace

import pytest

from caseapp.lifecycle import Lifecycle, Transition, TransitionError

DOOR = Lifecycle(
    name="door",
    states={"closed": "Closed", "open": "Open", "locked": "Locked"},
    transitions=[
        Transition("open", {"closed"}, "open", parties={"resident", "guest"}),
        Transition("close", {"open"}, "closed", parties={"resident", "guest"}),
        Transition("lock", {"closed"}, "locked", parties={"resident"}),
        Transition("unlock", {"locked"}, "closed", parties={"resident"}),
    ],
    parties=lambda door, user: set(user.parties),
)


def test_apply_moves_to_the_target_state_when_state_and_party_allow_it():
    door = SimpleNamespace(status="closed")
    DOOR.apply(door, "lock", SimpleNamespace(parties={"resident"}))
    assert door.status == "locked"


def test_a_party_without_the_right_is_refused_and_nothing_changes():
    door = SimpleNamespace(status="closed")
    with pytest.raises(TransitionError, match="not yours"):
        DOOR.apply(door, "lock", SimpleNamespace(parties={"guest"}))
    assert door.status == "closed"


def test_an_action_the_state_does_not_allow_is_refused_naming_the_state():
    door = SimpleNamespace(status="locked")
    with pytest.raises(TransitionError, match="Locked"):
        DOOR.apply(door, "open", SimpleNamespace(parties={"resident"}))
    assert door.status == "locked"


def test_every_triple_of_the_table_is_walkable_and_matches_apply():
    for state, action, party in DOOR.triples():
        door = SimpleNamespace(status=state)
        who = SimpleNamespace(parties={party})
        if DOOR.permits(state, action, party):
            DOOR.apply(door, action, who)
            assert door.status == DOOR.find(state, action).target
        else:
            with pytest.raises(TransitionError):
                DOOR.apply(door, action, who)
            assert door.status == state
    assert len(list(DOOR.triples())) == 3 * 4 * 2


def test_available_lists_only_the_actions_the_user_may_take_now():
    assert DOOR.available(SimpleNamespace(status="closed"), SimpleNamespace(parties={"guest"})) == ["open"]
    assert DOOR.available(SimpleNamespace(status="closed"), SimpleNamespace(parties={"resident"})) == ["lock", "open"]


def test_a_table_naming_an_unknown_state_is_refused_at_definition():
    with pytest.raises(ValueError, match="unknown state"):
        Lifecycle(name="bad", states={"a": "A"}, transitions=[Transition("go", {"a"}, "b", parties={"x"})],
                  parties=lambda o, u: set())
