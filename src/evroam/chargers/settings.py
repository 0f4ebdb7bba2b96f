"""Settings of the CPO's charge points (`[chargers]`): which network, and its simulated time."""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class ChargersSettings(BaseModel):
    """How a CPO server reaches its charge points and answers commands."""

    model_config = ConfigDict(extra="forbid")
    kind: Literal["simulated", "none"] = Field(
        default="none",
        description="`simulated`: a network built from our stored Locations (demos, tests,"
        " trying a roaming connection); `none` (default): no charge points are reachable yet,"
        " commands are answered NOT_SUPPORTED and no EVSE status is invented.",
    )
    seed: int = Field(default=0, description="Seed of the simulator's cars and drivers.")
    speed: float = Field(
        default=1.0, gt=0, le=10_000, description="Simulated seconds per real second (demo: 60)."
    )
    meter_interval_seconds: float = Field(
        default=60.0, gt=0, description="Simulated seconds between meter values of a session."
    )
    tick_seconds: float = Field(
        default=10.0, gt=0, description="Simulated seconds between two steps of the simulator."
    )
    command_timeout_seconds: int = Field(
        default=30,
        ge=2,
        le=3600,
        description="The timeout announced in every CommandResponse: the charge point's result"
        " is POSTed within it (a TIMEOUT result when the charge point does not answer).",
    )
    signed_meter_values: bool = Field(
        default=True,
        description="Simulated meters sign each session's start and end readings; the CDR"
        " carries them unchanged in signed_data.",
    )
    publish_status: bool = Field(
        default=True,
        description="Write EVSE status changes reported by the chargers to our Locations (pushed).",
    )
