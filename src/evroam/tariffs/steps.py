"""step_size: once per session on the total, extra billed at the last component (R6, §8, A5, A6).

ENERGY is rounded in Wh; TIME and PARKING_TIME share one rounding in seconds; reservation
TIME is rounded on its own. step_size <= 0 means no rounding (A8).
"""

from collections.abc import Sequence
from decimal import Decimal

from evroam.modules.tariffs.model import TariffDimensionType
from evroam.tariffs.lines import Bucket, Line
from evroam.tariffs.options import PricingOptions, StepTotal, TimeRounding
from evroam.tariffs.selection import Period
from evroam.tariffs.timeline import SessionState

Dimension = TariffDimensionType
WH_PER_KWH = Decimal(1000)
ONE = Decimal(1)
# Looked up once: on Python 3.11 `Enum.MEMBER` costs ten times a global; these run per line.
FLAT = Dimension.FLAT
TIMED = frozenset({Bucket.TIME, Bucket.PARKING})


def step_lines(lines: list[Line], periods: list[Period], options: PricingOptions) -> list[Line]:
    """The round-up lines, at most one per rounded total."""
    measured = options.step_total is StepTotal.MEASURED
    groups = [
        _group(lines, periods, {Bucket.ENERGY}, measured),
        _time_group(lines, periods, options.time_rounding, measured),
        _group(lines, periods, {Bucket.RESERVATION}, measured),
    ]
    rounded = (_round_up(group, total) for group, total in groups)
    return [line for line in rounded if line is not None]


Group = tuple[list[Line], Decimal]


def _group(lines: list[Line], periods: list[Period], buckets: set[Bucket], measured: bool) -> Group:
    chosen = [line for line in lines if line.bucket in buckets and line.dimension is not FLAT]
    if not measured:
        return chosen, sum((line.quantity for line in chosen), Decimal(0))
    return chosen, sum((_measured(p, buckets) for p in periods), Decimal(0))


def _measured(period: Period, buckets: set[Bucket]) -> Decimal:
    """A5 reading (b): the whole measured quantity, priced or not."""
    piece = period.piece
    by_state = {
        SessionState.CHARGING: Bucket.TIME,
        SessionState.PARKING: Bucket.PARKING,
        SessionState.RESERVATION: Bucket.RESERVATION,
    }
    if Bucket.ENERGY in buckets:
        return piece.energy_kwh
    return piece.seconds if by_state.get(piece.state) in buckets else Decimal(0)


def _time_group(
    lines: list[Line], periods: list[Period], rule: TimeRounding, measured: bool
) -> Group:
    parked = Bucket.PARKING in {line.bucket for line in lines}
    timed = [line for line in lines if line.bucket in TIMED]
    if rule is TimeRounding.COMBINED:
        return _group(lines, periods, {Bucket.TIME, Bucket.PARKING}, measured)
    if rule is TimeRounding.LAST_DIMENSION and timed:
        return _group(lines, periods, {timed[-1].bucket}, measured)
    return _group(lines, periods, {Bucket.PARKING if parked else Bucket.TIME}, measured)


def _round_up(group: Sequence[Line], total: Decimal) -> Line | None:
    if not group:
        return None
    last = max(group, key=lambda line: line.period_index)
    step = last.active.component.step_size
    if step <= 0:
        return None
    scale = WH_PER_KWH if last.dimension is Dimension.ENERGY else ONE
    base = total * scale
    blocks, rest = divmod(base, step)
    if rest == 0:
        return None
    billed = (blocks + 1) * step
    unit = "Wh" if scale == WH_PER_KWH else "s"
    note = f"step_size {step} {unit}: total {base.normalize():f} {unit} billed as {billed} {unit}"
    return Line(last.bucket, last.period_index, last.active, (billed - base) / scale, note)
