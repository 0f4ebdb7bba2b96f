"""The meter of one of our sessions: resets, the engine's timeline, and session periods cut at
tariff-relevant changes and sent once (CONFORMANCE F.183)."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from evroam.modules.cdrs.model import CdrDimensionType
from evroam.modules.sessions.metering import Meter, close_periods, read, timeline_of
from evroam.modules.tariffs.model import Tariff
from evroam.tariffs import SessionState, price_session
from tests.contract.charging_support import TARIFF

T0 = datetime(2026, 3, 2, 8, 30, tzinfo=UTC)  # 09:30 in Amsterdam


def minutes(n: float) -> datetime:
    return T0 + timedelta(minutes=n)


def charged(*registers: int, step: float = 10) -> Meter:
    """A meter starting at 1,000,000 Wh read every `step` minutes."""
    meter = Meter.starting(T0, Decimal(1_000_000))
    for i, register in enumerate(registers, start=1):
        meter = read(meter, minutes(i * step), Decimal(register), current_a=Decimal(16))
    return meter


class TestRead:
    def test_energy_is_what_the_register_gained(self) -> None:
        meter = charged(1_001_500, 1_003_000)
        assert meter.kwh == Decimal("3")
        assert [r.kwh for r in meter.readings] == [0, Decimal("1.5"), Decimal("3")]

    def test_reset_register_counts_from_zero_and_never_goes_back(self) -> None:
        meter = charged(1_001_500, 200, 1_400)
        assert [r.kwh for r in meter.readings] == [
            0,
            Decimal("1.5"),
            Decimal("1.7"),
            Decimal("2.9"),
        ]
        assert meter.resets == 1

    def test_older_reading_changes_nothing_and_same_moment_replaces(self) -> None:
        meter = charged(1_001_000)
        assert read(meter, T0, Decimal(1_002_000)) == meter
        again = read(meter, minutes(10), Decimal(1_001_200))
        assert [r.kwh for r in again.readings] == [0, Decimal("1.2")]
        assert again.readings[-1].current_a == Decimal(16)  # kept from the last reading


class TestTimeline:
    def test_power_read_at_the_end_of_an_interval_and_parking_without_energy(self) -> None:
        meter = Meter.starting(T0, Decimal(0))
        meter = read(meter, minutes(1), Decimal(123), power_w=Decimal(7400))
        meter = read(meter, minutes(2), Decimal(247), power_w=Decimal(7400))
        timeline = timeline_of(meter, reserved_at=None, end=minutes(2))
        assert timeline is not None
        assert [p.power_kw for p in timeline.points[:-1]] == [Decimal("7.4"), Decimal("7.4")]

    def test_intervals_at_average_power_without_a_power_reading(self) -> None:
        timeline = timeline_of(charged(1_001_000, 1_001_000), reserved_at=None, end=minutes(20))
        assert timeline is not None
        states = [(p.state, p.power_kw) for p in timeline.points]
        assert states == [
            (SessionState.CHARGING, Decimal("6.000")),
            (SessionState.PARKING, Decimal(0)),
            (SessionState.END, Decimal(0)),
        ]

    def test_reservation_comes_first_and_a_lengthless_session_is_none(self) -> None:
        timeline = timeline_of(
            charged(1_001_000), reserved_at=T0 - timedelta(hours=1), end=minutes(10)
        )
        assert timeline is not None
        assert timeline.points[0].state is SessionState.RESERVATION
        assert timeline_of(Meter.starting(T0, Decimal(5)), reserved_at=None, end=T0) is None


class TestPeriods:
    def test_cut_where_the_price_changes_and_each_period_once(self) -> None:
        """10:00 local (09:00 UTC) switches the energy price of T1."""
        tariff = Tariff.model_validate(TARIFF)
        meter = charged(*(1_000_000 + 1_000 * i for i in range(1, 5)))  # to 09:10 UTC
        timeline = timeline_of(meter, reserved_at=None, end=meter.last_at)
        assert timeline is not None
        result = price_session(tariff, timeline, "Europe/Amsterdam")
        closed = close_periods(timeline, result, since=T0, final=False, tariff_id="T1")
        assert [p.start_date_time for p in closed.periods] == [T0]
        assert closed.next_start == minutes(30)
        [period] = closed.periods
        volumes = {d.type: d.volume for d in period.dimensions}
        assert volumes[CdrDimensionType.ENERGY] == Decimal(3)
        assert volumes[CdrDimensionType.TIME] == Decimal("0.5")
        again = close_periods(
            timeline, result, since=closed.next_start, final=False, tariff_id="T1"
        )
        assert again.periods == []
        last = close_periods(timeline, result, since=closed.next_start, final=True, tariff_id="T1")
        assert [p.start_date_time for p in last.periods] == [minutes(30)]
        assert last.next_start == minutes(40)
