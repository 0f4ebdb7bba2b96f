"""The explanation: one line per priced quantity, saying which component priced it and why."""

from dataclasses import dataclass
from decimal import Decimal

from evroam.modules.tariffs.model import TariffDimensionType
from evroam.tariffs.lines import Bucket, Line, excl_vat, incl_vat

Dimension = TariffDimensionType
UNITS = {Dimension.ENERGY: "kWh", Dimension.TIME: "h", Dimension.PARKING_TIME: "h"}


@dataclass(frozen=True)
class ExplanationLine:
    """A priced quantity (subject = the dimension) or a note on the total (no quantity)."""

    subject: str
    reason: str
    period: int | None = None
    element: int | None = None
    component: int | None = None
    quantity: Decimal | None = None
    unit: str | None = None
    price: Decimal | None = None
    vat: Decimal | None = None
    excl_vat: Decimal | None = None
    incl_vat: Decimal | None = None

    @property
    def text(self) -> str:
        if self.quantity is None:
            return f"{self.subject}: {self.reason}"
        vat = "no VAT" if self.vat is None else f"VAT {self.vat}%"
        where = f"elements[{self.element}].price_components[{self.component}]"
        return (
            f"period {self.period} {self.subject} {where}: {show(self.quantity)} {self.unit}"
            f" x {self.price} = {show(self.excl_vat)} excl, {vat} -> {show(self.incl_vat)} incl"
            f" ({self.reason})"
        )


def explain(lines: list[Line], notes: list[str]) -> list[ExplanationLine]:
    explained = [_line(line) for line in lines]
    return explained + [ExplanationLine(subject="total_cost", reason=note) for note in notes]


def _line(line: Line) -> ExplanationLine:
    component = line.active.component
    excl = excl_vat(line.active, line.quantity)
    reservation = line.bucket is Bucket.RESERVATION
    subject = ("RESERVATION_" if reservation else "") + line.dimension.value
    reason = (
        line.step_note
        or f"first element with {line.dimension.value} that holds: {line.active.reason}"
    )
    if line.dimension is Dimension.FLAT:
        reason = f"once per {'reservation' if reservation else 'session'}; {reason}"
    return ExplanationLine(
        subject=subject,
        reason=reason,
        period=line.period_index,
        element=line.active.element_index,
        component=line.active.component_index,
        quantity=line.billed,
        unit=UNITS.get(line.dimension, "session"),
        price=component.price,
        vat=component.vat,
        excl_vat=excl,
        incl_vat=incl_vat(line.active, excl),
    )


def show(value: Decimal | None) -> str:
    """A readable figure for text (at most 6 decimals); JSON keeps full precision."""
    if value is None:
        return "-"
    rounded = value.quantize(Decimal("0.000001")).normalize()
    return f"{rounded:f}" if rounded == value else f"~{rounded:f}"
