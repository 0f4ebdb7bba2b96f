"""Restrictions and per-dimension choice (CONFORMANCE I.227-241, I.267; TARIFF-RULES R2-R5)."""

from decimal import Decimal

import pytest

from evroam.tariffs import TimelineError

from .sessions import charge, costs, park, price, reserve, tariff_of, timeline

D = Decimal
AMS = "Europe/Amsterdam"


def time_price(price_per_hour: object, step: int = 1, **restrictions: object) -> dict[str, object]:
    element: dict[str, object] = {
        "price_components": [{"type": "TIME", "price": price_per_hour, "step_size": step}]
    }
    if restrictions:
        element["restrictions"] = restrictions
    return element


def energy_price(per_kwh: object, **restrictions: object) -> dict[str, object]:
    element: dict[str, object] = {
        "price_components": [{"type": "ENERGY", "price": per_kwh, "step_size": 1}]
    }
    if restrictions:
        element["restrictions"] = restrictions
    return element


class TestComponentChoice:
    def test_takes_each_dimension_from_its_first_matching_element_when_elements_mix_i227_i228(
        self,
    ) -> None:
        # Element 0 has only ENERGY (restricted to >= 20 kW); element 1 has TIME and ENERGY.
        # 1 h at 22 kW, 22 kWh: ENERGY from element 0 (0.30 x 22 = 6.60), TIME from element 1
        # (1 h x 1.00 = 1.00); element 1's ENERGY 0.10 is not used.
        tariff = tariff_of(
            energy_price("0.30", min_power=20),
            {
                "price_components": [
                    {"type": "TIME", "price": 1, "step_size": 1},
                    {"type": "ENERGY", "price": "0.10", "step_size": 1},
                ]
            },
        )
        result = price(tariff, timeline("2024-06-03T10:00", AMS, charge(60, 22, 22)))
        assert result.totals.total_energy_cost.excl_vat == D("6.60")
        assert result.totals.total_time_cost.excl_vat == D("1.00")

    def test_falls_back_to_unrestricted_element_when_restricted_one_fails_i229(self) -> None:
        # 1 h outside 00:00-06:00: fallback 3.00/h.
        tariff = tariff_of(time_price(1, start_time="00:00", end_time="06:00"), time_price(3))
        assert costs(price(tariff, timeline("2024-06-03T10:00", AMS, charge(60))))[0] == D(3)

    def test_costs_nothing_when_no_element_of_the_dimension_matches_i230(self) -> None:
        tariff = tariff_of(time_price(1, start_time="00:00", end_time="06:00"))
        assert costs(price(tariff, timeline("2024-06-03T10:00", AMS, charge(60)))) == (D(0), D(0))

    def test_requires_every_restriction_when_several_are_set_i232(self) -> None:
        # 09:00-18:00 AND min_power 11: 30 min at 7 kW fails, 30 min at 11 kW holds -> 0.5 h x 2.
        tariff = tariff_of(time_price(2, start_time="09:00", end_time="18:00", min_power=11))
        line = timeline("2024-06-03T10:00", AMS, charge(30, "3.5", 7), charge(30, "5.5", 11))
        assert costs(price(tariff, line))[0] == D(1)

    def test_uses_first_component_when_element_lists_a_dimension_twice(self) -> None:
        tariff = tariff_of(
            {
                "price_components": [
                    {"type": "TIME", "price": 1, "step_size": 1},
                    {"type": "TIME", "price": 9, "step_size": 1},
                ]
            }
        )
        assert costs(price(tariff, timeline("2024-06-03T10:00", AMS, charge(60))))[0] == D(1)


