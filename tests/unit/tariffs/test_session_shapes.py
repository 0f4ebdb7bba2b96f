"""Sessions of unusual shape: local windows across midnight, several days, no energy at all
(TARIFF-RULES R3, R5, R7, A15; CONFORMANCE I.234, I.237, I.241)."""

from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from evroam.tariffs import PricingResult
from evroam.tariffs.report import period_dimensions

from .sessions import charge, costs, official, park, price, tariff_of, timeline

D = Decimal
AMS = "Europe/Amsterdam"
NEW_YORK = "America/New_York"


def element(kind: str, per_unit: object, **restrictions: object) -> dict[str, object]:
    built: dict[str, object] = {
        "price_components": [{"type": kind, "price": per_unit, "step_size": 1}]
    }
    if restrictions:
        built["restrictions"] = restrictions
    return built


def local_starts(result: PricingResult, zone: str) -> list[str]:
    return [f"{p.piece.start.astimezone(ZoneInfo(zone)):%a %H:%M}" for p in result.periods]


class TestWindowAcrossMidnight:
    night = tariff_of(element("TIME", 1, start_time="22:00", end_time="06:00"), element("TIME", 3))

    def test_prices_night_on_local_clock_when_zone_behind_utc_i234_i237(self) -> None:
        # New York, Monday 2024-06-03 21:00 EDT (Tuesday 01:00Z) for 10 h, to 07:00 EDT:
        # 21-22 x 3.00 + 22-06 (8 h) x 1.00 + 06-07 x 3.00 = 14.00. In UTC the same hours
        # (01:00-11:00Z) would give 5 x 1 + 5 x 3 = 20.00.
        result = price(self.night, timeline("2024-06-03T21:00", NEW_YORK, charge(600)), NEW_YORK)
        assert costs(result)[0] == D(14)
        assert local_starts(result, NEW_YORK) == ["Mon 21:00", "Mon 22:00", "Tue 06:00"]
        assert result.periods[1].piece.start == datetime(2024, 6, 4, 2, 0, tzinfo=UTC)

    def test_keeps_night_rate_through_local_midnight_when_window_wraps(self) -> None:
        # 23:00-01:00 local lies wholly inside 22:00-06:00: one period, 2 h x 1.00.
        result = price(self.night, timeline("2024-06-03T23:00", NEW_YORK, charge(120)), NEW_YORK)
        assert costs(result)[0] == D(2)
        assert len(result.periods) == 1


class TestMultiDaySession:
    # Weekend parking 2.00/h, weekday daytime parking 1.00/h, charging 3.00/h, energy 0.30/kWh.
    tariff = tariff_of(
        element("PARKING_TIME", 2, day_of_week=["SATURDAY", "SUNDAY"]),
        element("PARKING_TIME", 1, start_time="09:00", end_time="18:00"),
        element("TIME", 3),
        element("ENERGY", "0.30"),
    )

    def test_prices_every_day_on_its_own_rules_when_session_spans_a_weekend_i241(self) -> None:
        # Friday 2024-06-07 20:00: charge 1 h (10 kWh), park until Monday 08:00 (59 h).
        # Friday 21-24 free (not weekend, outside 09-18); Saturday and Sunday 48 h x 2.00 = 96.00;
        # Monday 00-08 free. + 1 h x 3.00 + 10 kWh x 0.30 = 102.00.
        line = timeline("2024-06-07T20:00", AMS, charge(60, 10, 10), park(59 * 60))
        result = price(self.tariff, line)
        assert costs(result)[0] == D(102)
        assert result.totals.total_parking_cost.excl_vat == D(96)
        assert (result.totals.total_time, result.totals.total_parking_time) == (D(60), D(59))
        # Saturday 00:00 and Sunday 00:00 keep the weekend component: one weekend period.
        assert local_starts(result, AMS) == ["Fri 20:00", "Fri 21:00", "Sat 00:00", "Mon 00:00"]


class TestZeroEnergySession:
    def test_charges_start_fee_and_parking_only_when_no_energy_flows_tariff_10(self) -> None:
        # The EV was full: 30 min "charging" at 0 kWh, then 20 min parked. FLAT 0.50 (0.60) is
        # charged once per session (R7); energy 0 (nothing to round); parking 20 -> 30 min
        # (step 900 s) x 2.00 = 1.00 (1.20): 1.50 / 1.80.
        line = timeline("2024-06-03T10:00", AMS, charge(30, 0, 0), park(20))
        result = price(official("tariff_10_025kwh_parking_start"), line)
        assert costs(result) == (D("1.50"), D("1.80"))
        assert result.totals.total_energy == D(0)
        assert result.totals.total_energy_cost.excl_vat == D(0)
        assert ("ENERGY", D(0)) in period_dimensions(result.periods[0])

    def test_costs_min_price_when_no_energy_flows_tariff_12_i254(self) -> None:
        # 0 kWh x 0.25 = 0, raised to min_price 0.50 / 0.55.
        line = timeline("2024-06-03T10:00", AMS, charge(15, 0, 0))
        assert costs(price(official("tariff_12_025kwh_min_price"), line)) == (
            D("0.50"),
            D("0.55"),
        )
