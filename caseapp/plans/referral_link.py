"""The one place plans meet referrals (caseapp/referrals, built by another engineer).

An action links referrals through the contract between the two domains: the referral form
`url_for("referrals.new", beneficiary_id=..., plan_action=<action key>)` pre-fills a
referral for the action, and `caseapp.referrals.queries.referrals_for_plan_actions(user,
action_keys)` returns the (scoped) referrals made for them. The action's `key` is used, not
its row id, so a referral stays linked to the action in every later revision of the plan.

While the referrals package is not part of the app, `enabled()` is False and the plan pages
show no referral link at all (nothing pretends to work).
"""
from __future__ import annotations

import uuid

from flask import current_app, url_for


def enabled() -> bool:
    """True when the app serves the referral form (the referrals package is installed)."""
    return "referrals.new" in current_app.view_functions


def new_referral_url(beneficiary_id: uuid.UUID, action_key: uuid.UUID) -> str | None:
    """The referral form pre-filled for this action, or None without referrals."""
    if not enabled():
        return None
    return url_for("referrals.new", beneficiary_id=beneficiary_id, plan_action=str(action_key))


def links_for(user, revision) -> dict[uuid.UUID, list]:
    """{action key: [referral, ...]} for the revision's actions the user may see (one query),
    or {} without referrals."""
    if not enabled():
        return {}
    from caseapp.referrals.queries import referrals_for_plan_actions

    return referrals_for_plan_actions(user, [action.key for action in revision.actions])
