"""TariffRestrictions evaluated at one instant, each on its own quantity (TARIFF-RULES R3, §6).

Every check returns whether it holds and a short text saying why, for the explanation.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from evroam.modules.tariffs.model import DayOfWeek, ReservationRestrictionType, TariffRestrictions
from evroam.tariffs.clock import parse_minutes
from evroam.tariffs.options import DayOfWeekReading, PricingOptions

END_OF_DAY = 24 * 60
WEEKDAYS = tuple(DayOfWeek)


@dataclass(frozen=True)
class Moment:
    """The quantities restrictions test, as they are at one instant of the session."""

    local: datetime
    energy_kwh: Decimal
    power_kw: Decimal
    current_a: Decimal | None
    age_seconds: Decimal
    reservation: bool
    reservation_expired: bool


Check = tuple[bool, str]


def evaluate(
    restrictions: TariffRestrictions | None, moment: Moment, options: PricingOptions
) -> list[Check]:
    """The outcome of every restriction present (an empty list: unrestricted)."""
    r = restrictions or TariffRestrictions()
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
    return (Decimal(seconds) + Decimal(local.microsecond) / 1_000_000) / 60


def _reservation(r: TariffRestrictions, m: Moment) -> Check | None:
    # Adopted §6.7: plain elements never price reservation time, reservation ones only that.
    if r.reservation is None:
        return None if not m.reservation else (False, "not a reservation element")
    if r.reservation is ReservationRestrictionType.RESERVATION:
        return m.reservation, "reservation RESERVATION: reservation time"
    expired = m.reservation and m.reservation_expired
    return expired, "reservation RESERVATION_EXPIRES: the reservation expired unused"


def _time_window(r: TariffRestrictions, m: Moment) -> Check | None:
    if r.start_time is None and r.end_time is None:
        return None
    ok = window_contains(r.start_time, r.end_time, minute_of_day(m.local))
    window = f"{r.start_time or '00:00'}-{r.end_time or '00:00'}"
    return ok, f"local time {m.local:%H:%M} {'in' if ok else 'not in'} {window}"


def _dates(r: TariffRestrictions, m: Moment) -> Check | None:
    if r.start_date is None and r.end_date is None:
        return None
    day = m.local.date()
    ok = (r.start_date is None or date.fromisoformat(r.start_date) <= day) and (
        r.end_date is None or day < date.fromisoformat(r.end_date)
    )
    span = f"[{r.start_date or '…'}, {r.end_date or '…'})"
    return ok, f"local date {day} {'in' if ok else 'not in'} {span}"


def _day_of_week(r: TariffRestrictions, m: Moment, options: PricingOptions) -> Check | None:
    if not r.day_of_week:
        return None
    day = m.local.date()
    if options.day_of_week is DayOfWeekReading.WINDOW_START and _after_wrap(r, m):
        day -= timedelta(days=1)  # A3 reading (b): the night belongs to the evening before.
    weekday = WEEKDAYS[day.weekday()]
    ok = weekday in r.day_of_week
    return ok, f"{weekday} {'in' if ok else 'not in'} day_of_week"


def _after_wrap(r: TariffRestrictions, m: Moment) -> bool:
    if not (r.start_time and r.end_time) or r.end_time == "00:00":
        return False
    end = parse_minutes(r.end_time)
    return end < parse_minutes(r.start_time) and minute_of_day(m.local) < end


BoundSpec = tuple[str, Callable[[Moment], Decimal | None], str]
BOUNDS: tuple[BoundSpec, ...] = (
    ("kwh", lambda m: m.energy_kwh, "kWh delivered"),
    ("power", lambda m: m.power_kw, "kW"),
    ("current", lambda m: m.current_a, "A"),
    ("duration", lambda m: m.age_seconds, "s session age"),
)


def _bounds(r: TariffRestrictions, m: Moment) -> list[Check]:
    """min_* inclusive (>=), max_* exclusive (<), on the instantaneous value (§6.4-6.6)."""
    checks: list[Check] = []
    for name, quantity, unit in BOUNDS:
        value = quantity(m)
        low, high = getattr(r, f"min_{name}"), getattr(r, f"max_{name}")
        if low is not None:
            ok = value is not None and value >= low
            checks.append((ok, f"{_show(value)} {unit} {'>=' if ok else '<'} min_{name} {low}"))
        if high is not None:
            ok = value is not None and value < high
            checks.append((ok, f"{_show(value)} {unit} {'<' if ok else '>='} max_{name} {high}"))
    return checks


def _show(value: Decimal | None) -> str:
    if value is None:
        return "unknown"
    return f"{value.quantize(Decimal('0.000001')).normalize():f}"
