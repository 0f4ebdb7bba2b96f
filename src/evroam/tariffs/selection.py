"""Per-dimension choice of the active price component (TARIFF-RULES R2, §5; CONFORMANCE I.227-230).

For each dimension separately: the first element in list order that has a component of that
dimension and whose restrictions all hold. For an expired reservation the RESERVATION_EXPIRES
elements come first (the spec's note on TIME; A11 iv).
"""

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from evroam.modules.tariffs.model import (
    PriceComponent,
    ReservationRestrictionType,
    Tariff,
    TariffDimensionType,
    TariffElement,
)
from evroam.tariffs.options import PricingOptions
from evroam.tariffs.restrictions import Moment, evaluate
from evroam.tariffs.segments import Piece
from evroam.tariffs.timeline import SessionState, seconds_between

Dimension = TariffDimensionType


@dataclass(frozen=True)
class ActiveComponent:
    """The component pricing one dimension in one period, and why its element was chosen."""

    element_index: int
    component_index: int
    component: PriceComponent
    reason: str

    @property
    def key(self) -> tuple[int, int]:
        return self.element_index, self.component_index

    @property
    def path(self) -> str:
        return f"elements[{self.element_index}].price_components[{self.component_index}]"


@dataclass(frozen=True)
class Period:
    """A CDR charging period: a piece and its active component per dimension."""

    piece: Piece
    active: dict[Dimension, ActiveComponent]

    @property
    def signature(self) -> tuple[object, ...]:
        """Equal signatures: nothing cost-relevant changes between two adjacent periods."""
        keys = tuple(sorted((d.value, a.key) for d, a in self.active.items()))
        return self.piece.state, self.piece.power_kw, self.piece.current_a, keys


def moment_of(piece: Piece, *, zone: ZoneInfo, charging_start: datetime, expired: bool) -> Moment:
    """What the restrictions see at the start of a piece (constant throughout it)."""
    return Moment(
        local=piece.start.astimezone(zone),
        energy_kwh=piece.energy_start,
        power_kw=piece.power_kw,
        current_a=piece.current_a,
        age_seconds=seconds_between(charging_start, piece.start),
        reservation=piece.state is SessionState.RESERVATION,
        reservation_expired=expired,
    )


PRICED_IN = {
    SessionState.CHARGING: {Dimension.FLAT, Dimension.ENERGY, Dimension.TIME},
    SessionState.PARKING: {Dimension.FLAT, Dimension.ENERGY, Dimension.PARKING_TIME},
    SessionState.RESERVATION: {Dimension.FLAT, Dimension.TIME},
}


def relevant(
    active: dict[Dimension, ActiveComponent], state: SessionState
) -> dict[Dimension, ActiveComponent]:
    """Only the dimensions a state can incur (R4): TIME is not active while parked."""
    return {d: a for d, a in active.items() if d in PRICED_IN[state]}


def choose(
    tariff: Tariff, moment: Moment, options: PricingOptions
) -> dict[Dimension, ActiveComponent]:
    """The active component of every dimension that has one at this moment."""
    active: dict[Dimension, ActiveComponent] = {}
    for index, element in _in_precedence(tariff.elements, moment):
        checks = evaluate(element.restrictions, moment, options)
        if not all(ok for ok, _ in checks):
            continue
        reason = "; ".join(text for _, text in checks) or "no restrictions"
        for position, component in enumerate(element.price_components):
            if component.type not in active:  # first element, first component wins (§5)
                active[component.type] = ActiveComponent(index, position, component, reason)
    return active


def _in_precedence(
    elements: list[TariffElement], moment: Moment
) -> list[tuple[int, TariffElement]]:
    indexed = list(enumerate(elements))
    if not (moment.reservation and moment.reservation_expired):
        return indexed
    expires = [(i, e) for i, e in indexed if _reservation_of(e) is _EXPIRES]
    return expires + [(i, e) for i, e in indexed if _reservation_of(e) is not _EXPIRES]


_EXPIRES = ReservationRestrictionType.RESERVATION_EXPIRES


def _reservation_of(element: TariffElement) -> ReservationRestrictionType | None:
    return element.restrictions.reservation if element.restrictions else None


def merge(periods: list[Period]) -> list[Period]:
    """Join adjacent periods in which nothing cost-relevant changes (extra cuts come for free)."""
    merged: list[Period] = []
    for period in periods:
        last = merged[-1] if merged else None
        if last is None or last.signature != period.signature:
            merged.append(period)
            continue
        piece = _joined(last.piece, period.piece)
        merged[-1] = Period(piece, last.active)
    return merged


def _joined(first: Piece, second: Piece) -> Piece:
    return Piece(
        first.start,
        second.end,
        first.state,
        first.energy_start,
        second.energy_end,
        first.power_kw,
        first.current_a,
    )
