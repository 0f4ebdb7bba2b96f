"""Local wall-clock boundaries as UTC instants, DST-correct (TARIFF-RULES §6.1, A15, A16)."""

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from evroam.tariffs.timeline import add_microseconds, microseconds_between

DAY = timedelta(days=1)
SAMPLE = timedelta(hours=6)


def parse_minutes(value: str) -> int:
    """`HH:MM` as minutes after midnight; `24:00` (2.1.1 dialect) is end of day."""
    hours, minutes = value.split(":")
    return int(hours) * 60 + int(minutes)


def local_boundaries(
    start: datetime, end: datetime, zone: ZoneInfo, minutes: Iterable[int]
) -> list[datetime]:
    """Every instant strictly inside (start, end) where local time reaches one of `minutes`.

    A wall time that happens twice (autumn) yields both instants; offset changes are added too,
    so a wall time skipped in spring is crossed at the jump (A15).
    """
    found: set[datetime] = set(offset_changes(start, end, zone))
    day = start.astimezone(zone).date() - DAY
    last = end.astimezone(zone).date() + DAY
    while day <= last:
        for minute in minutes:
            found.update(_instants_of(day, minute, zone))
        day += DAY
    return sorted(t for t in found if start < t < end)


def _instants_of(day: date, minute: int, zone: ZoneInfo) -> set[datetime]:
    naive = datetime.combine(day, time()) + timedelta(minutes=minute)
    return {naive.replace(tzinfo=zone, fold=fold).astimezone(UTC) for fold in (0, 1)}


def offset_changes(start: datetime, end: datetime, zone: ZoneInfo) -> list[datetime]:
    """The instants in (start, end] where the zone's UTC offset changes (DST transitions)."""
    changes: list[datetime] = []
    low = start
    while low < end:
        high = min(low + SAMPLE, end)
        if low.astimezone(zone).utcoffset() != high.astimezone(zone).utcoffset():
            changes.append(_first_with_new_offset(low, high, zone))
        low = high
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
