"""The version-neutral Commands objects (2.2.1 Commands §13.3 objects and §13.4 data types).

The command bodies carry a full Token (Tokens §12.3.2, `CommandToken`); the CPO never stores
it (K.316).
"""

from enum import StrEnum
from typing import Annotated, Self
from urllib.parse import urlsplit

from pydantic import AfterValidator, Field, model_validator

from evroam.model import DisplayText, OcpiObject
from evroam.modules.cdrs.model import CdrToken
from evroam.modules.tokens.model import Token
from evroam.protocol.timestamps import OcpiDateTime
from evroam.protocol.types import URL, CiString36


def _http_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("response_url must be an http(s) URL")
    return value


# Where the result goes: a URL we can POST to (anything else could never be answered).
ResponseUrl = Annotated[URL, AfterValidator(_http_url)]


class CommandType(StrEnum):
    CANCEL_RESERVATION = "CANCEL_RESERVATION"
    RESERVE_NOW = "RESERVE_NOW"
    START_SESSION = "START_SESSION"
    STOP_SESSION = "STOP_SESSION"
    UNLOCK_CONNECTOR = "UNLOCK_CONNECTOR"


class CommandResponseType(StrEnum):
    """The CPO's synchronous answer: whether it understood the command and can forward it."""

    NOT_SUPPORTED = "NOT_SUPPORTED"
    REJECTED = "REJECTED"
    ACCEPTED = "ACCEPTED"
    UNKNOWN_SESSION = "UNKNOWN_SESSION"


class CommandResultType(StrEnum):
    """The charge point's answer, POSTed to the response_url later."""

    ACCEPTED = "ACCEPTED"
    CANCELED_RESERVATION = "CANCELED_RESERVATION"
    EVSE_OCCUPIED = "EVSE_OCCUPIED"
    EVSE_INOPERATIVE = "EVSE_INOPERATIVE"
    FAILED = "FAILED"
    NOT_SUPPORTED = "NOT_SUPPORTED"
    REJECTED = "REJECTED"
    TIMEOUT = "TIMEOUT"
    UNKNOWN_RESERVATION = "UNKNOWN_RESERVATION"


class CommandToken(Token):
    """The Token a START_SESSION or RESERVE_NOW carries, already authorized by the eMSP."""

    def cdr_token(self) -> CdrToken:
        """What Sessions and CDRs carry of it (K.315)."""
        return CdrToken(
            country_code=self.country_code,
            party_id=self.party_id,
            uid=self.uid,
            type=self.type,
            contract_id=self.contract_id,
        )


class StartSession(OcpiObject):
    response_url: ResponseUrl
    token: CommandToken
    location_id: CiString36
    evse_uid: CiString36 | None = None
    connector_id: CiString36 | None = None
    authorization_reference: CiString36 | None = None

    @model_validator(mode="after")
    def _evse_named_with_connector(self) -> Self:
        # Commands §13.3.5: evse_uid is required when connector_id is set (K.313).
        if self.connector_id is not None and self.evse_uid is None:
            raise ValueError("evse_uid is required when connector_id is given")
        return self


class StopSession(OcpiObject):
    response_url: ResponseUrl
    session_id: CiString36


class ReserveNow(OcpiObject):
    response_url: ResponseUrl
    token: CommandToken
    expiry_date: OcpiDateTime
    reservation_id: CiString36
    location_id: CiString36
    evse_uid: CiString36 | None = None
    authorization_reference: CiString36 | None = None


class CancelReservation(OcpiObject):
    response_url: ResponseUrl
    reservation_id: CiString36


class UnlockConnector(OcpiObject):
    """Helpdesk/operator only: never to be triggered by a driver (Commands §13.3.6, K.323)."""

    response_url: ResponseUrl
    location_id: CiString36
    evse_uid: CiString36
    connector_id: CiString36


Command = StartSession | StopSession | ReserveNow | CancelReservation | UnlockConnector

BODIES: dict[CommandType, type[Command]] = {
    CommandType.START_SESSION: StartSession,
    CommandType.STOP_SESSION: StopSession,
    CommandType.RESERVE_NOW: ReserveNow,
    CommandType.CANCEL_RESERVATION: CancelReservation,
    CommandType.UNLOCK_CONNECTOR: UnlockConnector,
}


def command_type(command: Command) -> CommandType:
    return next(kind for kind, body in BODIES.items() if isinstance(command, body))


class CommandResponse(OcpiObject):
    result: CommandResponseType
    timeout: Annotated[int, Field(gt=0)]  # seconds; positive on every answer (K.300)
    message: list[DisplayText] | None = None


class CommandResult(OcpiObject):
    result: CommandResultType
    message: list[DisplayText] | None = None


def english(text: str | None) -> list[DisplayText] | None:
    """A message as the DisplayText list the spec wants, or None."""
    return [DisplayText(language="en", text=text[:512])] if text else None


def plain(message: list[DisplayText] | None) -> str | None:
    """The texts of a DisplayText list, for storage and display."""
    return " / ".join(m.text for m in message) if message else None
