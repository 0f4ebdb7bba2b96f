"""Price preview of a planned session (issue #4 part 4)."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from evroam.tariffs import TimelineError
from evroam.tariffs.preview import estimate_price

from .sessions import costs, official

D = Decimal
AMS = ZoneInfo("Europe/Amsterdam")


class TestEstimatePrice:
    def test_prices_energy_and_start_fee_when_tariff_9(self) -> None:
        # 0.50 (0.60) + 20 kWh x 0.25 = 5.00 (5.50): 5.50 / 6.10, whatever the power.
        result = estimate_price(
            official("tariff_9_025kwh_start"),
            energy_kwh=D(20),
            power_kw=D(11),
            start=datetime(2024, 6, 3, 8, 0, tzinfo=UTC),
            time_zone="Europe/Amsterdam",
        )
        assert costs(result) == (D("5.50"), D("6.10"))

    def test_derives_duration_from_power_when_time_priced_tariff_14(self) -> None:
        # 11 kWh at 11 kW = 1 h from 16:30 local: 30 min x 1.20 = 0.60 + 30 min x 2.40 = 1.20;
        # 60 min is a whole number of 900 s steps: 1.80.
        result = estimate_price(
            official("tariff_14_step_size"),
            energy_kwh=D(11),
            power_kw=D(11),
            start=datetime(2024, 6, 3, 16, 30, tzinfo=AMS),
            time_zone=AMS,
        )
        assert costs(result)[0] == D("1.80")
        assert result.totals.total_time == D(1)

    def test_adds_parking_when_planned(self) -> None:
        # tariff_10: 0.50 + 10 kWh x 0.25 = 2.50 + parking 20 -> 30 min (step 900 s) x 2.00 = 1.00.
        result = estimate_price(
            official("tariff_10_025kwh_parking_start"),
            energy_kwh=D(10),
            power_kw=D(22),
            start=datetime(2024, 6, 3, 8, 0, tzinfo=UTC),
            time_zone="Europe/Amsterdam",
            parking=timedelta(minutes=20),
        )
        assert costs(result)[0] == D("4.00")

    def test_refuses_when_power_is_zero(self) -> None:
        with pytest.raises(TimelineError, match="positive power"):
            estimate_price(
                official("tariff_8_simple_025kwh"),
                energy_kwh=D(10),
                power_kw=D(0),
                start=datetime(2024, 6, 3, 8, 0, tzinfo=UTC),
                time_zone="UTC",
            )
