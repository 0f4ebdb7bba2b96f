"""OCPI 2.2.1 Sessions module wire models (chapter 9): in 2.2.1 they equal the domain models."""

from evroam.modules.cdrs.model import AuthMethod, CdrDimensionType, CdrToken, ChargingPeriod
from evroam.modules.sessions.model import (
    ChargingPreferences,
    ChargingPreferencesResponse,
    ProfileType,
    Session,
    SessionStatus,
)

__all__ = [
    "AuthMethod",
    "CdrDimensionType",
    "CdrToken",
    "ChargingPeriod",
    "ChargingPreferences",
    "ChargingPreferencesResponse",
    "ProfileType",
    "Session",
    "SessionStatus",
]
