"""The adopted reading of each ambiguity (TARIFF-RULES §15), and the engine options for the
readings other partner populations use. DST and midnight cases (CONFORMANCE I.237, A15)."""

from datetime import UTC, datetime
from decimal import Decimal

from evroam.tariffs import DayOfWeekReading, FlatCharging, PricingOptions, tariff_valid_at

from .sessions import charge, costs, official, park, price, tariff_of, timeline

D = Decimal
AMS = "Europe/Amsterdam"


def time_element(per_hour: object, **restrictions: object) -> dict[str, object]:
    element: dict[str, object] = {
        "price_components": [{"type": "TIME", "price": per_hour, "step_size": 1}]
    }
    if restrictions:
        element["restrictions"] = restrictions
    return element


def flat_element(amount: object, **restrictions: object) -> dict[str, object]:
    element: dict[str, object] = {
        "price_components": [{"type": "FLAT", "price": amount, "step_size": 1}]
    }
    if restrictions:
        element["restrictions"] = restrictions
    return element


class TestA1TariffValidity:
    def test_notes_tariff_not_valid_when_session_after_end_date_time_i269(self) -> None:
        # tariff_6 ends 2019-06-30T23:59:59Z; the engine still prices (the caller chose the
        # tariff, R1) but says so in the explanation.
        tariff = official("tariff_6_025kwh_start_max_price")
        assert not tariff_valid_at(tariff, datetime(2024, 1, 1, tzinfo=UTC))
        assert tariff_valid_at(tariff, datetime(2019, 6, 30, 23, 59, tzinfo=UTC))
        result = price(tariff, timeline("2024-06-03T10:00", AMS, charge(60, 1, 1)))
        assert any("not valid" in line.reason for line in result.explanation)


class TestA3DayOfWeekWithWrappingWindow:
    """FRIDAY 20:00-06:00 at 1.00/h, else 3.00/h; charging Friday 23:00 -> Saturday 03:00."""

    tariff = tariff_of(
        time_element(1, start_time="20:00", end_time="06:00", day_of_week=["FRIDAY"]),
        time_element(3),
    )
    line = timeline("2024-06-07T23:00", AMS, charge(240))

    def test_tests_instant_weekday_when_default_reading(self) -> None:
        # (a) literal AND: Friday 23-24 = 1.00; Saturday 00-03 fails FRIDAY: 3 h x 3 = 9.00.
        assert costs(price(self.tariff, self.line))[0] == D(10)

    def test_keeps_night_with_its_evening_when_window_start_reading(self) -> None:
        # (b): Saturday 00-03 belongs to Friday's window: 4 h x 1.00.
        options = PricingOptions(day_of_week=DayOfWeekReading.WINDOW_START)
        assert costs(price(self.tariff, self.line, options=options))[0] == D(4)


class TestA7FlatMultiplicity:
    """Start fee 1.00; overstay fee 5.00 from session age 60 min; 3 x 30 min charging."""

    tariff = tariff_of(flat_element(5, min_duration=3600), flat_element(1))
    line = timeline("2024-06-03T10:00", AMS, charge(30, 5, 10), charge(30, 10, 20), charge(30))

    def test_charges_first_flat_once_when_default_reading(self) -> None:
        assert costs(price(self.tariff, self.line))[0] == D(1)

    def test_charges_each_distinct_flat_when_each_component_reading(self) -> None:
        # 1.00 (from the start) + 5.00 (from 60 min) = 6.00.
        options = PricingOptions(flat=FlatCharging.EACH_COMPONENT)
        assert costs(price(self.tariff, self.line, options=options))[0] == D(6)

    def test_charges_flat_per_period_when_per_period_reading(self) -> None:
        # Periods 0-30 (1.00), 30-60 at another power (1.00), 60-90 (5.00) = 7.00.
        options = PricingOptions(flat=FlatCharging.PER_PERIOD)
        assert costs(price(self.tariff, self.line, options=options))[0] == D(7)

    def test_charges_flat_that_becomes_active_later_when_session_reaches_it(self) -> None:
        # Only the overstay fee: 90 min session -> 5.00; 30 min session -> nothing.
        tariff = tariff_of(flat_element(5, min_duration=3600))
        assert costs(price(tariff, self.line))[0] == D(5)
        assert costs(price(tariff, timeline("2024-06-03T10:00", AMS, charge(30))))[0] == D(0)


