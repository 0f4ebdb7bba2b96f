"""The energy of one of our charging sessions as its meter values arrive, as pure functions.

A charge point reports its meter *register* (cumulative over the meter's life, chargers/
interface.py); the session's energy is what the register gained since the start. A register
lower than the previous one means the meter was reset (replaced, rebooted to zero): the energy
since the reset is the new register value, so the session's kWh never goes backwards and the
reset is counted (and noted on the CDR). Readings become the tariff engine's timeline: each
interval between two readings is CHARGING when energy flowed, at the power and current the
charge point reported at its end (a meter's whole watt-hours would make an average power
jitter, and every jitter a CDR period), and PARKING when none did.

Session charging periods (Sessions §9.3; CONFORMANCE F.183) are cut at every moment where the
tariff engine sees another price component become active (or the state change), and at least
every PROGRESS so the eMSP can show progress (DIGEST §6.1). A period is sent once it is closed,
with the quantities consumed in it; each is sent once (the meter remembers where the next one
starts).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from itertools import pairwise

from pydantic import BaseModel

from evroam.modules.cdrs.model import CdrDimension, CdrDimensionType, ChargingPeriod
from evroam.tariffs import PricingResult, SessionState, SessionTimeline, TimelinePoint
from evroam.tariffs.selection import Period
from evroam.tariffs.timeline import seconds_between

ZERO = Decimal(0)
WH_PER_KWH = Decimal(1000)
SECONDS_PER_HOUR = Decimal(3600)
KW = Decimal("0.001")  # average power to the watt
QUANTUM = Decimal("0.0001")  # period volumes at 4 decimals (R12)
PROGRESS = timedelta(minutes=15)
TIME_DIMENSION = {
    SessionState.CHARGING: CdrDimensionType.TIME,
    SessionState.PARKING: CdrDimensionType.PARKING_TIME,
    SessionState.RESERVATION: CdrDimensionType.RESERVATION_TIME,
}


class Reading(BaseModel):
    """The session's energy (kWh, cumulative) at a moment, and the power (kW) and current (A)
    flowing then."""

    at: datetime
    kwh: Decimal
    power_kw: Decimal | None = None
    current_a: Decimal | None = None


class Meter(BaseModel):
    """What we know of a session's meter: the last register, the readings, the resets."""

    register_wh: Decimal
    delivered_wh: Decimal = ZERO
    resets: int = 0
    readings: list[Reading]

    @classmethod
    def starting(cls, at: datetime, register_wh: Decimal) -> "Meter":
        return cls(register_wh=register_wh, readings=[Reading(at=at, kwh=ZERO)])

    @property
    def kwh(self) -> Decimal:
        return self.delivered_wh / WH_PER_KWH

    @property
    def last_at(self) -> datetime:
        return self.readings[-1].at


def read(
    meter: Meter,
    at: datetime,
    register_wh: Decimal,
    *,
    power_w: Decimal | None = None,
    current_a: Decimal | None = None,
) -> Meter:
    """The meter after one more reading (a reading older than the last one changes nothing;
    power and current not given stay as last read)."""
    if at < meter.last_at:
        return meter
    gained, resets = register_wh - meter.register_wh, meter.resets
    if gained < 0:  # the register restarted from zero: it gained what it shows now
        gained, resets = register_wh, resets + 1
    delivered = meter.delivered_wh + gained
    last = meter.readings[-1]
    power = power_w / WH_PER_KWH if power_w is not None else last.power_kw
    current = current_a if current_a is not None else last.current_a
    reading = Reading(at=at, kwh=delivered / WH_PER_KWH, power_kw=power, current_a=current)
    kept = meter.readings[:-1] if at == meter.last_at else meter.readings
    return meter.model_copy(
        update={
            "register_wh": register_wh,
            "delivered_wh": delivered,
            "resets": resets,
            "readings": [*kept, reading],
        }
    )


def timeline_of(
    meter: Meter | None, *, reserved_at: datetime | None, end: datetime, expired: bool = False
) -> SessionTimeline | None:
    """The engine's timeline up to `end` (the last reading of a charging session); None when
    the session has no length to price."""
    points: list[TimelinePoint] = []
    readings = meter.readings if meter is not None else []
    first = readings[0].at if readings else end
    if reserved_at is not None and reserved_at < first:
        points.append(TimelinePoint(reserved_at, ZERO, SessionState.RESERVATION))
    points += [interval(a, b) for a, b in pairwise(readings) if b.at > a.at]
    energy = readings[-1].kwh if readings else ZERO
    start = points[0].at if points else end
    if end <= start:
        return None
    points.append(TimelinePoint(end, energy, SessionState.END))
    return SessionTimeline(start, end, tuple(points), reservation_expired=expired and not readings)


