"""A received CDR replayed as a session timeline, so the engine can price it again.

TARIFF-RULES §14: instants and durations come from the period timestamps (hours at 4 decimals
are lossy), quantities from the dimensions. A period's state: RESERVATION_TIME → reservation,
TIME → charging, PARKING_TIME (without TIME) → parking, ENERGY only → charging. Power and
current: the period's MAX_ value, else its MIN_ value (a CPO that cuts a period at every
threshold, as it must, gives equal ones; A4, A18); no current dimension → unknown.
"""

from collections import defaultdict
from dataclasses import replace
from decimal import Decimal

from evroam.modules.cdrs.model import Cdr, CdrDimensionType, ChargingPeriod
from evroam.tariffs import SessionState, SessionTimeline, TimelinePoint

Kind = CdrDimensionType
ZERO = Decimal(0)
WIRE_NOISE = Decimal("1e-9")  # kWh: far below a meter's resolution (1 Wh), far above floats' error


def timeline_of(cdr: Cdr) -> SessionTimeline:
    """The timeline of the CDR's periods; TimelineError when they cannot form a session."""
    points: list[TimelinePoint] = []
    energy = ZERO
    for period in cdr.charging_periods:
        volumes = volumes_of(period)
        points.append(
            TimelinePoint(
                period.start_date_time,
                energy,
                _state(volumes),
                _either(volumes, Kind.MAX_POWER, Kind.MIN_POWER) or ZERO,
                _either(volumes, Kind.MAX_CURRENT, Kind.MIN_CURRENT),
            )
        )
        energy += volumes.get(Kind.ENERGY, ZERO)
    if abs(cdr.total_energy - energy) <= WIRE_NOISE:
        # Volumes with more digits than a double holds cross the wire a few 1e-17 kWh off;
        # summed, they may land just above a whole Wh that the meter read exactly, and the
        # step_size rounding would bill one Wh more. The CDR's total is the reading, and no
        # point before the end may pass it.
        energy = cdr.total_energy
        points = [p if p.energy_kwh <= energy else replace(p, energy_kwh=energy) for p in points]
    points.append(TimelinePoint(cdr.end_date_time, energy, SessionState.END))
    # A CDR of reservation time only is a reservation that expired unused (CDRs §10.2).
    expired = all(p.state is SessionState.RESERVATION for p in points[:-1])
    return SessionTimeline(cdr.start_date_time, cdr.end_date_time, tuple(points), expired)


def volumes_of(period: ChargingPeriod) -> dict[CdrDimensionType, Decimal]:
    """Volume per dimension type (a repeated type adds up)."""
    volumes: dict[CdrDimensionType, Decimal] = defaultdict(Decimal)
    for dimension in period.dimensions:
        volumes[dimension.type] += dimension.volume
    return dict(volumes)


def period_energy(cdr: Cdr) -> Decimal:
    """The sum of the ENERGY volumes of all periods (kWh; CONFORMANCE G.203)."""
    return sum((volumes_of(p).get(Kind.ENERGY, ZERO) for p in cdr.charging_periods), ZERO)


def _state(volumes: dict[CdrDimensionType, Decimal]) -> SessionState:
    if Kind.RESERVATION_TIME in volumes:
        return SessionState.RESERVATION
    if Kind.PARKING_TIME in volumes and Kind.TIME not in volumes:
        return SessionState.PARKING
    return SessionState.CHARGING


def _either(
    volumes: dict[CdrDimensionType, Decimal], first: CdrDimensionType, second: CdrDimensionType
) -> Decimal | None:
    return volumes.get(first, volumes.get(second))
