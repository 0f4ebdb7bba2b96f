"""The tariff engine: prices a session timeline with an OCPI 2.2.1 Tariff (TARIFF-RULES.md §0)."""

from evroam.tariffs.engine import PricingResult, price_session, tariff_valid_at, zone_of
from evroam.tariffs.explain import ExplanationLine
from evroam.tariffs.options import (
    DEFAULT_OPTIONS,
    DayOfWeekReading,
    FlatCharging,
    PricingOptions,
    StepTotal,
    TimeRounding,
)
from evroam.tariffs.preview import estimate_price
from evroam.tariffs.timeline import SessionState, SessionTimeline, TimelineError, TimelinePoint

__all__ = [
    "DEFAULT_OPTIONS",
    "DayOfWeekReading",
    "ExplanationLine",
    "FlatCharging",
    "PricingOptions",
    "PricingResult",
    "SessionState",
    "SessionTimeline",
    "StepTotal",
    "TimeRounding",
    "TimelineError",
    "TimelinePoint",
    "estimate_price",
    "price_session",
    "tariff_valid_at",
    "zone_of",
]
