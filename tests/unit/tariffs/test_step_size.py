"""step_size once per session on the total (CONFORMANCE I.244-251; TARIFF-RULES R6, §8, A8)."""

from decimal import Decimal

import pytest

from evroam.modules.tariffs.model import Tariff
from evroam.tariffs import PricingOptions, TimeRounding

from .sessions import charge, costs, park, price, tariff_of, timeline

D = Decimal
ZONE = "Europe/Amsterdam"


def component(kind: str, per_unit: object, step: int, **restrictions: object) -> dict[str, object]:
    element: dict[str, object] = {
        "price_components": [{"type": kind, "price": per_unit, "step_size": step}]
    }
    if restrictions:
        element["restrictions"] = restrictions
    return element


def before_and_after_17(kind: str, early: str, late: str, step: int) -> list[dict[str, object]]:
    return [
        component(kind, early, step, end_time="17:00"),
        component(kind, late, step, start_time="17:00"),
    ]


def time_and_parking_at_6(*, step: int) -> Tariff:
    """One unrestricted element: TIME and PARKING_TIME, both 6.00/h with the same step."""
    return tariff_of(
        {
            "price_components": [
                {"type": "TIME", "price": 6, "step_size": step},
                {"type": "PARKING_TIME", "price": 6, "step_size": step},
            ]
        }
    )


class TestEnergyStep:
    def test_rounds_session_total_with_last_component_when_price_changes_i244_i250(self) -> None:
        # 4.3 kWh before 17:00 at 0.20 + 1.1 kWh after at 0.27, step 500 Wh: total 5.4 -> 5.5,
        # the extra 0.1 kWh at 0.27: 4.3 x 0.20 = 0.86 + 1.2 x 0.27 = 0.324 -> 1.184 (not 1.5
        # kWh after 17:00, and the 4.3 kWh are not rounded to 4.5).
        tariff = tariff_of(*before_and_after_17("ENERGY", "0.20", "0.27", 500))
        line = timeline(
            "2024-06-03T16:00", ZONE, charge(60, "4.3", "4.3"), charge(60, "1.1", "1.1")
        )
        result = price(tariff, line)
        assert costs(result)[0] == D("1.184")
        assert result.totals.total_energy == D("5.4")

    @pytest.mark.parametrize(
        ("step", "expected"), [(1, "0.029"), (25, "0.03125"), (500, "0.125"), (0, "0.0288")]
    )
    def test_rounds_up_115_2_wh_when_step_varies_i251(self, step: int, expected: str) -> None:
        # 115.2 Wh x 0.25/kWh: step 1 -> 116 Wh = 0.029; 25 -> 125 Wh = 0.03125; 500 -> 0.125;
        # step 0 -> no rounding (A8): 0.1152 x 0.25 = 0.0288.
        tariff = tariff_of(component("ENERGY", "0.25", step))
        line = timeline("2024-06-03T10:00", ZONE, charge(1, "0.1152", "6.912"))
        assert costs(price(tariff, line))[0] == D(expected)


class TestTimeStep:
    def test_rounds_total_time_into_last_component_when_price_changes_i245(self) -> None:
        # 6 min at 5.00/h + 22 min at 7.00/h, step 600 s: 28 -> 30 min; 6 min x 5 = 0.50,
        # 24 min x 7 = 2.80 -> 3.30.
        tariff = tariff_of(*before_and_after_17("TIME", "5", "7", 600))
        line = timeline("2024-06-03T16:54", ZONE, charge(28, 5, 10))
        assert costs(price(tariff, line))[0] == D("3.30")

    def test_rounds_only_parking_when_parking_follows_charging_i246(self) -> None:
        # TIME 6.00/h and PARKING 6.00/h, both step 300 s: charge 21 min -> 2.10 (unrounded),
        # park 7 -> 10 min -> 1.00. Total 3.10.
        line = timeline("2024-06-03T10:00", ZONE, charge(21, 5, 14), park(7))
        result = price(time_and_parking_at_6(step=300), line)
        assert result.totals.total_time_cost.excl_vat == D("2.10")
        assert result.totals.total_parking_cost.excl_vat == D("1.00")

    def test_rounds_parking_to_20_min_when_cdr_text_example(self) -> None:
        # CDRs step_size text (TARIFF-RULES §17): charge 21 min, park 16 min, steps 10 min:
        # charging billed 21 min (2.10 at 6.00/h), parking 16 -> 20 min (2.00).
        line = timeline("2024-06-03T10:00", ZONE, charge(21, 5, 14), park(16))
        result = price(time_and_parking_at_6(step=600), line)
        assert result.totals.total_time_cost.excl_vat == D("2.10")
        assert result.totals.total_parking_cost.excl_vat == D("2.00")


class TestTimeRoundingReadings:
    """A6: charge -> park -> charge, TIME and PARKING 6.00/h, step 600 s; 7 + 3 + 7 min."""

    tariff = time_and_parking_at_6(step=600)
    line = timeline("2024-06-03T10:00", ZONE, charge(7, 1, 8), park(3), charge(7, 1, 8))

    def test_rounds_parking_only_when_parking_not_last_by_default(self) -> None:
        # Adopted (2.2.1 rule text): parking 3 -> 10 min = 1.00; charging 14 min = 1.40.
        assert costs(price(self.tariff, self.line))[0] == D("2.40")

    def test_rounds_combined_time_when_combined_reading(self) -> None:
        # 2.2-d2: 17 min -> 20 min total, 3 extra min to the last (TIME) component: 2.00.
        options = PricingOptions(time_rounding=TimeRounding.COMBINED)
        assert costs(price(self.tariff, self.line, options=options))[0] == D("2.00")

    def test_rounds_last_dimension_when_last_dimension_reading(self) -> None:
        # ocpi/ocpi#289 wording: TIME priced last, 14 -> 20 min = 2.00 + parking 3 min = 0.30.
        options = PricingOptions(time_rounding=TimeRounding.LAST_DIMENSION)
        assert costs(price(self.tariff, self.line, options=options))[0] == D("2.30")