class TestA10IndependentClamping:
    def test_leaves_incl_alone_when_bound_has_no_incl_vat(self) -> None:
        # 20 kWh x 0.25 = 5.00 / 5.50; max_price excl 1.00 only -> 1.00 / 5.50.
        tariff = tariff_of(
            {"price_components": [{"type": "ENERGY", "price": "0.25", "vat": 10, "step_size": 1}]},
            max_price={"excl_vat": 1},
        )
        result = price(tariff, timeline("2024-06-03T10:00", AMS, charge(60, 20, 20)))
        assert costs(result) == (D(1), D("5.50"))

    def test_clamps_excl_and_incl_separately_when_vat_rates_mix_i257(self) -> None:
        # FLAT 2.00 @0 % + ENERGY 10 kWh x 0.30 = 3.00 @21 % -> 5.00 / 5.63; min_price
        # 5.10 / 5.60: excl raised to 5.10, incl 5.63 stays.
        tariff = tariff_of(
            {
                "price_components": [
                    {"type": "FLAT", "price": 2, "vat": 0, "step_size": 1},
                    {"type": "ENERGY", "price": "0.30", "vat": 21, "step_size": 1},
                ]
            },
            min_price={"excl_vat": "5.10", "incl_vat": "5.60"},
        )
        result = price(tariff, timeline("2024-06-03T10:00", AMS, charge(60, 10, 10)))
        assert costs(result) == (D("5.10"), D("5.63"))


class TestA13FlatClassification:
    def test_counts_flat_as_fixed_cost_when_element_also_prices_parking(self) -> None:
        # FLAT 1.00 next to PARKING_TIME 2.00/h: FLAT -> total_fixed_cost, 1 h parking -> 2.00.
        tariff = tariff_of(
            {
                "price_components": [
                    {"type": "FLAT", "price": 1, "step_size": 1},
                    {"type": "PARKING_TIME", "price": 2, "step_size": 1},
                ]
            }
        )
        result = price(tariff, timeline("2024-06-03T10:00", AMS, charge(30, 5, 10), park(60)))
        assert result.totals.total_fixed_cost.excl_vat == D(1)
        assert result.totals.total_parking_cost.excl_vat == D(2)


class TestA15DaylightSaving:
    night = tariff_of(
        time_element("0.10", start_time="23:00", end_time="06:00"), time_element("0.30")
    )

    def test_prices_repeated_hour_at_night_rate_when_autumn_transition_i237(self) -> None:
        # 2024-10-26 23:00 CEST (21:00Z) + 9 real hours = 06:00Z = 07:00 CET. The night window
        # 23:00-06:00 local lasts 8 real hours (02:00-03:00 happens twice): 8 x 0.10 + 1 x 0.30.
        line = timeline("2024-10-26T23:00", AMS, charge(9 * 60))
        assert costs(price(self.night, line))[0] == D("1.10")

    def test_prices_short_night_when_spring_transition_i237(self) -> None:
        # 2024-03-30 23:00 CET (22:00Z) + 7 real hours = 05:00Z = 07:00 CEST. Night until 06:00
        # CEST = 04:00Z: 6 real hours x 0.10 + 1 h x 0.30 = 0.90.
        line = timeline("2024-03-30T23:00", AMS, charge(7 * 60))
        assert costs(price(self.night, line))[0] == D("0.90")

    def test_crosses_skipped_boundary_at_the_jump_when_spring_transition(self) -> None:
        # Until 02:30 at 1.00/h, then 2.00/h. 2024-03-31 00:00 CET (23:00Z) + 3 h = 02:00Z.
        # 02:30 never happens: the element ends at the jump, 01:00Z. 2 h x 1 + 1 h x 2 = 4.00.
        tariff = tariff_of(time_element(1, end_time="02:30"), time_element(2))
        line = timeline("2024-03-31T00:00", AMS, charge(180))
        assert costs(price(tariff, line))[0] == D(4)

    def test_applies_repeated_window_twice_when_autumn_transition(self) -> None:
        # 02:30-03:00 at 6.00/h happens 00:30-01:00Z (CEST) and 01:30-02:00Z (CET): 1 h = 6.00.
        tariff = tariff_of(time_element(6, start_time="02:30", end_time="03:00"))
        line = timeline("2024-10-27T00:00", AMS, charge(5 * 60))
        assert costs(price(tariff, line))[0] == D(6)
