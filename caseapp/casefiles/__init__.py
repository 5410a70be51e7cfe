"""Case files: a beneficiary's file at one structure, its notes and its timeline.

Called by every domain that works on a case (beneficiaries, referrals, plans,
interpretation, deliveries); it imports none of them.
"""
