"""Price preview: what a planned session would cost, for an eMSP app to show before charging."""

from datetime import datetime, timedelta
from decimal import ROUND_CEILING, Decimal
from zoneinfo import ZoneInfo

from evroam.modules.tariffs.model import Tariff
from evroam.tariffs.engine import PricingResult, price_session
from evroam.tariffs.options import DEFAULT_OPTIONS, PricingOptions
from evroam.tariffs.timeline import SessionState, SessionTimeline, TimelineError, TimelinePoint

MICROSECONDS_PER_HOUR = Decimal(3_600_000_000)
ZERO = Decimal(0)


def estimate_price(
    tariff: Tariff,
    *,
    energy_kwh: Decimal,
    power_kw: Decimal,
    start: datetime,
    time_zone: str | ZoneInfo,
    current_a: Decimal | None = None,
    parking: timedelta = timedelta(0),
    options: PricingOptions = DEFAULT_OPTIONS,
) -> PricingResult:
    """Charge `energy_kwh` at constant `power_kw` from `start`, then park; price it all."""
    if power_kw <= 0 or energy_kwh < 0:
        raise TimelineError("a preview needs a positive power and a non-negative energy")
    hours_in_us = energy_kwh / power_kw * MICROSECONDS_PER_HOUR
    charged = start + timedelta(microseconds=int(hours_in_us.to_integral_value(ROUND_CEILING)))
    points = [TimelinePoint(start, ZERO, SessionState.CHARGING, power_kw, current_a)]
    end = charged + parking
    if parking > timedelta(0):
        points.append(TimelinePoint(charged, energy_kwh, SessionState.PARKING))
    points.append(TimelinePoint(end, energy_kwh, SessionState.END))
    timeline = SessionTimeline(start, end, tuple(points))
    return price_session(tariff, timeline, time_zone, options)
