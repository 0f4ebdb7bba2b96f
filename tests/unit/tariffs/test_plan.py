"""The prepared-tariff cache (plan.py): reused for one tariff, renewed when it changes, bounded."""

from datetime import UTC, datetime
from decimal import Decimal

from evroam.modules.tariffs.model import Tariff
from evroam.tariffs import PricingOptions
from evroam.tariffs.plan import MOST_PLANS, _plans, plan_of

from .sessions import charge, costs, price, tariff_of, timeline

D = Decimal
AMS = "Europe/Amsterdam"


def hourly(per_hour: str) -> Tariff:
    return tariff_of({"price_components": [{"type": "TIME", "price": per_hour, "step_size": 1}]})


class TestTariffPlan:
    def test_plan_reused_when_same_tariff_and_options(self) -> None:
        tariff = hourly("2")
        assert plan_of(tariff, PricingOptions()) is plan_of(tariff, PricingOptions())

    def test_price_follows_tariff_when_replaced_under_same_object(self) -> None:
        tariff, session = hourly("2"), timeline("2024-06-03T10:00", AMS, charge(60, 10, 10))
        assert costs(price(tariff, session)) == (D(2), D(2))
        newer = hourly("3")
        tariff.elements = newer.elements
        tariff.last_updated = datetime(2024, 2, 1, tzinfo=UTC)
        assert costs(price(tariff, session)) == (D(3), D(3))

    def test_cache_stays_bounded_when_many_tariffs_priced(self) -> None:
        session = timeline("2024-06-03T10:00", AMS, charge(30, 5, 10))
        for cents in range(MOST_PLANS + 10):
            price(hourly(str(D(cents) / 100)), session)
        assert len(_plans) <= MOST_PLANS
