"""Cut the timeline wherever an active component can change (TARIFF-RULES R5, §4).

Cuts: local-time boundaries and midnights (DST-correct), kWh thresholds (interpolated, the
energy at the cut is exactly the threshold), session-age thresholds; power, current and state
change only at timeline points, which are cuts already.
"""

from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from zoneinfo import ZoneInfo

from evroam.tariffs.clock import local_boundaries
from evroam.tariffs.plan import TariffPlan
from evroam.tariffs.timeline import (
    SessionState,
    SessionTimeline,
    TimelinePoint,
    add_microseconds,
    microseconds_between,
    seconds_between,
)

ZERO = Decimal(0)


@dataclass  # not frozen: built per period, and frozen init costs 4x (bench/tariff_engine.py)
class Piece:
    """A stretch of the session in which state, power, current and restrictions are constant."""

    start: datetime
    end: datetime
    state: SessionState
    energy_start: Decimal
    energy_end: Decimal
    power_kw: Decimal
    current_a: Decimal | None

    @property
    def seconds(self) -> Decimal:
        return seconds_between(self.start, self.end)

    @property
    def energy_kwh(self) -> Decimal:
        return self.energy_end - self.energy_start


def split_timeline(timeline: SessionTimeline, plan: TariffPlan, zone: ZoneInfo) -> list[Piece]:
    start = timeline.charging_start
    ages = [start + timedelta(seconds=s) for s in plan.duration_thresholds]
    # Local boundaries once for the whole session, then handed to the interval they fall in.
    boundaries = local_boundaries(
        timeline.points[0].at, timeline.points[-1].at, zone, plan.boundary_steps
    )
    pieces: list[Piece] = []
    for a, b in timeline.intervals:
        inside = boundaries[bisect_right(boundaries, a.at) : bisect_left(boundaries, b.at)]
        cuts: dict[datetime, Decimal | None] = dict.fromkeys(inside)
        if ages:
            cuts.update(dict.fromkeys(t for t in ages if a.at < t < b.at))
        if plan.kwh_thresholds:  # a kWh cut replaces a clock cut at the same instant
            cuts.update(_threshold_cuts(a, b, plan.kwh_thresholds))
        pieces.extend(_cut(a, b, cuts))
    return pieces


def _threshold_cuts(
    a: TimelinePoint, b: TimelinePoint, thresholds: frozenset[Decimal]
) -> dict[datetime, Decimal | None]:
    """The interpolated instants where cumulative energy reaches a kWh threshold."""
    cuts: dict[datetime, Decimal | None] = {}
    if not thresholds or a.energy_kwh == b.energy_kwh:
        return cuts
    span = microseconds_between(a.at, b.at)
    delivered = b.energy_kwh - a.energy_kwh
    for kwh in thresholds:
        if not a.energy_kwh < kwh < b.energy_kwh:
            continue
        offset = int(((kwh - a.energy_kwh) * span / delivered).to_integral_value(ROUND_HALF_EVEN))
        if 0 < offset < span:
            cuts[add_microseconds(a.at, offset)] = kwh
    return cuts


def _cut(a: TimelinePoint, b: TimelinePoint, cuts: dict[datetime, Decimal | None]) -> list[Piece]:
    current = a.current_a
    if current is None and a.state is not SessionState.CHARGING:
        current = ZERO  # Nothing flows while parked or reserved.
    if not cuts:  # most intervals: one piece, nothing to interpolate
        return [Piece(a.at, b.at, a.state, a.energy_kwh, b.energy_kwh, a.power_kw, current)]
    inside = sorted(cuts)
    instants = [a.at, *inside, b.at]
    energies = [a.energy_kwh, *(_energy_at(a, b, t, cuts[t]) for t in inside), b.energy_kwh]
    return [
        Piece(
            instants[i], instants[i + 1], a.state, energies[i], energies[i + 1], a.power_kw, current
        )
        for i in range(len(instants) - 1)
    ]


def _energy_at(a: TimelinePoint, b: TimelinePoint, at: datetime, exact: Decimal | None) -> Decimal:
    """Energy grows linearly inside an interval; a kWh cut keeps its exact threshold."""
    if exact is not None:
        return exact
    elapsed = Decimal(microseconds_between(a.at, at))
    return a.energy_kwh + (b.energy_kwh - a.energy_kwh) * elapsed / microseconds_between(a.at, b.at)