def interval(a: Reading, b: Reading) -> TimelinePoint:
    """The point opening the interval between two readings: its state, power and current
    (as read at its end; without a power reading, the interval's average)."""
    energy = b.kwh - a.kwh
    if energy <= 0:
        return TimelinePoint(a.at, a.kwh, SessionState.PARKING)
    power = b.power_kw
    if power is None or power <= 0:
        power = (energy * SECONDS_PER_HOUR / seconds_between(a.at, b.at)).quantize(KW)
    return TimelinePoint(a.at, a.kwh, SessionState.CHARGING, power, b.current_a)


# ── session charging periods ─────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class Closed:
    """The periods closed by the latest readings, and where the next one starts."""

    periods: list[ChargingPeriod]
    next_start: datetime


def close_periods(
    timeline: SessionTimeline,
    result: PricingResult | None,
    *,
    since: datetime,
    final: bool,
    tariff_id: str | None,
) -> Closed:
    """Periods from `since` ended by a tariff-relevant change (or PROGRESS, or the end)."""
    cuts = [c for c in changes(timeline, result) if c > since]
    end, start, periods = timeline.end_date_time, since, []
    for cut in cuts:
        periods.append(describe(timeline, start, cut, tariff_id))
        start = cut
    if end > start and (final or end - start >= PROGRESS):
        periods.append(describe(timeline, start, end, tariff_id))
        start = end
    return Closed(periods, start)


def changes(timeline: SessionTimeline, result: PricingResult | None) -> list[datetime]:
    """Moments another price component becomes active or the state changes."""
    keys: list[tuple[datetime, tuple[object, ...]]]
    if result is None:
        keys = [(p.at, (p.state,)) for p in timeline.points[:-1]]
    else:
        keys = [(p.piece.start, component_key(p)) for p in result.periods]
    return [b[0] for a, b in pairwise(keys) if a[1] != b[1]]


def component_key(period: Period) -> tuple[object, ...]:
    """What the price depends on in a period: its state and the active components."""
    active = sorted((d.value, a.element_index, a.component_index) for d, a in period.active.items())
    return period.piece.state, tuple(active)


def describe(
    timeline: SessionTimeline, start: datetime, end: datetime, tariff_id: str | None
) -> ChargingPeriod:
    """The period [start, end): energy, time in its state, and power (Session-only POWER
    is left out; MIN/MAX_POWER say the range)."""
    state = state_at(timeline, start)
    hours = seconds_between(start, end) / SECONDS_PER_HOUR
    dimensions = [CdrDimension(type=TIME_DIMENSION[state], volume=hours.quantize(QUANTUM))]
    if state is not SessionState.RESERVATION:
        energy = energy_at(timeline, end) - energy_at(timeline, start)
        dimensions.insert(
            0, CdrDimension(type=CdrDimensionType.ENERGY, volume=energy.quantize(QUANTUM))
        )
    powers = [p.power_kw for p in opening(timeline, start, end)]
    if state is SessionState.CHARGING and powers:
        dimensions += [
            CdrDimension(type=CdrDimensionType.MIN_POWER, volume=min(powers)),
            CdrDimension(type=CdrDimensionType.MAX_POWER, volume=max(powers)),
        ]
    return ChargingPeriod(start_date_time=start, dimensions=dimensions, tariff_id=tariff_id)


def opening(timeline: SessionTimeline, start: datetime, end: datetime) -> list[TimelinePoint]:
    """The points whose intervals overlap [start, end)."""
    return [a for a, b in pairwise(timeline.points) if a.at < end and b.at > start]


def state_at(timeline: SessionTimeline, moment: datetime) -> SessionState:
    found = SessionState.CHARGING
    for point in timeline.points[:-1]:
        if point.at > moment:
            break
        found = point.state
    return found


def energy_at(timeline: SessionTimeline, moment: datetime) -> Decimal:
    """Cumulative kWh at a moment, interpolated between the points around it."""
    for a, b in pairwise(timeline.points):
        if a.at <= moment <= b.at:
            if b.at == a.at:
                return b.energy_kwh
            share = seconds_between(a.at, moment) / seconds_between(a.at, b.at)
            return a.energy_kwh + (b.energy_kwh - a.energy_kwh) * share
    return timeline.points[-1].energy_kwh
