"""CDR totals from the priced lines, then the min/max price clamp (TARIFF-RULES R9, R11)."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from evroam.model import Price
from evroam.modules.tariffs.model import Tariff
from evroam.tariffs.lines import Bucket, Line, excl_vat, incl_vat
from evroam.tariffs.selection import ActiveComponent, Period
from evroam.tariffs.timeline import SessionState, seconds_between

ZERO = Decimal(0)
SECONDS_PER_HOUR = Decimal(3600)


@dataclass  # not frozen: built per period, and frozen init costs 4x (bench/tariff_engine.py)
class Money:
    excl_vat: Decimal
    incl_vat: Decimal

    def __add__(self, other: "Money") -> "Money":
        return Money(self.excl_vat + other.excl_vat, self.incl_vat + other.incl_vat)

    def as_price(self) -> Price:
        return Price(excl_vat=self.excl_vat, incl_vat=self.incl_vat)


NOTHING = Money(ZERO, ZERO)
BUCKETS = tuple(Bucket)
PARKING = SessionState.PARKING  # looked up once: see flat.py


@dataclass(frozen=True)
class Totals:
    """Every CDR total; quantities in kWh and hours, money unrounded (R12)."""

    total_cost: Money
    total_fixed_cost: Money
    total_energy: Decimal
    total_energy_cost: Money
    total_time: Decimal
    total_time_cost: Money
    total_parking_time: Decimal
    total_parking_cost: Money
    total_reservation_cost: Money


def bucket_costs(lines: list[Line]) -> dict[Bucket, Money]:
    """Sum quantities per component first, then price them: a cut never changes a total."""
    quantities: dict[tuple[Bucket, int, int], Decimal] = defaultdict(Decimal)
    components: dict[tuple[int, int], ActiveComponent] = {}
    for line in lines:
        active = line.active
        element, component = active.element_index, active.component_index
        quantities[line.bucket, element, component] += line.quantity
        components[element, component] = active
    excl_sums, incl_sums = dict.fromkeys(BUCKETS, ZERO), dict.fromkeys(BUCKETS, ZERO)
    for (bucket, element, component), quantity in quantities.items():
        active = components[element, component]
        excl = excl_vat(active, quantity)
        excl_sums[bucket] += excl
        incl_sums[bucket] += incl_vat(active, excl)
    return {bucket: Money(excl_sums[bucket], incl_sums[bucket]) for bucket in BUCKETS}


def compute_totals(
    tariff: Tariff, periods: list[Period], lines: list[Line], span: tuple[datetime, datetime]
) -> tuple[Totals, list[str]]:
    """All totals; the notes say when min_price or max_price changed total_cost."""
    costs = bucket_costs(lines)
    summed = sum(costs.values(), NOTHING)
    total, notes = clamp(tariff, summed)
    parked = [p.piece for p in periods if p.piece.state is PARKING]
    parking = sum((piece.seconds for piece in parked), ZERO)
    return (
        Totals(
            total_cost=total,
            total_fixed_cost=costs[Bucket.FIXED],
            total_energy=sum((p.piece.energy_kwh for p in periods), ZERO),
            total_energy_cost=costs[Bucket.ENERGY],
            total_time=seconds_between(*span) / SECONDS_PER_HOUR,
            total_time_cost=costs[Bucket.TIME],
            total_parking_time=parking / SECONDS_PER_HOUR,
            total_parking_cost=costs[Bucket.PARKING],
            total_reservation_cost=costs[Bucket.RESERVATION],
        ),
        notes,
    )


def clamp(tariff: Tariff, summed: Money) -> tuple[Money, list[str]]:
    """min/max price bound excl and incl independently; a bound without incl_vat leaves incl
    alone (R9, A9, A10; CONFORMANCE I.257). Sub-totals are not clamped."""
    excl, incl = summed.excl_vat, summed.incl_vat
    notes: list[str] = []
    for name, bound, pick in (
        ("min_price", tariff.min_price, max),
        ("max_price", tariff.max_price, min),
    ):
        if bound is None:
            continue
        new_excl = pick(excl, bound.excl_vat)
        new_incl = incl if bound.incl_vat is None else pick(incl, bound.incl_vat)
        if (new_excl, new_incl) != (excl, incl):
            notes.append(f"{name} {_money(bound)} changed total_cost from {_pair(excl, incl)}")
        excl, incl = new_excl, new_incl
    return Money(excl, incl), notes


def _money(price: Price) -> str:
    return _pair(price.excl_vat, price.incl_vat)


def _pair(excl: Decimal, incl: Decimal | None) -> str:
    return f"{excl} excl / {incl if incl is not None else '-'} incl VAT"
