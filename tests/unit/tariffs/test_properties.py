"""Properties of the engine over generated tariffs and timelines (hypothesis)."""

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from evroam.modules.tariffs.model import Tariff, TariffDimensionType
from evroam.tariffs import (
    PricingResult,
    SessionState,
    SessionTimeline,
    TimelinePoint,
    price_session,
)
from evroam.tariffs.lines import Line, excl_vat, incl_vat
from evroam.tariffs.totals import Money, bucket_costs

D = Decimal
ZONE = "Europe/Amsterdam"
START = datetime(2024, 1, 1, tzinfo=UTC)
# Hourly prices that are multiples of 0.36 cost a whole number of 0.0001 per second, and energy
# in 0.01 kWh/min steps: every quantity and amount below is an exact Decimal.
hourly = st.integers(0, 20).map(lambda k: D("0.36") * k)
per_kwh = st.integers(0, 60).map(lambda k: D(k) / 100)
quarter = st.integers(0, 95).map(lambda q: f"{q // 4:02d}:{q % 4 * 15:02d}")


@st.composite
def restrictions(draw: st.DrawFn) -> dict[str, Any]:
    chosen: dict[str, Any] = {}
    if draw(st.booleans()):
        chosen["start_time"], chosen["end_time"] = draw(quarter), draw(quarter)
    if draw(st.booleans()):
        chosen["day_of_week"] = draw(
            st.lists(st.sampled_from(["MONDAY", "SATURDAY", "SUNDAY"]), min_size=1, unique=True)
        )
    for name, values in (("kwh", st.integers(1, 60)), ("power", st.integers(1, 50))):
        if draw(st.booleans()):
            chosen[f"{draw(st.sampled_from(['min', 'max']))}_{name}"] = draw(values)
    if draw(st.booleans()):
        chosen[f"{draw(st.sampled_from(['min', 'max']))}_duration"] = draw(st.integers(1, 300)) * 60
    return chosen


@st.composite
def components(draw: st.DrawFn, kinds: list[str]) -> list[dict[str, Any]]:
    chosen = draw(st.lists(st.sampled_from(kinds), min_size=1, max_size=3, unique=True))
    prices = {"ENERGY": per_kwh, "TIME": hourly, "PARKING_TIME": hourly, "FLAT": per_kwh}
    return [
        {
            "type": kind,
            "price": draw(prices[kind]),
            "vat": draw(st.sampled_from([None, D(0), D(21)])),
            "step_size": draw(st.sampled_from([0, 1, 60, 300, 900])),
        }
        for kind in chosen
    ]


@st.composite
def tariffs(
    draw: st.DrawFn, kinds: tuple[str, ...] = ("ENERGY", "TIME", "PARKING_TIME", "FLAT")
) -> Tariff:
    elements = [
        {"price_components": draw(components(list(kinds))), "restrictions": draw(restrictions())}
        for _ in range(draw(st.integers(1, 4)))
    ]
    data = {
        "country_code": "NL",
        "party_id": "EVR",
        "id": "P",
        "currency": "EUR",
        "elements": [{k: v for k, v in e.items() if v} for e in elements],
        "last_updated": "2024-01-01T00:00:00Z",
    }
    return Tariff.model_validate(data)


Interval = tuple[SessionState, int, Decimal, int]  # state, minutes, kWh per minute, power kW


@st.composite
def intervals(draw: st.DrawFn) -> list[Interval]:
    def one(state: SessionState) -> Interval:
        rate = D(draw(st.integers(0, 60))) / 100 if state is SessionState.CHARGING else D(0)
        return state, draw(st.integers(1, 240)), rate, int(rate * 60)

    states = draw(
        st.lists(
            st.sampled_from([SessionState.CHARGING, SessionState.PARKING]), min_size=1, max_size=5
        )
    )
    return [one(state) for state in states]


def build(offset_minutes: int, parts: list[Interval]) -> SessionTimeline:
    at = START + timedelta(minutes=offset_minutes)
    energy, points = D(0), []
    for state, minutes, rate, power in parts:
        points.append(TimelinePoint(at, energy, state, D(power), D(power * 2)))
        at += timedelta(minutes=minutes)
        energy += rate * minutes
    points.append(TimelinePoint(at, energy, SessionState.END))
    return SessionTimeline(points[0].at, at, tuple(points))


offsets = st.integers(0, 366 * 24 * 60)


def summary(result: PricingResult) -> tuple[Any, ...]:
    periods = [
        (p.piece.start, p.piece.end, p.piece.energy_start, p.piece.energy_end, p.signature)
        for p in result.periods
    ]
    return result.totals, periods


