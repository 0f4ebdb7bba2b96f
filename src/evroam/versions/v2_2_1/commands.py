"""OCPI 2.2.1 Commands module wire models (chapter 13): in 2.2.1 they equal the domain models."""

from evroam.modules.commands.model import (
    CancelReservation,
    CommandResponse,
    CommandResponseType,
    CommandResult,
    CommandResultType,
    CommandToken,
    CommandType,
    ReserveNow,
    StartSession,
    StopSession,
    UnlockConnector,
)

# The Token the commands carry is the Tokens module's (chapter 12).
Token = CommandToken

__all__ = [
    "CancelReservation",
    "CommandResponse",
    "CommandResponseType",
    "CommandResult",
    "CommandResultType",
    "CommandToken",
    "CommandType",
    "ReserveNow",
    "StartSession",
    "StopSession",
    "Token",
    "UnlockConnector",
]
