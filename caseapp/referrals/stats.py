"""Monthly referral counts per structure, by SQL aggregates (no row loaded, none decrypted).

A referral counts in the local (Europe/Athens) month it was sent (`sent_on`), at its sending
structure (the "sent" figures) and at its receiving structure or partner organisation (the
"received" figures); drafts never count. Answers count in the month they were given
(`answered_on`), at the receiver. Everything counted is coded and in clear, so erasing a
person never changes a past month. Small-cell suppression belongs to the reports, at export.

Shape of `monthly_counts(year, month, structure_ids=None)`: ``{structure_id: ReferralMonth}``
(structures with nothing that month are absent), where

- ``sent``, ``received``: ints, referrals sent by / to the structure that month;
- ``sent_by_status``, ``received_by_status``: ``{status code: referrals}`` (codes.STATUSES),
  their state now;
- ``sent_by_target``: ``{receiving structure id: referrals}`` (partners included);
  ``received_by_source``: ``{sending structure id: referrals}``;
- ``answer_days``: ``{calendar days from sending to the answer: answers}`` for the answers
  (accept or decline) the structure gave that month, so that ``answered`` (int) and
  ``median_days_to_answer`` (float, or None without answers) are computable;
- ``acceptance_rate``: of the referrals received that month and answered, the share accepted
  (float in [0, 1], or None);
- ``overdue_received``, ``overdue_sent``: ints, referrals sent or received by the structure
  still waiting (for an answer or for completion) past their due date at the end of the month
  (at today, for the current month).

`city_totals(counts)` adds the structures up into one `ReferralMonth` (structure_id None).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta, timezone

from sqlalchemy import and_, func, or_, select

from caseapp.dates import local_today, local_zone, month_bounds
from caseapp.extensions import db
from caseapp.referrals.codes import ACCEPTED, COMPLETED, DECLINED, OPEN_STATES
from caseapp.referrals.models import Referral

R = Referral


@dataclass
class ReferralMonth:
    structure_id: int | None
    sent: int = 0
    received: int = 0
    sent_by_status: dict[str, int] = field(default_factory=dict)
    received_by_status: dict[str, int] = field(default_factory=dict)
    sent_by_target: dict[int, int] = field(default_factory=dict)
    received_by_source: dict[int, int] = field(default_factory=dict)
    answer_days: dict[int, int] = field(default_factory=dict)
    overdue_received: int = 0
    overdue_sent: int = 0

    @property
    def answered(self) -> int:
        return sum(self.answer_days.values())

    @property
    def median_days_to_answer(self) -> float | None:
        total = self.answered
        if not total:
            return None
        ordered = sorted(self.answer_days.items())

        def nth(n: int) -> int:          # the n-th answer (0-based) in order of days
            seen = 0
            for days, count in ordered:
                seen += count
                if n < seen:
                    return days
            raise IndexError(n)

        if total % 2:
            return float(nth(total // 2))
        return (nth(total // 2 - 1) + nth(total // 2)) / 2

    @property
    def acceptance_rate(self) -> float | None:
        status = self.received_by_status
        accepted = status.get(ACCEPTED, 0) + status.get(COMPLETED, 0)
        answered = accepted + status.get(DECLINED, 0)
        return accepted / answered if answered else None

    def add(self, other: ReferralMonth) -> None:
        self.sent += other.sent
        self.received += other.received
        self.overdue_received += other.overdue_received
        self.overdue_sent += other.overdue_sent
        for mine, theirs in ((self.sent_by_status, other.sent_by_status),
                             (self.received_by_status, other.received_by_status),
                             (self.sent_by_target, other.sent_by_target),
                             (self.received_by_source, other.received_by_source),
                             (self.answer_days, other.answer_days)):
            for key, count in theirs.items():
                mine[key] = mine.get(key, 0) + count


def _cutoff(year: int, month: int):
    """The end of the month (or today, for the current month): a local date and its UTC instant."""
    _first, last = month_bounds(year, month)
    cutoff = min(last + timedelta(days=1), local_today())
    return cutoff, datetime.combine(cutoff, time(), local_zone()).astimezone(timezone.utc)


def monthly_counts(year: int, month: int, structure_ids=None) -> dict[int, ReferralMonth]:
    """Counts for one local month, keyed by structure (see the module docstring).

    Six grouped queries, whatever the number of referrals."""
    first, last = month_bounds(year, month)
    wanted = list(structure_ids) if structure_ids is not None else None
    result: dict[int, ReferralMonth] = {}

    def entry(structure_id: int) -> ReferralMonth:
        return result.setdefault(structure_id, ReferralMonth(structure_id))

    def scoped(stmt, column):
        return stmt.where(column.in_(wanted)) if wanted is not None else stmt

    in_month = and_(R.sent_on >= first, R.sent_on <= last)
    for side, other, by_status, by_other, total in (
            (R.from_structure_id, R.to_structure_id, "sent_by_status", "sent_by_target", "sent"),
            (R.to_structure_id, R.from_structure_id, "received_by_status", "received_by_source", "received")):
        rows = db.session.execute(scoped(select(side, R.status, func.count()).where(in_month)
                                         .group_by(side, R.status), side))
        for structure_id, status, count in rows:
            month_entry = entry(structure_id)
            getattr(month_entry, by_status)[status] = count
            setattr(month_entry, total, getattr(month_entry, total) + count)
        rows = db.session.execute(scoped(select(side, other, func.count()).where(in_month)
                                         .group_by(side, other), side))
        for structure_id, other_id, count in rows:
            getattr(entry(structure_id), by_other)[other_id] = count

    answers = scoped(select(R.to_structure_id, R.days_to_answer, func.count())
                     .where(R.answered_on >= first, R.answered_on <= last, R.days_to_answer.is_not(None))
                     .group_by(R.to_structure_id, R.days_to_answer), R.to_structure_id)
    for structure_id, days, count in db.session.execute(answers):
        entry(structure_id).answer_days[days] = count

    cutoff, cutoff_at = _cutoff(year, month)
    if cutoff == local_today():     # the current month: overdue now, as the boxes flag it
        late = and_(R.sent_on <= last, R.due_on < cutoff, R.status.in_(OPEN_STATES))
    else:                           # a past month: still open, past due, when it ended
        late = and_(R.sent_on <= last, R.due_on < cutoff, or_(R.closed_at.is_(None), R.closed_at >= cutoff_at))
    for side, attr in ((R.to_structure_id, "overdue_received"), (R.from_structure_id, "overdue_sent")):
        rows = db.session.execute(scoped(select(side, func.count()).where(late).group_by(side), side))
        for structure_id, count in rows:
            setattr(entry(structure_id), attr, count)
    return result


def city_totals(counts: dict[int, ReferralMonth]) -> ReferralMonth:
    total = ReferralMonth(None)
    for month_entry in counts.values():
        total.add(month_entry)
    return total



