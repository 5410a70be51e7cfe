"""Recording and correcting deliveries: the ledger keeps every entry, the counts take the correction."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from caseapp.casefiles import service as casefile_service
from caseapp.dates import local_today
from caseapp.deliveries import service, stats
from caseapp.deliveries.models import REVERSAL, ServiceDelivery
from caseapp.domain import ConflictError
from caseapp.extensions import db
from tests.deliveries.conftest import audit_actions, service_of
from tests.factories import case_file_of, make_beneficiary, make_user


@pytest.fixture
def food(db_session):
    desk = make_user("caseworker", structures=("KYADA-FOOD",))
    person = make_beneficiary("KYADA-FOOD", actor=desk)
    return desk, case_file_of(person, "KYADA-FOOD"), service_of("KYADA-FOOD", "MEALS")


def _month(day):
    return stats.monthly_counts(day.year, day.month)


def test_a_delivery_is_counted_with_its_quantity_and_its_note_is_encrypted(food, backend):
    desk, case_file, meals = food
    today = local_today()
    delivery = service.record_delivery(case_file, meals, on=today, quantity=2, note="Allergic to nuts", actor=desk)
    db.session.flush()
    stored = db.session.execute(select(ServiceDelivery.note_ct).where(ServiceDelivery.id == delivery.id)).scalar_one()
    assert b"nuts" not in stored
    month = _month(today)[case_file.structure_id]
    assert (month.people_served, month.deliveries, month.by_service["MEALS"].quantity) == (1, 1, 2)


def test_a_corrected_delivery_keeps_original_and_correction_in_the_audit_and_counts_the_correction(food):
    desk, case_file, meals = food
    today = local_today()
    original = service.record_delivery(case_file, meals, on=today, quantity=1, actor=desk)
    corrected = service.correct_delivery(original, meals, on=today, quantity=3, note=None, actor=desk,
                                         expected_version=original.version)
    actions = audit_actions()
    assert ("deliveries.record", str(original.id)) in actions
    assert ("deliveries.correct", str(corrected.id)) in actions
    reversal = db.session.execute(select(ServiceDelivery).where(ServiceDelivery.entry == REVERSAL)).scalar_one()
    assert ("deliveries.reverse", str(reversal.id)) in actions
    assert (reversal.corrects_id, reversal.quantity) == (original.id, -1)
    assert corrected.corrects_id == original.id and original.reversed_at is not None
    month = _month(today)[case_file.structure_id]
    assert (month.deliveries, month.by_service["MEALS"].quantity, month.people_served) == (1, 3, 1)
    # Every entry of the ledger summed gives the same quantity.
    total = sum(d.quantity for d in db.session.execute(select(ServiceDelivery)).scalars())
    assert total == 3


def test_a_correction_to_another_month_moves_the_count(food):
    desk, case_file, meals = food
    today = local_today()
    earlier = today.replace(day=1) - timedelta(days=1)
    original = service.record_delivery(case_file, meals, on=today, quantity=1, actor=desk)
    service.correct_delivery(original, meals, on=earlier, quantity=1, note=None, actor=desk)
    assert case_file.structure_id not in _month(today)
    assert _month(earlier)[case_file.structure_id].deliveries == 1


def test_a_cancelled_delivery_no_longer_counts_and_cannot_be_cancelled_twice(food):
    desk, case_file, meals = food
    delivery = service.record_delivery(case_file, meals, on=local_today(), quantity=1, actor=desk)
    version = delivery.version
    service.reverse_delivery(delivery, actor=desk, expected_version=version)
    assert case_file.structure_id not in _month(local_today())
    with pytest.raises(ConflictError):
        service.reverse_delivery(delivery, actor=desk)


def test_a_correction_from_a_stale_page_is_refused(food):
    desk, case_file, meals = food
    delivery = service.record_delivery(case_file, meals, on=local_today(), quantity=1, actor=desk)
    with pytest.raises(ConflictError):
        service.correct_delivery(delivery, meals, on=local_today(), quantity=2, note=None, actor=desk,
                                 expected_version=delivery.version + 1)
    assert delivery.in_force


@pytest.mark.parametrize("changes, field", [
    ({"quantity": 0}, "quantity"), ({"quantity": 1001}, "quantity"),
    ({"on": "tomorrow"}, "delivered_on"), ({"service": "KEM"}, "service"),
])
def test_invalid_deliveries_are_refused_on_their_field(food, changes, field):
    desk, case_file, meals = food
    values = {"on": local_today(), "quantity": 1, "service": meals}
    values.update(changes)
    if values["on"] == "tomorrow":
        values["on"] = local_today() + timedelta(days=1)
    if values["service"] == "KEM":
        values["service"] = service_of("KEM", "LEGAL")
    with pytest.raises(service.DeliveryError) as refused:
        service.record_delivery(case_file, values["service"], on=values["on"], quantity=values["quantity"], actor=desk)
    assert refused.value.field == field


def test_no_service_is_recorded_on_a_closed_case_file(food):
    desk, case_file, meals = food
    casefile_service.close_case_file(case_file, "goals_met", actor=desk)
    with pytest.raises(service.DeliveryError):
        service.record_delivery(case_file, meals, on=local_today(), quantity=1, actor=desk)


def test_a_same_day_delivery_of_the_same_service_asks_first(food):
    desk, case_file, meals = food
    service.record_delivery(case_file, meals, on=local_today(), quantity=1, actor=desk, confirm_same_day=False)
    with pytest.raises(service.SameDayDelivery) as asked:
        service.record_delivery(case_file, meals, on=local_today(), quantity=1, actor=desk, confirm_same_day=False)
    assert len(asked.value.existing) == 1
    service.record_delivery(case_file, meals, on=local_today(), quantity=1, actor=desk, confirm_same_day=True)
    assert _month(local_today())[case_file.structure_id].deliveries == 2


def test_the_case_file_timeline_shows_deliveries_without_naming_anyone(food):
    from caseapp.casefiles.models import TimelineEvent

    desk, case_file, meals = food
    service.record_delivery(case_file, meals, on=local_today(), quantity=2, note="private", actor=desk)
    event = db.session.execute(select(TimelineEvent).where(TimelineEvent.kind == "delivery.recorded")).scalar_one()
    assert event.text == "MEALS × 2"
