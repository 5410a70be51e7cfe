"""Monthly counts: distinct people, deliveries by service, per structure, in SQL."""
from __future__ import annotations

from datetime import timedelta

from caseapp.dates import local_today
from caseapp.deliveries import service, stats
from tests.deliveries.conftest import service_of
from tests.factories import case_file_of, make_beneficiary, make_user, structure


def test_people_are_counted_once_per_structure_and_month_and_services_separately(db_session, count_queries):
    market = make_user("caseworker", structures=("KYADA-MARKET", "KYADA-FOOD"))
    clothes, shoes = service_of("KYADA-MARKET", "CLOTHES"), service_of("KYADA-MARKET", "SHOES")
    meals = service_of("KYADA-FOOD", "MEALS")
    today = local_today()
    first = today.replace(day=1)
    last_month = first - timedelta(days=1)
    people = [make_beneficiary("KYADA-MARKET", actor=market) for _ in range(3)]
    for person in people:
        case_file = case_file_of(person, "KYADA-MARKET")
        service.record_delivery(case_file, clothes, on=first, quantity=2, actor=market)
        service.record_delivery(case_file, shoes, on=first, quantity=1, actor=market)
    service.record_delivery(case_file_of(people[0], "KYADA-MARKET"), clothes, on=last_month, quantity=5, actor=market)
    from caseapp.casefiles import service as casefile_service

    food_file = casefile_service.open_case_file(people[0], structure("KYADA-FOOD"), actor=market)
    service.record_delivery(food_file, meals, on=first, quantity=1, actor=market)

    with count_queries() as counted:
        counts = stats.monthly_counts(today.year, today.month)
    assert counted.n == 3
    market_month = counts[structure("KYADA-MARKET").id]
    assert (market_month.people_served, market_month.deliveries) == (3, 6)
    assert market_month.by_service["CLOTHES"].quantity == 6 and market_month.by_service["CLOTHES"].unit == "item"
    assert market_month.by_service["SHOES"].people == 3
    city = stats.city_totals(counts)
    assert city.people_served == 4 and stats.city_people_served(today.year, today.month) == 3
    only_food = stats.monthly_counts(today.year, today.month, structure_ids=[structure("KYADA-FOOD").id])
    assert list(only_food) == [structure("KYADA-FOOD").id]
    assert stats.monthly_counts(last_month.year, last_month.month)[structure("KYADA-MARKET").id].deliveries == 1
