"""OCPI 2.2.1 Commands module wire models (chapter 13): in 2.2.1 they equal the domain models."""

from evroam.modules.commands.model import (
    CancelReservation,
    CommandResponse,
    CommandResponseType,
    CommandResult,
    CommandResultType,
    CommandToken,
    CommandType,
    EnergyContract,
    ProfileType,
    ReserveNow,
    StartSession,
    StopSession,
    UnlockConnector,
    WhitelistType,
)

Token = CommandToken

__all__ = [
    "CancelReservation",
    "CommandResponse",
    "CommandResponseType",
    "CommandResult",
    "CommandResultType",
    "CommandToken",
    "CommandType",
    "EnergyContract",
    "ProfileType",
    "ReserveNow",
    "StartSession",
    "StopSession",
    "Token",
    "UnlockConnector",
    "WhitelistType",
]
