"""Engine options: the readings of OCPI ambiguities that real partner populations differ on.

The defaults are the readings TARIFF-RULES §15 adopts; each alternative names its source.
"""

from dataclasses import dataclass
from enum import StrEnum


class DayOfWeekReading(StrEnum):
    """A3: is Saturday 02:00 inside a Friday-only 20:00-06:00 window?"""

    INSTANT = "INSTANT"
    """Adopted: day_of_week is tested on the instant's own local weekday (ocpi-tariffs)."""
    WINDOW_START = "WINDOW_START"
    """The after-midnight part of a wrapping window belongs to the day it started
    (tandemdrive/ocpi-tariffs#64)."""


class StepTotal(StrEnum):
    """A5: which total step_size rounds."""

    PRICED = "PRICED"
    """Adopted: only the quantity priced by a component of that dimension (2025 errata, €0.73)."""
    MEASURED = "MEASURED"
    """The whole measured quantity, extra billed at the last priced component (ocpi-tariffs 0.6,
    the original 2.2.1 example result €0.78)."""


class TimeRounding(StrEnum):
    """A6: how TIME and PARKING_TIME share their one rounding."""

    PARKING_ONLY = "PARKING_ONLY"
    """Adopted (2.2.1 rule text, ocpi-tariffs): when parking was priced only parking is rounded,
    otherwise charging time."""
    COMBINED = "COMBINED"
    """2.2-d2 text: round TIME + PARKING_TIME together, extra to the last time-based component."""
    LAST_DIMENSION = "LAST_DIMENSION"
    """ocpi/ocpi#289 wording: round only the dimension priced last in the session."""


class FlatCharging(StrEnum):
    """A7: how often a FLAT component is charged."""

    ONCE = "ONCE"
    """Adopted: once per session, the first FLAT to become active (ocpi-tariffs >= 0.6.1)."""
    EACH_COMPONENT = "EACH_COMPONENT"
    """Once for every distinct FLAT component that becomes active."""
    PER_PERIOD = "PER_PERIOD"
    """Once per charging period in which it is active (ocpi-tariffs before 0.6.1)."""


@dataclass(frozen=True)
class PricingOptions:
    day_of_week: DayOfWeekReading = DayOfWeekReading.INSTANT
    step_total: StepTotal = StepTotal.PRICED
    time_rounding: TimeRounding = TimeRounding.PARKING_ONLY
    flat: FlatCharging = FlatCharging.ONCE


DEFAULT_OPTIONS = PricingOptions()
