"""Per-dimension choice of the active price component (TARIFF-RULES R2, §5; CONFORMANCE I.227-230).

For each dimension separately: the first element in list order that has a component of that
dimension and whose restrictions all hold. For an expired reservation the RESERVATION_EXPIRES
elements come first (the spec's note on TIME; A11 iv).
"""

from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from zoneinfo import ZoneInfo

from evroam.modules.tariffs.model import PriceComponent, TariffDimensionType, TariffRestrictions
from evroam.tariffs.options import PricingOptions
from evroam.tariffs.plan import TariffPlan
from evroam.tariffs.restrictions import Moment, evaluate
from evroam.tariffs.segments import Piece
from evroam.tariffs.timeline import SessionState, microseconds_between

Dimension = TariffDimensionType
RESERVATION = SessionState.RESERVATION  # looked up once: see flat.py


class Reason:
    """Why an element holds at a moment; written only when an explanation line asks for it."""

    def __init__(
        self, restrictions: TariffRestrictions | None, moment: Moment, options: PricingOptions
    ) -> None:
        self._restrictions, self._moment, self._options = restrictions, moment, options

    @cached_property
    def text(self) -> str:
        checks = evaluate(self._restrictions, self._moment, self._options)
        return "; ".join(text for _, text in checks) or "no restrictions"


@dataclass  # not frozen: built per period, and frozen init costs 4x (bench/tariff_engine.py)
class ActiveComponent:
    """The component pricing one dimension in one period, and why its element was chosen."""

    element_index: int
    component_index: int
    component: PriceComponent
    why: Reason

    @property
    def key(self) -> tuple[int, int]:
        return self.element_index, self.component_index

    @property
    def reason(self) -> str:
        return self.why.text

    @property
    def path(self) -> str:
        return f"elements[{self.element_index}].price_components[{self.component_index}]"


@dataclass  # not frozen: built per period, and frozen init costs 4x (bench/tariff_engine.py)
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
    local = piece.start.astimezone(zone)
    seconds = (local.hour * 60 + local.minute) * 60 + local.second
    of_day = seconds * 1_000_000 + local.microsecond
    age = microseconds_between(charging_start, piece.start)
    reservation = piece.state is RESERVATION
    # Positional: keywords double the cost of building this object, once per period.
    return Moment(
        local,
        of_day,
        piece.energy_start,
        piece.power_kw,
        piece.current_a,
        age,
        reservation,
        expired,
    )


class Chooser:
    """Asked once per period, with the tariff's elements prepared once (plan.py)."""

    def __init__(self, plan: TariffPlan, options: PricingOptions) -> None:
        self._plan, self._options = plan, options

    def choose(self, moment: Moment, state: SessionState) -> dict[Dimension, ActiveComponent]:
        """The active component of every dimension the state can incur (R4: TIME is not active
        while parked) that has one at this moment."""
        candidates = self._plan.candidates[state, moment.reservation_expired]
        missing = set(candidates.dimensions)
        active: dict[Dimension, ActiveComponent] = {}
        for element in candidates.elements:
            if missing.isdisjoint(element.dimensions):
                continue
            if element.holds is not None and not element.holds(moment):
                continue
            reason = Reason(element.element.restrictions, moment, self._options)
            for position, component, dimension in element.components:
                if dimension in missing:  # first element, first component wins (§5)
                    active[dimension] = ActiveComponent(element.index, position, component, reason)
                    missing.discard(dimension)
            if not missing:
                break
        return active


def merge(periods: list[Period]) -> list[Period]:
    """Join adjacent periods in which nothing cost-relevant changes (extra cuts come for free)."""
    merged: list[Period] = []
    last_signature: tuple[object, ...] | None = None
    for period in periods:
        signature = _cost_signature(period)
        if signature != last_signature:
            merged.append(period)
            last_signature = signature
            continue
        last = merged[-1]
        merged[-1] = Period(_joined(last.piece, period.piece), last.active)
    return merged


def _cost_signature(period: Period) -> tuple[object, ...]:
    """Equal exactly when `Period.signature` is, without sorting: `choose` inserts components
    in precedence order, which is the same for two periods of one state."""
    piece, active = period.piece, period.active
    keys = [(d, a.element_index, a.component_index) for d, a in active.items()]
    return piece.state, piece.power_kw, piece.current_a, keys


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
