"""Sections that other domains add to shared pages, without those pages importing them.

A page has named slots: "case_file" (the case-file page), "profile" (a
beneficiary's profile) and "home" (the user's home page). A domain registers a
panel once, at import of its views module::

    register_panel("case_file", "referrals", order=30, template="referrals/_case_panel.html",
                   context=lambda case_file, viewer: {...} or None)

The page calls `panels_for(slot, *args)` and includes each panel's template with
its context as `panel`. `context` returns None when the panel has nothing to show
for this viewer (no permission, nothing due), and must run a fixed number of
queries, whatever the data size: the page's query count is the sum of its panels'.

Every context that shows people (names, references, even only the page's own person)
declares them under "subjects": the beneficiary ids it shows. `panels_for` collects
them for the request (`g.panel_subjects`) and the page's audit event
(`caseapp.viewtools.audited`) names them, so "who has seen this person" includes what
the panels showed. A page whose panels show people must be audited (the home page
is, whenever a panel shows someone).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable

from flask import g, has_request_context

SLOTS = ("case_file", "profile", "home")


@dataclass(frozen=True)
class Panel:
    slot: str
    name: str
    order: int
    template: str
    context: Callable[..., dict | None]


_PANELS: dict[str, dict[str, Panel]] = {slot: {} for slot in SLOTS}


def register_panel(slot: str, name: str, *, order: int, template: str, context: Callable[..., dict | None]) -> None:
    """Add (or replace, by `name`) a panel in `slot`. Raises ValueError for an unknown slot."""
    if slot not in _PANELS:
        raise ValueError(f"unknown panel slot {slot!r}")
    _PANELS[slot][name] = Panel(slot, name, order, template, context)


def panels_for(slot: str, *args) -> list[tuple[Panel, dict]]:
    """The panels of `slot` that have something to show, in order, with their contexts."""
    shown = []
    for panel in sorted(_PANELS[slot].values(), key=lambda p: (p.order, p.name)):
        context = panel.context(*args)
        if context is not None:
            _collect(context.get("subjects", ()))
            shown.append((panel, context))
    return shown


def _collect(subjects: Iterable) -> None:
    if not has_request_context():
        return
    collected = g.setdefault("panel_subjects", set())
    collected.update(subjects or ())


def panel_subjects() -> set:
    """The people the panels rendered in this request have shown (beneficiary ids)."""
    return set(g.get("panel_subjects", ())) if has_request_context() else set()
