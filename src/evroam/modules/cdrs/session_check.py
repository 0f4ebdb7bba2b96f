"""CPO side: does a CDR agree with the metered session it bills? (CONFORMANCE G.203-G.206)

Before a CDR leaves (it can never be changed, G.197) its energy and times are checked against
the meter's timeline: total energy, start and end, total time and parking time, and periods
that start with the session, follow each other and end before it ends.
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from itertools import pairwise

from evroam.modules.cdrs.model import Cdr
from evroam.modules.cdrs.replay import period_energy
from evroam.protocol.timestamps import format_datetime
from evroam.tariffs import SessionState, SessionTimeline
from evroam.tariffs.timeline import seconds_between

TOLERANCE = Decimal("0.001")
SECONDS_PER_HOUR = Decimal(3600)


@dataclass(frozen=True)
class Discrepancy:
    """One way the CDR disagrees with the meter."""

    field: str
    metered: str
    cdr: str


def check_against_session(
    cdr: Cdr, session: SessionTimeline, tolerance: Decimal = TOLERANCE
) -> list[Discrepancy]:
    """Every disagreement between the CDR and the metered session (empty: the CDR is right)."""
    return [
        *_energy(cdr, session, tolerance),
        *_times(cdr, session, tolerance),
        *_periods(cdr, session),
    ]


def metered_energy(session: SessionTimeline) -> Decimal:
    return session.points[-1].energy_kwh - session.points[0].energy_kwh


def _energy(cdr: Cdr, session: SessionTimeline, tolerance: Decimal) -> list[Discrepancy]:
    metered = metered_energy(session)
    found = [("total_energy", cdr.total_energy), ("sum of ENERGY volumes", period_energy(cdr))]
    return [
        Discrepancy(field, f"{metered:f}", f"{value:f}")
        for field, value in found
        if abs(value - metered) > tolerance
    ]


def _times(cdr: Cdr, session: SessionTimeline, tolerance: Decimal) -> list[Discrepancy]:
    found: list[Discrepancy] = []
    for field, metered, stated in (
        ("start_date_time", session.start_date_time, cdr.start_date_time),
        ("end_date_time", session.end_date_time, cdr.end_date_time),
    ):
        if stated != metered:
            found.append(Discrepancy(field, format_datetime(metered), format_datetime(stated)))
    hours = seconds_between(session.start_date_time, session.end_date_time) / SECONDS_PER_HOUR
    parking = _parking_hours(session)
    for field, expected, value in (
        ("total_time", hours, cdr.total_time),
        ("total_parking_time", parking, cdr.total_parking_time),
    ):
        if value is not None and abs(value - expected) > tolerance:
            found.append(Discrepancy(field, f"{_hours(expected)}", f"{value:f}"))
    return found


def _parking_hours(session: SessionTimeline) -> Decimal:
    parked = (
        seconds_between(a.at, b.at) for a, b in session.intervals if a.state is SessionState.PARKING
    )
    return sum(parked, Decimal(0)) / SECONDS_PER_HOUR


def _hours(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.0001')):f}"


def _periods(cdr: Cdr, session: SessionTimeline) -> list[Discrepancy]:
    """The periods cover the session: the first starts when the meter does, each later one
    after the one before, all before the end."""
    starts = [p.start_date_time for p in cdr.charging_periods]
    found: list[Discrepancy] = []
    first = session.points[0].at
    if starts[0] != first:
        found.append(Discrepancy("charging_periods[0].start_date_time", _at(first), _at(starts[0])))
    for index, (a, b) in enumerate(pairwise(starts), start=1):
        if b <= a:
            found.append(
                Discrepancy(f"charging_periods[{index}].start_date_time", f"after {_at(a)}", _at(b))
            )
    if starts[-1] >= session.end_date_time:
        found.append(
            Discrepancy(
                "charging_periods[-1].start_date_time",
                f"before {_at(session.end_date_time)}",
                _at(starts[-1]),
            )
        )
    return found


def _at(instant: datetime) -> str:
    return format_datetime(instant)