class TestTimeWindow:
    @pytest.mark.parametrize(
        ("local_start", "inside_seconds"),
        [
            ("2024-06-03T08:59:59", 1),  # 08:59:59-09:00:00 outside, 09:00:00-09:00:01 inside
            ("2024-06-03T17:59:59", 1),  # 17:59:59 inside, 18:00:00 outside (end exclusive)
        ],
    )
    def test_is_start_inclusive_end_exclusive_when_window_09_18_i233(
        self, local_start: str, inside_seconds: int
    ) -> None:
        # 2 s of charging at 3600.00/h: each second inside costs 1.00.
        tariff = tariff_of(time_price(3600, start_time="09:00", end_time="18:00"))
        line = timeline(local_start, AMS, charge(D(2) / 60))
        assert costs(price(tariff, line))[0] == D(inside_seconds)

    @pytest.mark.parametrize(
        ("local_start", "expected"), [("23:00", 1), ("05:00", 1), ("12:00", 0)]
    )
    def test_wraps_past_midnight_when_end_before_start_i234(
        self, local_start: str, expected: int
    ) -> None:
        # 22:00-06:00 at 1.00/h, 1 h sessions starting 23:00, 05:00 (inside), 12:00 (outside).
        tariff = tariff_of(time_price(1, start_time="22:00", end_time="06:00"))
        line = timeline(f"2024-06-03T{local_start}", AMS, charge(60))
        assert costs(price(tariff, line))[0] == D(expected)

    def test_lasts_until_midnight_when_end_time_is_00_00_i235(self) -> None:
        # 18:00-00:00 at 1.00/h; session 23:00-01:00: only 23:00-24:00 priced.
        tariff = tariff_of(time_price(1, start_time="18:00", end_time="00:00"))
        assert costs(price(tariff, timeline("2024-06-03T23:00", AMS, charge(120))))[0] == D(1)

    def test_lasts_until_midnight_when_only_start_time(self) -> None:
        # A2: only start_time 18:00 -> until midnight; 23:00-01:00 -> 1 h priced.
        tariff = tariff_of(time_price(1, start_time="18:00"))
        assert costs(price(tariff, timeline("2024-06-03T23:00", AMS, charge(120))))[0] == D(1)

    def test_starts_at_midnight_when_only_end_time(self) -> None:
        # A2: only end_time 01:00 -> from midnight; 23:00-02:00 -> 00:00-01:00 priced.
        tariff = tariff_of(time_price(1, end_time="01:00"))
        assert costs(price(tariff, timeline("2024-06-03T23:00", AMS, charge(180))))[0] == D(1)

    def test_never_matches_when_start_equals_end(self) -> None:
        # A2 adopted: start_time == end_time is undefined, treated as never active.
        tariff = tariff_of(time_price(1, start_time="10:00", end_time="10:00"), time_price(5))
        assert costs(price(tariff, timeline("2024-06-03T09:00", AMS, charge(180))))[0] == D(15)


class TestDates:
    def test_is_start_inclusive_end_exclusive_when_dates_set_i236(self) -> None:
        # 2024-06-04 <= d < 2024-06-05 at 1.00/h, session 2024-06-03 22:00 to 06-05 02:00 (28 h):
        # only the 24 h of 2024-06-04 are priced.
        tariff = tariff_of(time_price(1, start_date="2024-06-04", end_date="2024-06-05"))
        assert costs(price(tariff, timeline("2024-06-03T22:00", AMS, charge(28 * 60))))[0] == D(24)


class TestDayOfWeek:
    def test_switches_at_local_midnight_when_session_crosses_it_i241(self) -> None:
        # Friday 2024-06-07 23:00 -> Saturday 01:00. FRIDAY 1.00/h, else 3.00/h: 1 + 3 = 4.00.
        tariff = tariff_of(time_price(1, day_of_week=["FRIDAY"]), time_price(3))
        result = price(tariff, timeline("2024-06-07T23:00", AMS, charge(120)))
        assert costs(result)[0] == D(4)
        assert len(result.periods) == 2

    def test_uses_local_weekday_not_utc_when_zone_is_ahead(self) -> None:
        # Saturday 00:30 in Amsterdam is Friday 22:30 UTC: SATURDAY element 2.00/h applies.
        tariff = tariff_of(time_price(2, day_of_week=["SATURDAY"]))
        assert costs(price(tariff, timeline("2024-06-08T00:30", AMS, charge(30))))[0] == D(1)


class TestEnergyThresholds:
    def test_prices_energy_in_tiers_when_kwh_bounds_set_i238(self) -> None:
        # 0-10 kWh 0.20, 10-30 kWh 0.30, then 0.40; 35 kWh at constant power:
        # 10 x 0.20 + 20 x 0.30 + 5 x 0.40 = 2 + 6 + 2 = 10.00. Cuts are interpolated.
        tariff = tariff_of(
            energy_price("0.20", max_kwh=10),
            energy_price("0.30", min_kwh=10, max_kwh=30),
            energy_price("0.40"),
        )
        result = price(tariff, timeline("2024-06-03T10:00", AMS, charge(70, 35, 30)))
        assert costs(result)[0] == D(10)
        assert [p.piece.energy_kwh for p in result.periods] == [D(10), D(20), D(5)]
        assert [p.piece.seconds for p in result.periods] == [D(1200), D(2400), D(600)]


