"""Monthly referral counts: sent, received, by status, days to answer (median), overdue, in SQL."""
from __future__ import annotations

from datetime import timedelta

from caseapp.dates import local_today
from caseapp.extensions import db
from caseapp.referrals import service, stats
from tests.factories import make_user, structure
from tests.referrals.factories import make_referral


def test_monthly_counts_per_structure_and_city(db_session, count_queries):
    kem = make_user("caseworker", structures=("KEM",))
    dis = make_user("caseworker", structures=("DIS-PROG",))
    today = local_today()
    answered_fast = make_referral(actor=kem)
    service.accept(answered_fast, actor=dis)
    answered_late = make_referral(actor=kem)
    service.decline(answered_late, "No place.", actor=dis)
    waiting = make_referral(actor=kem)
    make_referral(actor=kem, send=False)                       # a draft never counts
    to_partner = make_referral(actor=kem, to_code="P-PRAKSIS")
    # Answer days as if the answers came 2 and 6 days after sending, within this month.
    answered_fast.days_to_answer, answered_late.days_to_answer = 2, 6
    waiting.due_on = today - timedelta(days=1)                 # overdue, still waiting
    db.session.flush()
    with count_queries() as counted:
        counts = stats.monthly_counts(today.year, today.month)
    assert counted.n == 7
    kem_id, dis_id, partner_id = structure("KEM").id, structure("DIS-PROG").id, structure("P-PRAKSIS").id
    assert counts[kem_id].sent == 4 and counts[kem_id].received == 0
    assert counts[kem_id].sent_by_status == {"accepted": 1, "declined": 1, "sent": 2}
    assert counts[kem_id].sent_by_target == {dis_id: 3, partner_id: 1}
    assert counts[dis_id].received == 3 and counts[dis_id].received_by_source == {kem_id: 3}
    assert counts[dis_id].answer_days == {2: 1, 6: 1}
    assert counts[dis_id].median_days_to_answer == 4.0 and counts[dis_id].acceptance_rate == 0.5
    assert counts[dis_id].overdue_received == 1 and counts[kem_id].overdue_sent == 1
    assert counts[partner_id].received == 1 and to_partner.status == "sent"
    only_dis = stats.monthly_counts(today.year, today.month, structure_ids=[dis_id])
    assert set(only_dis) == {dis_id}
    city = stats.city_totals(counts)
    assert city.sent == 4 and city.received == 4 and city.structure_id is None


def test_median_of_an_odd_number_of_answers_and_of_none():
    month = stats.ReferralMonth(1, answer_days={1: 2, 9: 1})
    assert month.median_days_to_answer == 1.0 and month.answered == 3
    assert stats.ReferralMonth(1).median_days_to_answer is None
    assert stats.ReferralMonth(1).acceptance_rate is None


def test_a_past_month_counts_what_was_overdue_when_it_ended(db_session):
    from datetime import date

    from caseapp.models_base import utcnow

    kem = make_user("caseworker", structures=("KEM",))
    late = make_referral(actor=kem)
    on_time = make_referral(actor=kem)
    for referral in (late, on_time):
        referral.sent_on = date(2025, 3, 3)
    late.due_on, on_time.due_on = date(2025, 3, 17), date(2025, 4, 10)
    late.status, late.closed_at = "withdrawn", utcnow()       # closed long after March ended
    db.session.flush()
    counts = stats.monthly_counts(2025, 3)
    assert counts[structure("KEM").id].overdue_sent == 1
    assert counts[structure("DIS-PROG").id].overdue_received == 1
    assert counts[structure("KEM").id].sent == 2
