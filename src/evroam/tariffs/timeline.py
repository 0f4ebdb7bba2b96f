"""The session timeline the engine prices: states, cumulative energy, power and current."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from itertools import pairwise

ZERO = Decimal(0)
MICROSECONDS = Decimal(1_000_000)


class TimelineError(ValueError):
    """The timeline cannot be priced as given (order, energy, states)."""


class SessionState(StrEnum):
    """What the EV is doing during the interval a point opens (TARIFF-RULES R4, A12)."""

    RESERVATION = "RESERVATION"
    CHARGING = "CHARGING"
    PARKING = "PARKING"
    END = "END"


@dataclass(frozen=True)
class TimelinePoint:
    """Opens the interval up to the next point; power and current hold for that interval."""

    at: datetime
    energy_kwh: Decimal
    state: SessionState
    power_kw: Decimal = ZERO
    current_a: Decimal | None = None


@dataclass(frozen=True)
class SessionTimeline:
    """A finished (or planned) session: points in time order, the last one END."""

    start_date_time: datetime
    end_date_time: datetime
    points: tuple[TimelinePoint, ...]
    reservation_expired: bool = False

    def __post_init__(self) -> None:
        _check_order(self)
        _check_states(self)
        _check_energy(self.points)

    @property
    def charging_start(self) -> datetime:
        """Where session age (min/max_duration) starts: the first point that is not RESERVATION."""
        for point in self.points:
            if point.state is not SessionState.RESERVATION:
                return point.at
        return self.points[0].at

    @property
    def intervals(self) -> list[tuple[TimelinePoint, TimelinePoint]]:
        """Each point with the next one, skipping zero-length intervals."""
        pairs = pairwise(self.points)
        return [(a, b) for a, b in pairs if b.at > a.at]


def seconds_between(start: datetime, end: datetime) -> Decimal:
    """Exact elapsed seconds (microsecond resolution), never a float."""
    return Decimal(microseconds_between(start, end)) / MICROSECONDS


def microseconds_between(start: datetime, end: datetime) -> int:
    delta = end - start
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def add_microseconds(start: datetime, microseconds: int) -> datetime:
    return start + timedelta(microseconds=microseconds)


def _check_order(timeline: SessionTimeline) -> None:
    points = timeline.points
    if len(points) < 2:
        raise TimelineError("a timeline needs at least one interval: two points, the last END")
    for point in points:
        if point.at.tzinfo is None:
            raise TimelineError(f"timeline point {point.at} has no time zone; use UTC")
    if any(b.at < a.at for a, b in pairwise(points)):
        raise TimelineError("timeline points must be in time order")
    if points[0].at < timeline.start_date_time or points[-1].at > timeline.end_date_time:
        raise TimelineError("timeline points must lie between start_date_time and end_date_time")


def _check_states(timeline: SessionTimeline) -> None:
    states = [p.state for p in timeline.points]
    if states[-1] is not SessionState.END or SessionState.END in states[:-1]:
        raise TimelineError("the last timeline point, and only the last, must have state END")
    first_session = next(
        (i for i, s in enumerate(states) if s is not SessionState.RESERVATION), len(states)
    )
    if SessionState.RESERVATION in states[first_session:]:
        raise TimelineError("RESERVATION points must come before charging and parking")
    if timeline.reservation_expired and first_session < len(states) - 1:
        raise TimelineError("reservation_expired: the timeline may hold only RESERVATION points")


def _check_energy(points: tuple[TimelinePoint, ...]) -> None:
    for a, b in pairwise(points):
        if b.energy_kwh < a.energy_kwh:
            raise TimelineError(f"energy_kwh is cumulative and may not decrease (at {b.at})")
        if a.state is SessionState.RESERVATION and b.energy_kwh != a.energy_kwh:
            raise TimelineError(f"no energy can be delivered during a reservation (at {a.at})")
    if points[0].energy_kwh < 0:
        raise TimelineError("energy_kwh may not be negative")
