"""A tariff prepared for pricing: what every session priced with it would work out again.

Element tests, dimensions and components, and the points where the timeline must be cut, all
follow from the tariff and the options alone. They are kept for the most recently used
tariffs, so a CPO or eMSP pricing many sessions under one tariff prepares it once.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from threading import Lock
from typing import TypeVar

from evroam.modules.tariffs.model import (
    PriceComponent,
    ReservationRestrictionType,
    Tariff,
    TariffDimensionType,
    TariffElement,
    TariffRestrictions,
)
from evroam.tariffs.clock import parse_minutes
from evroam.tariffs.options import PricingOptions
from evroam.tariffs.restrictions import Test, predicate, reservation_allows
from evroam.tariffs.timeline import SessionState

Dimension = TariffDimensionType
MOST_PLANS = 256
T = TypeVar("T")


@dataclass(frozen=True)
class ElementPlan:
    """One element as the component choice needs it (TARIFF-RULES R2)."""

    index: int
    element: TariffElement
    dimensions: frozenset[Dimension]
    components: tuple[tuple[int, PriceComponent, Dimension], ...]
    """(position, component, its dimension)"""
    holds: Test | None
    """The restrictions that depend on the instant; None: the element holds at every instant
    of the states it is a candidate for."""


PRICED_IN = {
    SessionState.CHARGING: frozenset({Dimension.FLAT, Dimension.ENERGY, Dimension.TIME}),
    SessionState.PARKING: frozenset({Dimension.FLAT, Dimension.ENERGY, Dimension.PARKING_TIME}),
    SessionState.RESERVATION: frozenset({Dimension.FLAT, Dimension.TIME}),
}
"""The dimensions a state can incur (R4: TIME is not active while parked)."""


@dataclass(frozen=True)
class Candidates:
    """What a period in one state can be priced by: the dimensions both the state incurs and
    the tariff has, and the elements with one of them in precedence order (the search for a
    component can stop once each dimension has one)."""

    dimensions: frozenset[Dimension]
    elements: tuple[ElementPlan, ...]


@dataclass(frozen=True)
class TariffPlan:
    candidates: dict[tuple[SessionState, bool], Candidates]
    """By state and whether the reservation expired unused."""
    boundary_steps: tuple[timedelta, ...]
    """Local times where a restriction can change, as offsets from local midnight."""
    kwh_thresholds: frozenset[Decimal]
    duration_thresholds: frozenset[int]
    restricts_current: bool


_plans: dict[tuple[int, PricingOptions], tuple[Tariff, datetime, TariffPlan]] = {}
_lock = Lock()


def plan_of(tariff: Tariff, options: PricingOptions) -> TariffPlan:
    """The tariff's plan, prepared on first use. An entry holds its Tariff, so the id in its key
    cannot be reused by another object while it lives; a tariff replaced under the same object
    shows a new `last_updated` (Tariffs §11.3.1) and is prepared again. Tariffs are treated
    as values: one changed in place without a new `last_updated` is not seen."""
    key = (id(tariff), options)
    entry = _plans.get(key)
    if entry is not None and entry[0] is tariff and entry[1] == tariff.last_updated:
        return entry[2]
    plan = _prepare(tariff, options)
    with _lock:
        _plans.pop(key, None)
        while len(_plans) >= MOST_PLANS:
            del _plans[next(iter(_plans))]  # the oldest prepared (dicts keep insertion order)
        _plans[key] = (tariff, tariff.last_updated, plan)
    return plan


def _prepare(tariff: Tariff, options: PricingOptions) -> TariffPlan:
    elements = tuple(_element_plan(i, e, options) for i, e in enumerate(tariff.elements))
    restrictions = [e.restrictions for e in tariff.elements if e.restrictions is not None]
    return TariffPlan(
        candidates={
            (state, expired): _candidates(elements, state, expired)
            for state in PRICED_IN
            for expired in (False, True)
        },
        boundary_steps=tuple(timedelta(minutes=m) for m in sorted(_boundary_minutes(restrictions))),
        kwh_thresholds=_present(r.min_kwh for r in restrictions)
        | _present(r.max_kwh for r in restrictions),
        duration_thresholds=_present(r.min_duration for r in restrictions)
        | _present(r.max_duration for r in restrictions),
        restricts_current=any(
            r.min_current is not None or r.max_current is not None for r in restrictions
        ),
    )


def _element_plan(index: int, element: TariffElement, options: PricingOptions) -> ElementPlan:
    return ElementPlan(
        index=index,
        element=element,
        dimensions=frozenset(c.type for c in element.price_components),
        components=tuple((i, c, c.type) for i, c in enumerate(element.price_components)),
        holds=predicate(element.restrictions, options),
    )


def _candidates(
    elements: tuple[ElementPlan, ...], state: SessionState, expired: bool
) -> Candidates:
    reservation = state is SessionState.RESERVATION
    if reservation and expired:
        # A11 iv: for an expired reservation the RESERVATION_EXPIRES elements come first.
        expires = tuple(e for e in elements if _reservation_of(e.element) is _EXPIRES)
        elements = expires + tuple(e for e in elements if e not in expires)
    # The reservation restriction depends on the state alone: settled here, once.
    usable = tuple(
        e
        for e in elements
        if reservation_allows(_reservation_of(e.element), reservation=reservation, expired=expired)
    )
    tariff_has = frozenset(d for e in usable for d in e.dimensions)
    dimensions = PRICED_IN[state] & tariff_has
    return Candidates(dimensions, tuple(e for e in usable if e.dimensions & dimensions))


_EXPIRES = ReservationRestrictionType.RESERVATION_EXPIRES


def _reservation_of(element: TariffElement) -> ReservationRestrictionType | None:
    return element.restrictions.reservation if element.restrictions else None


def _boundary_minutes(restrictions: list[TariffRestrictions]) -> frozenset[int]:
    minutes = {0}  # midnight: day_of_week, dates, windows open at one end.
    for r in restrictions:
        minutes.update(parse_minutes(t) for t in (r.start_time, r.end_time) if t is not None)
    return frozenset(minutes)


def _present(values: Iterable[T | None]) -> frozenset[T]:
    return frozenset(v for v in values if v is not None)
