"""Priced lines: one priced quantity of one component, and the money it makes (TARIFF-RULES R8)."""

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from operator import attrgetter

from evroam.modules.tariffs.model import TariffDimensionType
from evroam.tariffs.segments import Piece
from evroam.tariffs.selection import ActiveComponent, Period
from evroam.tariffs.timeline import SessionState

Dimension = TariffDimensionType
ZERO = Decimal(0)
SECONDS_PER_HOUR = Decimal(3600)
PER_HOUR = frozenset({Dimension.TIME, Dimension.PARKING_TIME})


class Bucket(StrEnum):
    """The CDR sub-total a line adds to (CDRs §10.3.1; A13: every session FLAT is fixed cost)."""

    FIXED = "total_fixed_cost"
    ENERGY = "total_energy_cost"
    TIME = "total_time_cost"
    PARKING = "total_parking_cost"
    RESERVATION = "total_reservation_cost"


@dataclass  # not frozen: built per period, and frozen init costs 4x (bench/tariff_engine.py)
class Line:
    """`quantity` in base units: kWh for ENERGY, seconds for TIME and PARKING_TIME, 1 for FLAT."""

    bucket: Bucket
    period_index: int
    active: ActiveComponent
    quantity: Decimal
    step_note: str | None = None

    @property
    def dimension(self) -> Dimension:
        return self.active.component.type

    @property
    def billed(self) -> Decimal:
        """The quantity in the price's unit: kWh, hours or sessions."""
        return billed_quantity(self.dimension, self.quantity)


def billed_quantity(dimension: Dimension, quantity: Decimal) -> Decimal:
    if dimension in PER_HOUR:
        return quantity / SECONDS_PER_HOUR
    return quantity


def excl_vat(active: ActiveComponent, quantity: Decimal) -> Decimal:
    """price x quantity, from base units (seconds are divided once, at the end)."""
    component = active.component
    if component.type in PER_HOUR:
        return component.price * quantity / SECONDS_PER_HOUR
    return component.price * quantity


def incl_vat(active: ActiveComponent, excl: Decimal) -> Decimal:
    """vat omitted: no VAT applicable, incl = excl; vat 0: 0 % (R8, CONFORMANCE I.268)."""
    vat = active.component.vat
    return excl if vat is None else excl * (1 + vat / 100)


def usage_lines(periods: list[Period]) -> list[Line]:
    """ENERGY, TIME, PARKING_TIME and reservation TIME lines, period by period (R4)."""
    lines: list[Line] = []
    for index, period in enumerate(periods):
        lines.extend(_usage_of(index, period))
    return lines


# What each state measures, in line order: (sub-total, dimension, quantity) (R4, R10).
ENERGY_KWH, SECONDS = attrgetter("energy_kwh"), attrgetter("seconds")
USAGE: dict[SessionState, tuple[tuple[Bucket, Dimension, Callable[[Piece], Decimal]], ...]] = {
    SessionState.CHARGING: (
        (Bucket.ENERGY, Dimension.ENERGY, ENERGY_KWH),
        (Bucket.TIME, Dimension.TIME, SECONDS),
    ),
    SessionState.PARKING: (
        (Bucket.ENERGY, Dimension.ENERGY, ENERGY_KWH),
        (Bucket.PARKING, Dimension.PARKING_TIME, SECONDS),
    ),
    SessionState.RESERVATION: ((Bucket.RESERVATION, Dimension.TIME, SECONDS),),
}


def _usage_of(index: int, period: Period) -> list[Line]:
    piece, active = period.piece, period.active
    lines: list[Line] = []
    for bucket, dimension, measure in USAGE[piece.state]:
        component = active.get(dimension)
        if component is None:
            continue
        quantity = measure(piece)
        if quantity > 0:
            lines.append(Line(bucket, index, component, quantity))
    return lines