class TestProperties:
    @settings(max_examples=150, deadline=None)
    @given(tariffs(), offsets, intervals(), st.data())
    def test_price_unchanged_when_timeline_split_at_extra_point(
        self, tariff: Tariff, offset: int, parts: list[Interval], data: st.DataObject
    ) -> None:
        index = data.draw(st.integers(0, len(parts) - 1))
        state, minutes, rate, power = parts[index]
        if minutes < 2:
            return
        cut = data.draw(st.integers(1, minutes - 1))
        split = [
            *parts[:index],
            (state, cut, rate, power),
            (state, minutes - cut, rate, power),
            *parts[index + 1 :],
        ]
        whole = price_session(tariff, build(offset, parts), ZONE)
        pieces = price_session(tariff, build(offset, split), ZONE)
        assert summary(pieces) == summary(whole)

    @settings(max_examples=150, deadline=None)
    @given(tariffs(), offsets, intervals())
    def test_totals_equal_sum_over_periods_when_before_step_size(
        self, tariff: Tariff, offset: int, parts: list[Interval]
    ) -> None:
        result = price_session(tariff, build(offset, parts), ZONE)
        totals = result.totals
        assert totals.total_energy == sum((p.piece.energy_kwh for p in result.periods), D(0))
        assert sum((p.piece.seconds for p in result.periods), D(0)) / 3600 == totals.total_time
        unstepped = [line for line in result.lines if line.step_note is None]
        by_line = sum((_amount(line) for line in unstepped), D(0))
        assert sum((m.excl_vat for m in bucket_costs(unstepped).values()), D(0)) == by_line

    @settings(max_examples=100, deadline=None)
    @given(
        tariffs(kinds=("ENERGY",)), offsets, intervals(), st.integers(1, 120), st.integers(1, 60)
    )
    def test_cost_never_falls_when_energy_added_to_energy_only_tariff(
        self, tariff: Tariff, offset: int, parts: list[Interval], minutes: int, rate: int
    ) -> None:
        # Step 1 on whole 10 Wh never rounds, so only the added energy can change the price.
        tariff = _with_step_one(tariff)
        more = [*parts, (SessionState.CHARGING, minutes, D(rate) / 100, rate * 60 // 100)]
        before = price_session(tariff, build(offset, parts), ZONE).totals.total_cost
        after = price_session(tariff, build(offset, more), ZONE).totals.total_cost
        assert after.excl_vat >= before.excl_vat
        assert after.incl_vat >= before.incl_vat

    @settings(max_examples=100, deadline=None)
    @given(tariffs(), offsets, intervals())
    def test_no_float_appears_when_result_is_walked(
        self, tariff: Tariff, offset: int, parts: list[Interval]
    ) -> None:
        result = price_session(tariff, build(offset, parts), ZONE)
        assert not _floats([result.totals, result.explanation, [p.piece for p in result.periods]])


def _amount(line: Line) -> Decimal:
    # price per kWh x kWh, per hour x seconds / 3600, or the FLAT amount: exact here.
    per_second = line.dimension in (TariffDimensionType.TIME, TariffDimensionType.PARKING_TIME)
    return line.active.component.price * line.quantity / (3600 if per_second else 1)


def _with_step_one(tariff: Tariff) -> Tariff:
    data = json.loads(tariff.model_dump_json())
    for element in data["elements"]:
        for component in element["price_components"]:
            component["step_size"] = 1
    return Tariff.model_validate(json.loads(json.dumps(data), parse_float=Decimal))


def _floats(value: object) -> list[object]:
    if isinstance(value, float):
        return [value]
    if isinstance(value, dict):
        return [f for v in value.values() for f in _floats(v)]
    if isinstance(value, list | tuple):
        return [f for v in value for f in _floats(v)]
    if hasattr(value, "__dataclass_fields__"):
        return [f for name in value.__dataclass_fields__ for f in _floats(getattr(value, name))]
    return []


@st.composite
def bounds(draw: st.DrawFn) -> dict[str, Any]:
    """min_price and/or max_price, each with or without incl_vat, in whole cents."""
    chosen: dict[str, Any] = {}
    cents = st.integers(0, 3000).map(lambda c: D(c) / 100)
    for name in ("min_price", "max_price"):
        if draw(st.booleans()):
            bound = {"excl_vat": draw(cents)}
            if draw(st.booleans()):
                bound["incl_vat"] = draw(cents)
            chosen[name] = bound
    return chosen


def _with_steps(tariff: Tariff, step: int) -> Tariff:
    data = json.loads(tariff.model_dump_json())
    for element in data["elements"]:
        for component in element["price_components"]:
            component["step_size"] = step
    return Tariff.model_validate(json.loads(json.dumps(data), parse_float=Decimal))


MONEY = (
    "total_fixed_cost",
    "total_energy_cost",
    "total_time_cost",
    "total_parking_cost",
    "total_reservation_cost",
)


class TestTotalsProperties:
    @settings(max_examples=150, deadline=None)
    @given(tariffs(), offsets, intervals())
    def test_sub_totals_equal_sum_of_priced_lines_when_step_size_included(
        self, tariff: Tariff, offset: int, parts: list[Interval]
    ) -> None:
        # Every line (step round-ups included) belongs to one period; per bucket, the lines'
        # money adds up to the sub-total, and the sub-totals to total_cost (no min/max here).
        result = price_session(tariff, build(offset, parts), ZONE)
        totals = result.totals
        assert all(0 <= line.period_index < len(result.periods) for line in result.lines)
        for name in MONEY:
            lines = [line for line in result.lines if line.bucket.value == name]
            excl = sum((excl_vat(line.active, line.quantity) for line in lines), D(0))
            incl = sum(
                (incl_vat(line.active, excl_vat(line.active, line.quantity)) for line in lines),
                D(0),
            )
            assert getattr(totals, name) == Money(excl, incl)
        summed = sum((getattr(totals, name) for name in MONEY), Money(D(0), D(0)))
        assert totals.total_cost == summed

    @settings(max_examples=150, deadline=None)
    @given(tariffs(), offsets, intervals())
    def test_never_below_unrounded_when_step_size_applies(
        self, tariff: Tariff, offset: int, parts: list[Interval]
    ) -> None:
        # step_size only adds quantity at non-negative prices (R6): every total is at least
        # the one of the same tariff with step_size 0 (no rounding, A8).
        line = build(offset, parts)
        stepped = price_session(tariff, line, ZONE).totals
        exact = price_session(_with_steps(tariff, 0), line, ZONE).totals
        for name in (*MONEY, "total_cost"):
            assert getattr(stepped, name).excl_vat >= getattr(exact, name).excl_vat
            assert getattr(stepped, name).incl_vat >= getattr(exact, name).incl_vat

    @settings(max_examples=150, deadline=None)
    @given(tariffs(), bounds(), offsets, intervals())
    def test_total_is_clamped_excl_and_incl_independently_when_min_or_max_price_i257(
        self, tariff: Tariff, limits: dict[str, Any], offset: int, parts: list[Interval]
    ) -> None:
        # R9: excl = min(max(sum, min.excl), max.excl), incl likewise with the incl bounds, a
        # bound without incl_vat leaves incl alone (A10); sub-totals never clamped (A9).
        line = build(offset, parts)
        bounded = Tariff.model_validate(tariff.model_dump() | limits)
        free = price_session(tariff, line, ZONE).totals
        clamped = price_session(bounded, line, ZONE).totals
        excl, incl = free.total_cost.excl_vat, free.total_cost.incl_vat
        low, high = limits.get("min_price", {}), limits.get("max_price", {})
        excl = max(excl, low.get("excl_vat", excl))
        excl = min(excl, high.get("excl_vat", excl))
        incl = max(incl, low.get("incl_vat", incl))
        incl = min(incl, high.get("incl_vat", incl))
        assert clamped.total_cost == Money(excl, incl)
        for name in MONEY:
            assert getattr(clamped, name) == getattr(free, name)


class TestMonotonicity:
    @settings(max_examples=100, deadline=None)
    @given(
        tariffs(),
        offsets,
        intervals(),
        st.sampled_from([SessionState.CHARGING, SessionState.PARKING]),
        st.integers(1, 240),
        st.integers(0, 60),
    )
    def test_cost_never_falls_when_session_grows_and_prices_non_negative(
        self,
        tariff: Tariff,
        offset: int,
        parts: list[Interval],
        state: SessionState,
        minutes: int,
        rate: int,
    ) -> None:
        # Appending charging (time and energy) or parking never lowers any total: the earlier
        # instants see the same restrictions. Without step_size (0, A8): rounding is not
        # monotonic, e.g. TIME rounded up to a whole second stops being rounded once parking
        # is priced (R6 "only parking is rounded"), and a later component's smaller step can
        # undo an earlier round-up; step_size is covered by the unrounded-bound test above.
        tariff = _with_steps(tariff, 0)
        kwh = D(rate) / 100 if state is SessionState.CHARGING else D(0)
        more = [*parts, (state, minutes, kwh, int(kwh * 60))]
        before = price_session(tariff, build(offset, parts), ZONE).totals
        after = price_session(tariff, build(offset, more), ZONE).totals
        for name in (*MONEY, "total_cost"):
            assert getattr(after, name).excl_vat >= getattr(before, name).excl_vat
            assert getattr(after, name).incl_vat >= getattr(before, name).incl_vat
