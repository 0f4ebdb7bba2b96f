"""Settings of the pull sync: the scheduled run in the server and the incremental overlap."""

import os

from pydantic import BaseModel, ConfigDict, Field


def _cores() -> int:
    return min(os.cpu_count() or 1, 4)


class SyncSettings(BaseModel):
    """How often the server pulls partners' Locations and Tariffs, and how far back it looks."""

    model_config = ConfigDict(extra="forbid")
    enabled: bool = Field(default=True, description="Run the scheduled pull inside the server.")
    interval_seconds: float = Field(
        default=3600.0, gt=0, description="Time between scheduled pulls (spec: hours, §1.6)."
    )
    overlap_seconds: float = Field(
        default=300.0, ge=0, description="Incremental pulls start this long before the watermark."
    )
    full_every: int = Field(
        default=24, ge=1, description="Every n-th scheduled run is a full pull (removes stale)."
    )
    splay_seconds: float = Field(
        default=300.0, ge=0, description="Random delay before the first run (§1.6 polling advice)."
    )
    workers: int = Field(
        default_factory=_cores,
        ge=0,
        description="Processes validating the pages of a large pull (default: cores, at most 4;"
        " 0: all in the pulling process).",
    )
    parallel_from: int = Field(
        default=5000,
        ge=0,
        description="A pull is large, and uses the workers, when the partner's X-Total-Count"
        " reaches this.",
    )


def sync_settings(settings: object) -> SyncSettings:
    """The `sync` group of the settings, or the defaults until the group is declared there."""
    found = getattr(settings, "sync", None)
    return found if isinstance(found, SyncSettings) else SyncSettings()