class TestPowerAndCurrent:
    def test_matches_min_inclusive_max_exclusive_when_power_equals_bound_i239(self) -> None:
        # At exactly 11 kW: min_power 11 holds, max_power 11 does not.
        tariff = tariff_of(energy_price(1, max_power=11), energy_price(2, min_power=11))
        assert costs(price(tariff, timeline("2024-06-03T10:00", AMS, charge(60, 11, 11))))[0] == D(
            22
        )

    def test_evaluates_current_per_period_when_it_changes_i239(self) -> None:
        # TIME 1.00/h below 16 A, 2.00/h from 16 A: 30 min at 10 A + 30 min at 32 A = 0.5 + 1.
        tariff = tariff_of(time_price(1, max_current=16), time_price(2, min_current=16))
        line = timeline("2024-06-03T10:00", AMS, charge(30, 1, 2, 10), charge(30, 3, 6, 32))
        assert costs(price(tariff, line))[0] == D("1.5")

    def test_refuses_when_current_restricted_and_current_unknown(self) -> None:
        # A18: the CPO must measure what the tariff restricts.
        tariff = tariff_of(time_price(1, max_current=16))
        with pytest.raises(TimelineError, match="current_a"):
            price(tariff, timeline("2024-06-03T10:00", AMS, charge(30, 1, 2)))

    def test_parking_matches_max_power_not_min_power_when_power_is_zero(self) -> None:
        # A17 literal: parked at 0 kW -> max_power 50 holds (2.00/h), min_power 1 does not.
        tariff = tariff_of(
            {
                "price_components": [{"type": "PARKING_TIME", "price": 9, "step_size": 1}],
                "restrictions": {"min_power": 1},
            },
            {
                "price_components": [{"type": "PARKING_TIME", "price": 2, "step_size": 1}],
                "restrictions": {"max_power": 50},
            },
        )
        assert costs(price(tariff, timeline("2024-06-03T10:00", AMS, park(60))))[0] == D(2)


class TestDuration:
    def test_counts_session_age_not_parking_age_when_min_duration_i240(self) -> None:
        # A19: parking 2.00/h from session age 60 min. Charge 45 min, park 45 min: parking
        # priced from age 60 to 90 = 30 min -> 1.00 (not 45 min from parking start).
        tariff = tariff_of(
            {
                "price_components": [{"type": "PARKING_TIME", "price": 2, "step_size": 1}],
                "restrictions": {"min_duration": 3600},
            }
        )
        line = timeline("2024-06-03T10:00", AMS, charge(45, 5, "6.67"), park(45))
        assert costs(price(tariff, line))[0] == D(1)

    def test_starts_age_at_charging_not_reservation_when_reserved_first(self) -> None:
        # max_duration 1800 s on 1.00/h TIME, 3.00/h after; 20 min reservation (unpriced) then
        # 60 min charging: 30 min x 1 + 30 min x 3 = 2.00.
        tariff = tariff_of(time_price(1, max_duration=1800), time_price(3))
        line = timeline("2024-06-03T10:00", AMS, reserve(20), charge(60))
        assert costs(price(tariff, line))[0] == D(2)


class TestParkingDefinition:
    def test_bills_time_not_parking_when_charging_at_zero_kw_i267(self) -> None:
        # Erratum/A12: CHARGING at 0 kW (EVSE withholds power) is TIME: 1 h x 1.00; parking 5.00/h
        # is not used.
        tariff = tariff_of(
            {
                "price_components": [
                    {"type": "TIME", "price": 1, "step_size": 1},
                    {"type": "PARKING_TIME", "price": 5, "step_size": 1},
                ]
            }
        )
        result = price(tariff, timeline("2024-06-03T10:00", AMS, charge(60, 0, 0)))
        assert costs(result)[0] == D(1)
        assert result.totals.total_parking_time == D(0)


class TestVat:
    def test_applies_each_components_vat_when_rates_differ_i268(self) -> None:
        # FLAT 1.00 at 21 % -> 1.21; ENERGY 10 kWh x 0.30 = 3.00 at 9 % -> 3.27; TIME 1 h x 2.00
        # with no vat -> 2.00 incl; total 6.00 / 6.48.
        tariff = tariff_of(
            {
                "price_components": [
                    {"type": "FLAT", "price": 1, "vat": 21, "step_size": 1},
                    {"type": "ENERGY", "price": "0.30", "vat": 9, "step_size": 1},
                    {"type": "TIME", "price": 2, "step_size": 1},
                ]
            }
        )
        result = price(tariff, timeline("2024-06-03T10:00", AMS, charge(60, 10, 10)))
        assert costs(result) == (D(6), D("6.48"))
