"""SESSION.json: the timeline file `evroam tariffs price` reads (fixed; other tools write it)."""

import json
from decimal import Decimal
from typing import Any

from pydantic import Field

from evroam.model import OcpiObject
from evroam.protocol.timestamps import OcpiDateTime
from evroam.protocol.types import Number
from evroam.tariffs.timeline import SessionState, SessionTimeline, TimelinePoint

ZERO = Decimal(0)


class SessionFilePoint(OcpiObject):
    """Opens [at, next at); power absent means 0 kW, current absent means unknown."""

    at: OcpiDateTime
    energy_kwh: Number = Field(ge=0)
    state: SessionState
    power_kw: Number | None = Field(default=None, ge=0)
    current_a: Number | None = Field(default=None, ge=0)


class SessionFile(OcpiObject):
    start_date_time: OcpiDateTime
    end_date_time: OcpiDateTime
    reservation_expired: bool = False
    timeline: list[SessionFilePoint] = Field(min_length=2)

    def to_timeline(self) -> SessionTimeline:
        """The engine's timeline; raises TimelineError when the points do not make a session."""
        return SessionTimeline(
            start_date_time=self.start_date_time,
            end_date_time=self.end_date_time,
            reservation_expired=self.reservation_expired,
            points=tuple(
                TimelinePoint(p.at, p.energy_kwh, p.state, p.power_kw or ZERO, p.current_a)
                for p in self.timeline
            ),
        )


def load_json(text: str) -> Any:
    """JSON with every non-integer number as an exact Decimal, never a float."""
    return json.loads(text, parse_float=Decimal)
