"""FLAT: a fixed amount per session, and one per reservation (TARIFF-RULES R7, R10, §9, A7)."""

from decimal import Decimal

from evroam.modules.tariffs.model import TariffDimensionType
from evroam.tariffs.lines import Bucket, Line
from evroam.tariffs.options import FlatCharging, PricingOptions
from evroam.tariffs.selection import Period
from evroam.tariffs.timeline import SessionState

ONE = Decimal(1)
# Enum members looked up once: on Python 3.11 `Enum.MEMBER` costs ten times a global, and
# these are tested for every period.
FLAT = TariffDimensionType.FLAT
RESERVATION = SessionState.RESERVATION


def flat_lines(periods: list[Period], options: PricingOptions) -> list[Line]:
    """Session FLAT to total_fixed_cost, reservation FLAT to total_reservation_cost."""
    lines: list[Line] = []
    for bucket in (Bucket.RESERVATION, Bucket.FIXED):
        lines.extend(_flats(periods, bucket, options.flat))
    return sorted(lines, key=lambda line: line.period_index)


def _flats(periods: list[Period], bucket: Bucket, rule: FlatCharging) -> list[Line]:
    reservation = bucket is Bucket.RESERVATION
    lines: list[Line] = []
    seen: set[tuple[int, int]] = set()
    for index, period in enumerate(periods):
        active = period.active.get(FLAT)
        if active is None or (period.piece.state is RESERVATION) != reservation:
            continue
        if rule is FlatCharging.ONCE and lines:
            break
        if rule is FlatCharging.EACH_COMPONENT and active.key in seen:
            continue
        seen.add(active.key)
        lines.append(Line(bucket, index, active, ONE))
    return lines
