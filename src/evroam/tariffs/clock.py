"""Local wall-clock boundaries as UTC instants, DST-correct (TARIFF-RULES §6.1, A15, A16)."""

from collections.abc import Sequence
from datetime import UTC, datetime, time, timedelta
from functools import cache
from itertools import pairwise
from zoneinfo import ZoneInfo

from evroam.tariffs.timeline import add_microseconds, microseconds_between

DAY = timedelta(days=1)
SAMPLE = timedelta(hours=6)
ZERO = timedelta(0)


@cache
def parse_minutes(value: str) -> int:
    """`HH:MM` as minutes after midnight; `24:00` (2.1.1 dialect) is end of day."""
    hours, minutes = value.split(":")
    return int(hours) * 60 + int(minutes)


def local_boundaries(
    start: datetime, end: datetime, zone: ZoneInfo, steps: Sequence[timedelta]
) -> list[datetime]:
    """Every instant strictly inside (start, end) where local time shows midnight + a step.

    Walks the stretches of constant UTC offset between DST changes: a wall time that happens
    twice (autumn) lies in two stretches and yields both instants; one skipped in spring lies
    in none, and the offset change itself is a boundary, so it is crossed at the jump (A15).
    """
    changes = offset_changes(start, end, zone)
    found: set[datetime] = set(changes)
    edges = [start.astimezone(UTC), *changes, end.astimezone(UTC)]
    for low, high in pairwise(edges):
        found.update(_wall_times(low, high, low.astimezone(zone).utcoffset() or ZERO, steps))
    return sorted(t for t in found if start < t < end)


def _wall_times(
    low: datetime, high: datetime, offset: timedelta, steps: Sequence[timedelta]
) -> list[datetime]:
    """The instants in [low, high), where the offset is constant, at which the wall clock
    shows midnight + one of `steps`: plain arithmetic from each local midnight's instant."""
    local_day = (low + offset).date()
    midnight = datetime.combine(local_day, time(), tzinfo=UTC) - offset
    found: list[datetime] = []
    while midnight < high:
        for step in steps:
            instant = midnight + step
            if low <= instant < high:
                found.append(instant)
        midnight += DAY
    return found


def offset_changes(start: datetime, end: datetime, zone: ZoneInfo) -> list[datetime]:
    """The instants in (start, end] where the zone's UTC offset changes (DST transitions)."""
    changes: list[datetime] = []
    low, offset = start, start.astimezone(zone).utcoffset()
    while low < end:
        high = min(low + SAMPLE, end)
        next_offset = high.astimezone(zone).utcoffset()
        if offset != next_offset:
            changes.append(_first_with_new_offset(low, high, zone))
        low, offset = high, next_offset
    return changes


def _first_with_new_offset(low: datetime, high: datetime, zone: ZoneInfo) -> datetime:
    before = low.astimezone(zone).utcoffset()
    lo, hi = 0, microseconds_between(low, high)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if add_microseconds(low, mid).astimezone(zone).utcoffset() == before:
            lo = mid
        else:
            hi = mid
    return add_microseconds(low, hi)
