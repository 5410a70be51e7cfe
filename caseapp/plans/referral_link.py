"""The one place plans meet referrals (`caseapp/referrals`).

An action links referrals through the contract between the two domains: the referral form
`url_for("referrals.new", beneficiary_id=..., plan_action=<action key>)` pre-fills a
referral for the action, and `caseapp.referrals.queries.referrals_for_plan_actions(user,
action_keys)` returns the (scoped) referrals made for them. The action's `key` is used, not
its row id, so a referral stays linked to its action in every later revision of the plan.
"""
from __future__ import annotations

import uuid

from flask import url_for

from caseapp.referrals import codes as referral_codes
from caseapp.referrals.queries import referrals_for_plan_actions


def can_refer(user) -> bool:
    return user.has_permission("referrals.send")


def new_referral_url(beneficiary_id: uuid.UUID, action_key: uuid.UUID) -> str:
    """The referral form pre-filled for this action."""
    return url_for("referrals.new", beneficiary_id=beneficiary_id, plan_action=str(action_key))


def referral_url(referral) -> str:
    return url_for("referrals.show", referral_id=referral.id)


def describe(referral) -> str:
    """"KEM: Waiting for an answer": where it went and where it stands (no personal data)."""
    status = referral_codes.STATUSES.get(referral.status, referral.status)
    return f"{referral.to_structure.code}: {status}"


def links_for(user, revision) -> dict[uuid.UUID, list]:
    """{action key: [referral, ...]} for the revision's actions, the ones the user may see
    (one query, whatever the number of actions)."""
    return referrals_for_plan_actions(user, [action.key for action in revision.actions])
