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
MICROSECONDS_PER_SECOND = 1_000_000
MICROSECONDS_PER_MINUTE = 60 * MICROSECONDS_PER_SECOND
MICROSECONDS = Decimal(MICROSECONDS_PER_SECOND)
WEEKDAYS = tuple(DayOfWeek)
NO_RESTRICTIONS = TariffRestrictions()


@dataclass  # not frozen: built per period, and frozen init costs 4x (bench/tariff_engine.py)
class Moment:
    """The quantities restrictions test, as they are at one instant of the session.

    Clock time and session age are whole microseconds: the tests compare integers, and the
    Decimal age the explanation shows is derived only when it is written."""

    local: datetime
    microsecond_of_day: int  # local wall-clock time since local midnight
    energy_kwh: Decimal
    power_kw: Decimal
    current_a: Decimal | None
    age_microseconds: int
    reservation: bool
    reservation_expired: bool

    @property
    def age_seconds(self) -> Decimal:
        return Decimal(self.age_microseconds) / MICROSECONDS


Check = tuple[bool, str]


Test = Callable[[Moment], bool]


def predicate(restrictions: TariffRestrictions | None, options: PricingOptions) -> Test | None:
    """Whether every restriction that depends on the instant holds, as `evaluate` says but
    without its texts; None when none does. Compiled once per tariff with only the tests this
    element needs, its limits already in the units of the moment, as it runs for every period
    of every session. `reservation` depends on the period's state alone: see
    `reservation_allows`."""
    r = restrictions
    if r is None:
        return None
    tests: list[Test] = []
    window = window_microseconds(r.start_time, r.end_time)
    if window is not None:
        tests.append(partial(_within_window, *window))
    if r.start_date is not None or r.end_date is not None:
        tests.append(partial(_dates_hold, r))
    if r.day_of_week:
        tests.append(_weekday_test(r, options))
    for name, quantity, _unit, low, high in _bounds_present(r):
        if name == "duration":  # whole seconds: compared as microseconds of session age
            quantity = _age
            low, high = _in_microseconds(low), _in_microseconds(high)
        tests.append(partial(_quantity_within, quantity, low, high))
    if not tests:
        return None
    return tests[0] if len(tests) == 1 else partial(_all_hold, tuple(tests))


def _all_hold(tests: tuple[Test, ...], m: Moment) -> bool:
    # A loop, not all(generator): this runs per element and period, and the generator
    # costs more than the tests themselves.
    for test in tests:  # noqa: SIM110
        if not test(m):
            return False
    return True


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


def window_microseconds(start_time: str | None, end_time: str | None) -> tuple[int, int] | None:
    """A start_time/end_time window in microseconds after local midnight (None: no window).
    A missing start is midnight; a missing end or `00:00` is 24:00 (§6.1); end < start wraps."""
    if start_time is None and end_time is None:
        return None
    if start_time == end_time:
        return 0, 0  # A2: undefined in OCPI; an empty window, never active.
    start = parse_minutes(start_time) if start_time else 0
    end = parse_minutes(end_time) if end_time and end_time != "00:00" else END_OF_DAY
    return start * MICROSECONDS_PER_MINUTE, end * MICROSECONDS_PER_MINUTE


def _within_window(start: int, end: int, m: Moment) -> bool:
    """Start inclusive, end exclusive; a wrapping window holds on both sides of midnight."""
    now = m.microsecond_of_day
    if start < end:
        return start <= now < end
    if start == end:
        return False  # the empty window of A2
    return now >= start or now < end


def reservation_allows(
    kind: ReservationRestrictionType | None, *, reservation: bool, expired: bool
) -> bool:
    """Adopted §6.7: plain elements never price reservation time, reservation ones only that;
    RESERVATION_EXPIRES ones only a reservation that expired unused."""
    if kind is None:
        return not reservation
    if kind is ReservationRestrictionType.RESERVATION:
        return reservation
    return reservation and expired


def _reservation_holds(r: TariffRestrictions, m: Moment) -> bool:
    return reservation_allows(
        r.reservation, reservation=m.reservation, expired=m.reservation_expired
    )


def _reservation(r: TariffRestrictions, m: Moment) -> Check | None:
    ok = _reservation_holds(r, m)
    if r.reservation is None:
        return None if ok else (False, "not a reservation element")
    if r.reservation is ReservationRestrictionType.RESERVATION:
        return ok, "reservation RESERVATION: reservation time"
    return ok, "reservation RESERVATION_EXPIRES: the reservation expired unused"


def _window_holds(r: TariffRestrictions, m: Moment) -> bool:
    window = window_microseconds(r.start_time, r.end_time)
    return window is None or _within_window(*window, m)


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


def _weekday_test(r: TariffRestrictions, options: PricingOptions) -> Test:
    """On the instant's own weekday a set lookup suffices; the A3 window-start reading needs
    the window as well."""
    if options.day_of_week is DayOfWeekReading.WINDOW_START:
        return partial(_weekday_holds, r, options=options)
    days = frozenset(WEEKDAYS.index(day) for day in r.day_of_week or ())
    return partial(_weekday_in, days)


def _weekday_in(days: frozenset[int], m: Moment) -> bool:
    return m.local.weekday() in days


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
    wraps = end < parse_minutes(r.start_time)
    return wraps and m.microsecond_of_day < end * MICROSECONDS_PER_MINUTE


Quantity = Callable[[Moment], Decimal | int | None]
BOUNDS: tuple[tuple[str, Quantity, str], ...] = (
    ("kwh", attrgetter("energy_kwh"), "kWh delivered"),
    ("power", attrgetter("power_kw"), "kW"),
    ("current", attrgetter("current_a"), "A"),
    ("duration", attrgetter("age_seconds"), "s session age"),
)
LIMITS = tuple((f"min_{name}", f"max_{name}") for name, _, _ in BOUNDS)
Limit = Decimal | int | None
_age = attrgetter("age_microseconds")


def _in_microseconds(seconds: Limit) -> Limit:
    return None if seconds is None else seconds * MICROSECONDS_PER_SECOND


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


def _at_least(value: Decimal | int | None, low: Decimal | int) -> bool:
    return value is not None and value >= low


def _below(value: Decimal | int | None, high: Decimal | int) -> bool:
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


def _show(value: Decimal | int | None) -> str:
    if value is None:
        return "unknown"
    return f"{Decimal(value).quantize(Decimal('0.000001')).normalize():f}"
