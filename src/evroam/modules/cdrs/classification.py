"""Why a CDR's totals differ from ours: compare them, then try the explanations in turn.

The rules are listed in modules/cdrs/reconciliation.py (rule 6); each alternative is a real
re-pricing with another reading of OCPI (TARIFF-RULES §15), another zone, or cent rounding.
"""

from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from enum import StrEnum

from pydantic import BaseModel

from evroam.model import Price
from evroam.modules.cdrs.model import Cdr
from evroam.modules.tariffs.model import Tariff
from evroam.protocol.types import Number
from evroam.tariffs import (
    DayOfWeekReading,
    FlatCharging,
    PricingOptions,
    SessionTimeline,
    StepTotal,
    TimelineError,
    TimeRounding,
    price_session,
)
from evroam.tariffs.totals import Money, Totals

EMITTED = Decimal("0.0001")  # OCPI numbers carry 4 decimals (R12)
CENT = Decimal("0.01")
SUB_TOTALS = (
    "total_fixed_cost",
    "total_energy_cost",
    "total_time_cost",
    "total_parking_cost",
    "total_reservation_cost",
)
MONEY_TOTALS = ("total_cost", *SUB_TOTALS)
ROUNDINGS = (ROUND_HALF_UP, ROUND_HALF_EVEN)


class Cause(StrEnum):
    ROUNDING = "ROUNDING"
    STEP_SIZE = "STEP_SIZE"
    ELEMENT_CHOICE = "ELEMENT_CHOICE"
    TIME_ZONE = "TIME_ZONE"
    TARIFF_UNKNOWN = "TARIFF_UNKNOWN"
    VAT = "VAT"
    ENERGY = "ENERGY"
    UNPRICEABLE = "UNPRICEABLE"
    UNEXPLAINED = "UNEXPLAINED"


class Difference(BaseModel):
    """One CDR value that disagrees with ours (`side` None for total_energy)."""

    field: str
    side: str | None
    cdr: Number
    ours: Number
    difference: Number


def difference(field: str, side: str | None, cdr: Decimal, ours: Decimal) -> Difference:
    return Difference(field=field, side=side, cdr=cdr, ours=emit(ours), difference=emit(cdr - ours))


def emit(value: Decimal) -> Decimal:
    return value.quantize(EMITTED, ROUND_HALF_EVEN)


@dataclass(frozen=True)
class Pricing:
    """What we priced the CDR with."""

    tariff: Tariff
    timeline: SessionTimeline
    zone: str

    def totals(self, options: PricingOptions | None = None) -> Totals:
        return price_session(
            self.tariff, self.timeline, self.zone, options or PricingOptions()
        ).totals


Reprice = Callable[[Pricing], Totals]


def compare(cdr: Cdr, ours: Totals, tolerance: Decimal) -> list[Difference]:
    """Every money total the CDR gives, excl and incl VAT, that differs from ours."""
    return [
        difference(field, side, theirs, mine)
        for field, side, theirs, mine in _pairs(cdr, ours)
        if abs(theirs - mine) > tolerance
    ]


def _pairs(cdr: Cdr, ours: Totals) -> list[tuple[str, str, Decimal, Decimal]]:
    """(field, side, CDR value, our value) for every value present on the CDR."""
    pairs: list[tuple[str, str, Decimal, Decimal]] = []
    for field in MONEY_TOTALS:
        price: Price | None = getattr(cdr, field)
        if price is None:
            continue
        money: Money = getattr(ours, field)
        pairs.append((field, "excl_vat", price.excl_vat, money.excl_vat))
        if price.incl_vat is not None:
            pairs.append((field, "incl_vat", price.incl_vat, money.incl_vat))
    return pairs


def classify(
    cdr: Cdr, pricing: Pricing, ours: Totals, differences: list[Difference], tolerance: Decimal
) -> tuple[list[Cause], list[str]]:
    """The first explanation that makes every CDR total agree (reconciliation rule 6)."""
    if rounds_to(cdr, ours, tolerance):
        return [Cause.ROUNDING], ["the CDR's amounts are ours rounded to cents"]
    if all(d.side == "incl_vat" for d in differences):
        return [Cause.VAT], ["excl VAT totals agree, incl VAT differs: VAT rate or VAT basis"]
    for cause, label, reprice in alternatives(pricing):
        try:
            totals = reprice(pricing)
        except TimelineError:
            continue
        if not compare(cdr, totals, tolerance):
            return [cause], [f"the totals agree when {label}"]
        if rounds_to(cdr, totals, tolerance):
            return [cause, Cause.ROUNDING], [f"the totals agree when {label}, in cents"]
    return [Cause.UNEXPLAINED], ["no other reading, zone or rounding explains the difference"]


def alternatives(pricing: Pricing) -> list[tuple[Cause, str, Reprice]]:
    """The other readings partners use (TARIFF-RULES §15) and what each would change."""
    found: list[tuple[Cause, str, Reprice]] = [
        (Cause.STEP_SIZE, f"step_size {label}", _reading(options))
        for label, options in STEP_READINGS
    ]
    found.append((Cause.STEP_SIZE, "step_size is ignored", _without_steps))
    found += [(Cause.ELEMENT_CHOICE, label, _reading(options)) for label, options in CHOICES]
    if pricing.zone != "UTC":
        found.append((Cause.TIME_ZONE, f"priced in UTC instead of {pricing.zone}", _in_utc))
    return found


STEP_READINGS = (
    ("rounds the measured total (A5 b)", PricingOptions(step_total=StepTotal.MEASURED)),
    (
        "rounds TIME and PARKING_TIME together (A6, 2.2-d2)",
        PricingOptions(time_rounding=TimeRounding.COMBINED),
    ),
    (
        "rounds the last time-based dimension (A6, ocpi/ocpi#289)",
        PricingOptions(time_rounding=TimeRounding.LAST_DIMENSION),
    ),
)
CHOICES = (
    (
        "day_of_week follows the window's start (A3 b)",
        PricingOptions(day_of_week=DayOfWeekReading.WINDOW_START),
    ),
    ("each distinct FLAT is charged (A7)", PricingOptions(flat=FlatCharging.EACH_COMPONENT)),
    ("FLAT is charged per period (A7)", PricingOptions(flat=FlatCharging.PER_PERIOD)),
)


def _reading(options: PricingOptions) -> Reprice:
    return lambda pricing: pricing.totals(options)


def _without_steps(pricing: Pricing) -> Totals:
    data = pricing.tariff.model_dump()
    for element in data["elements"]:
        for component in element["price_components"]:
            component["step_size"] = 0
    return Pricing(Tariff.model_validate(data), pricing.timeline, pricing.zone).totals()


def _in_utc(pricing: Pricing) -> Totals:
    return Pricing(pricing.tariff, pricing.timeline, "UTC").totals()


def rounds_to(cdr: Cdr, ours: Totals, tolerance: Decimal) -> bool:
    """Each CDR value is ours rounded to cents (half up or half even); total_cost may also be
    the sum of the rounded sub-totals."""
    for field, side, theirs, mine in _pairs(cdr, ours):
        candidates = [mine.quantize(CENT, mode) for mode in ROUNDINGS]
        if field == "total_cost":
            candidates += [_sum_of_rounded(ours, side, mode) for mode in ROUNDINGS]
        if not any(abs(theirs - candidate) <= tolerance for candidate in candidates):
            return False
    return True


def _sum_of_rounded(ours: Totals, side: str, mode: str) -> Decimal:
    parts = (getattr(getattr(ours, name), side) for name in SUB_TOTALS)
    return sum((part.quantize(CENT, mode) for part in parts), Decimal(0))
