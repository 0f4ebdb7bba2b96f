"""Opening and access hours of a Location (2.2.1 Locations §8.4.11, §8.4.14, §8.4.21)."""

from typing import Annotated, Self

from pydantic import Field, StringConstraints, model_validator

from evroam.model import OcpiObject
from evroam.protocol.timestamps import OcpiDateTime

# Local time `HH:MM`, 24h with leading zeros (Locations §8.4.21). 24:00 does not exist, so a
# period ends at the latest at 23:59 and a period crossing midnight is split over two weekdays.
LocalTime = Annotated[str, StringConstraints(pattern=r"^([0-1][0-9]|2[0-3]):[0-5][0-9]$")]


class RegularHours(OcpiObject):
    """One weekly recurring period; weekday 1 is Monday, 7 is Sunday."""

    weekday: Annotated[int, Field(ge=1, le=7)]
    period_begin: LocalTime
    period_end: LocalTime

    @model_validator(mode="after")
    def _end_after_begin(self) -> Self:
        # "Must be later than period_begin": the zero-padded form sorts as text.
        if self.period_end <= self.period_begin:
            raise ValueError("period_end must be later than period_begin (split overnight hours)")
        return self


class ExceptionalPeriod(OcpiObject):
    """A one-off opening or closing, in UTC (convert with the Location's `time_zone`)."""

    period_begin: OcpiDateTime
    period_end: OcpiDateTime


class Hours(OcpiObject):
    """When the EVSEs can be reached; closings override regular hours and openings."""

    twentyfourseven: bool
    regular_hours: list[RegularHours] | None = None
    exceptional_openings: list[ExceptionalPeriod] | None = None
    exceptional_closings: list[ExceptionalPeriod] | None = None

    @model_validator(mode="after")
    def _regular_hours_when_not_always_open(self) -> Self:
        if not self.twentyfourseven and not self.regular_hours:
            raise ValueError("regular_hours needs at least one entry when twentyfourseven is false")
        return self
