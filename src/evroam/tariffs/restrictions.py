"""TariffRestrictions evaluated at one instant, each on its own quantity (TARIFF-RULES R3, §6).

Every check returns whether it holds and a short text saying why, for the explanation.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import cache, partial
from operator import attrgetter

from evroam.modules.tariffs.model import DayOfWeek, ReservationRestrictionType, TariffRestrictions
from evroam.tariffs.clock import parse_minutes
from evroam.tariffs.options import DayOfWeekReading, PricingOptions

END_OF_DAY = 24 * 60
MICROSECONDS_PER_MINUTE = Decimal(60_000_000)
WEEKDAYS = tuple(DayOfWeek)
NO_RESTRICTIONS = TariffRestrictions()


@dataclass  # not frozen: built per period, and frozen init costs 4x (bench/tariff_engine.py)
class Moment:
    """The quantities restrictions test, as they are at one instant of the session."""

    local: datetime
    minute: Decimal  # local wall-clock time in minutes after midnight (minute_of_day)
    energy_kwh: Decimal
    power_kw: Decimal
    current_a: Decimal | None
    age_seconds: Decimal
    reservation: bool
    reservation_expired: bool


Check = tuple[bool, str]


Test = Callable[[Moment], bool]


def predicate(restrictions: TariffRestrictions | None, options: PricingOptions) -> Test:
    """Whether every restriction present holds, as `evaluate` says but without its texts:
    built once per session with only the tests this element needs, as it runs per period."""
    r = restrictions
    if r is None:
        return _not_reservation
    tests: list[Test] = [partial(_reservation_holds, r)]
    if r.start_time is not None or r.end_time is not None:
        tests.append(partial(_window_holds, r))
    if r.start_date is not None or r.end_date is not None:
        tests.append(partial(_dates_hold, r))
    if r.day_of_week:
        tests.append(partial(_weekday_holds, r, options=options))
    for _, quantity, _unit, low, high in _bounds_present(r):
        tests.append(partial(_quantity_within, quantity, low, high))
    return tests[0] if len(tests) == 1 else partial(_all_hold, tuple(tests))


def _not_reservation(m: Moment) -> bool:
    return not m.reservation


def _all_hold(tests: tuple[Test, ...], m: Moment) -> bool:
    return all(test(m) for test in tests)


def evaluate(
    restrictions: TariffRestrictions | None, moment: Moment, options: PricingOptions
) -> list[Check]:
    """The outcome of every restriction present (an empty list: unrestricted)."""
    r = restrictions or NO_RESTRICTIONS
    checks = [
        _reservation(r, moment),
        _time_window(r, moment),
        _dates(r, moment),
        _day_of_week(r, moment, options),
        *_bounds(r, moment),
    ]
    return [c for c in checks if c is not None]


def window_contains(start_time: str | None, end_time: str | None, minute: Decimal) -> bool:
    """start inclusive, end exclusive; end < start wraps; end `00:00` = 24:00 (§6.1, A2)."""
    if start_time is not None and start_time == end_time:
        return False  # A2: undefined in OCPI; treated as never active.
    start = parse_minutes(start_time) if start_time else 0
    end = parse_minutes(end_time) if end_time and end_time != "00:00" else END_OF_DAY
    if start < end:
        return start <= minute < end
    return minute >= start or minute < end


def minute_of_day(local: datetime) -> Decimal:
    """Local wall-clock time as (fractional) minutes after midnight."""
    seconds = local.hour * 3600 + local.minute * 60 + local.second
    return Decimal(seconds * 1_000_000 + local.microsecond) / MICROSECONDS_PER_MINUTE


def _reservation_holds(r: TariffRestrictions, m: Moment) -> bool:
    # Adopted §6.7: plain elements never price reservation time, reservation ones only that.
    if r.reservation is None:
        return not m.reservation
    if r.reservation is ReservationRestrictionType.RESERVATION:
        return m.reservation
    return m.reservation and m.reservation_expired


def _reservation(r: TariffRestrictions, m: Moment) -> Check | None:
    ok = _reservation_holds(r, m)
    if r.reservation is None:
        return None if ok else (False, "not a reservation element")
    if r.reservation is ReservationRestrictionType.RESERVATION:
        return ok, "reservation RESERVATION: reservation time"
    return ok, "reservation RESERVATION_EXPIRES: the reservation expired unused"


def _window_holds(r: TariffRestrictions, m: Moment) -> bool:
    if r.start_time is None and r.end_time is None:
        return True
    return window_contains(r.start_time, r.end_time, m.minute)


def _time_window(r: TariffRestrictions, m: Moment) -> Check | None:
    if r.start_time is None and r.end_time is None:
        return None
    ok = _window_holds(r, m)
    window = f"{r.start_time or '00:00'}-{r.end_time or '00:00'}"
    return ok, f"local time {m.local:%H:%M} {'in' if ok else 'not in'} {window}"


def _dates_hold(r: TariffRestrictions, m: Moment) -> bool:
    day = m.local.date()
    return (r.start_date is None or _date(r.start_date) <= day) and (
        r.end_date is None or day < _date(r.end_date)
    )


@cache
def _date(value: str) -> date:
    return date.fromisoformat(value)


def _dates(r: TariffRestrictions, m: Moment) -> Check | None:
    if r.start_date is None and r.end_date is None:
        return None
    ok = _dates_hold(r, m)
    span = f"[{r.start_date or '…'}, {r.end_date or '…'})"
    return ok, f"local date {m.local.date()} {'in' if ok else 'not in'} {span}"


def _weekday_holds(r: TariffRestrictions, m: Moment, options: PricingOptions) -> bool:
    return not r.day_of_week or _weekday(r, m, options) in r.day_of_week


def _weekday(r: TariffRestrictions, m: Moment, options: PricingOptions) -> DayOfWeek:
    day = m.local.date()
    if options.day_of_week is DayOfWeekReading.WINDOW_START and _after_wrap(r, m):
        day -= timedelta(days=1)  # A3 reading (b): the night belongs to the evening before.
    return WEEKDAYS[day.weekday()]


def _day_of_week(r: TariffRestrictions, m: Moment, options: PricingOptions) -> Check | None:
    if not r.day_of_week:
        return None
    weekday = _weekday(r, m, options)
    ok = _weekday_holds(r, m, options)
    return ok, f"{weekday} {'in' if ok else 'not in'} day_of_week"


def _after_wrap(r: TariffRestrictions, m: Moment) -> bool:
    if not (r.start_time and r.end_time) or r.end_time == "00:00":
        return False
    end = parse_minutes(r.end_time)
    return end < parse_minutes(r.start_time) and m.minute < end


Quantity = Callable[[Moment], Decimal | None]
BOUNDS: tuple[tuple[str, Quantity, str], ...] = (
    ("kwh", attrgetter("energy_kwh"), "kWh delivered"),
    ("power", attrgetter("power_kw"), "kW"),
    ("current", attrgetter("current_a"), "A"),
    ("duration", attrgetter("age_seconds"), "s session age"),
)
LIMITS = tuple((f"min_{name}", f"max_{name}") for name, _, _ in BOUNDS)
Limit = Decimal | int | None


def _bounds_present(r: TariffRestrictions) -> list[tuple[str, Quantity, str, Limit, Limit]]:
    """(name, quantity, unit, min, max) of every min_/max_ pair with at least one bound."""
    found = []
    for (name, quantity, unit), (low_name, high_name) in zip(BOUNDS, LIMITS, strict=True):
        low, high = getattr(r, low_name), getattr(r, high_name)
        if low is not None or high is not None:
            found.append((name, quantity, unit, low, high))
    return found


def _quantity_within(quantity: Quantity, low: Limit, high: Limit, m: Moment) -> bool:
    value = quantity(m)
    return (low is None or _at_least(value, low)) and (high is None or _below(value, high))


def _at_least(value: Decimal | None, low: Decimal | int) -> bool:
    return value is not None and value >= low


def _below(value: Decimal | None, high: Decimal | int) -> bool:
    return value is not None and value < high


def _bounds(r: TariffRestrictions, m: Moment) -> list[Check]:
    """min_* inclusive (>=), max_* exclusive (<), on the instantaneous value (§6.4-6.6)."""
    checks: list[Check] = []
    for name, quantity, unit, low, high in _bounds_present(r):
        value = quantity(m)
        if low is not None:
            ok = _at_least(value, low)
            checks.append((ok, f"{_show(value)} {unit} {'>=' if ok else '<'} min_{name} {low}"))
        if high is not None:
            ok = _below(value, high)
            checks.append((ok, f"{_show(value)} {unit} {'<' if ok else '>='} max_{name} {high}"))
    return checks


def _show(value: Decimal | None) -> str:
    if value is None:
        return "unknown"
    return f"{value.quantize(Decimal('0.000001')).normalize():f}"
