"""What the CPO needs from its charge points: commands with an outcome, and typed events.

The commands mirror OCPI's (DIGEST §10) as a charge point sees them: the answer is the charge
point's, mapped onto CommandResultType by the commands module. Events are what the session,
CDR and Locations layers consume: status changes, session start, meter values, session end and
the reservation lifecycle. Energy is Decimal Wh read from the EVSE's meter register (cumulative
over the meter's life, as OCPP's Energy.Active.Import.Register): a session's energy is
`energy_wh - meter_start`, and a reading below the previous one means the meter was reset.
"""

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Protocol, runtime_checkable

from evroam.modules.cdrs.model import AuthMethod, CdrToken, SignedData
from evroam.modules.locations.enums import Status, TokenType
from evroam.modules.locations.model import Location


class Outcome(StrEnum):
    """A charge point's answer to a command (the names of OCPI CommandResultType where equal)."""

    ACCEPTED = "ACCEPTED"
    REJECTED = "REJECTED"
    EVSE_OCCUPIED = "EVSE_OCCUPIED"
    EVSE_INOPERATIVE = "EVSE_INOPERATIVE"
    FAILED = "FAILED"
    TIMEOUT = "TIMEOUT"
    NOT_SUPPORTED = "NOT_SUPPORTED"
    UNKNOWN_RESERVATION = "UNKNOWN_RESERVATION"
    UNKNOWN_SESSION = "UNKNOWN_SESSION"  # no such charging session at the charge point


@dataclass(frozen=True)
class Answer:
    """The outcome of one command, a human-readable reason, and what it started or chose."""

    outcome: Outcome
    message: str | None = None
    session_id: str | None = None
    evse_uid: str | None = None


@dataclass(frozen=True, kw_only=True)
class StartRequest:
    """Start charging for a token the eMSP already authorized (never re-authorized here)."""

    location_id: str
    evse_uid: str | None = None  # None: the charge point chooses
    connector_id: str | None = None
    token: CdrToken
    authorization_reference: str | None = None
    session_id: str | None = None  # the id the CPO wants for the session, if the charger can


@dataclass(frozen=True, kw_only=True)
class ReserveRequest:
    """Reserve an EVSE (or any EVSE of the location) for a token until `expiry`.

    `reservation_id` is already unique across eMSPs (the CPO namespaces the eMSP's id): the
    same id again replaces that reservation.
    """

    reservation_id: str
    location_id: str
    evse_uid: str | None = None
    expiry: datetime
    token: CdrToken
    authorization_reference: str | None = None


class StopReason(StrEnum):
    """Why a charging session ended."""

    REMOTE = "REMOTE"  # a STOP_SESSION command
    EV_DISCONNECTED = "EV_DISCONNECTED"  # the driver unplugged and left
    UNLOCK_COMMAND = "UNLOCK_COMMAND"  # an operator unlocked the connector
    FAULT = "FAULT"  # the EVSE went out of order


@dataclass(frozen=True, kw_only=True)
class StatusChanged:
    at: datetime
    location_id: str
    evse_uid: str
    status: Status


@dataclass(frozen=True, kw_only=True)
class SessionStarted:
    at: datetime
    session_id: str
    location_id: str
    evse_uid: str
    connector_id: str
    token: CdrToken
    authorization_reference: str | None
    meter_start: Decimal
    reservation_id: str | None = None  # the reservation this session used, if any
    auth_method: AuthMethod = AuthMethod.COMMAND  # a remote start, or how a tapped card passed


@dataclass(frozen=True, kw_only=True)
class MeterValues:
    at: datetime
    session_id: str
    energy_wh: Decimal  # the meter register, cumulative (see the module docstring)
    power_w: Decimal
    current_a: Decimal
    soc_percent: Decimal | None


@dataclass(frozen=True, kw_only=True)
class SessionEnded:
    at: datetime
    session_id: str
    meter_stop: Decimal
    reason: StopReason
    # what a signing (calibration-law) meter produced for the session: carried into the CDR
    # exactly as given (CONFORMANCE G.210)
    signed_data: SignedData | None = None


@dataclass(frozen=True, kw_only=True)
class ReservationMade:
    at: datetime
    reservation_id: str
    location_id: str
    evse_uid: str
    expiry: datetime
    token: CdrToken
    authorization_reference: str | None


@dataclass(frozen=True, kw_only=True)
class ReservationExpired:
    at: datetime
    reservation_id: str
    location_id: str
    evse_uid: str


@dataclass(frozen=True, kw_only=True)
class ReservationCancelled:
    """A reservation ended before use: on request (CANCEL_RESERVATION, a replacement) or by the
    CPO's side (`requested` False: defect, operator), which the eMSP must be told (K.321)."""

    at: datetime
    reservation_id: str
    location_id: str
    evse_uid: str
    requested: bool
    reason: str


ChargerEvent = (
    StatusChanged
    | SessionStarted
    | MeterValues
    | SessionEnded
    | ReservationMade
    | ReservationExpired
    | ReservationCancelled
)
Listener = Callable[[ChargerEvent], Awaitable[None]]


class ChargerNetwork(Protocol):
    """The CPO's charge points, whatever drives them (a simulator, an OCPP bridge).

    `authorizer` answers the charge points' questions about tokens presented there (set by
    the Tokens module; None: such tokens are refused)."""

    authorizer: "Authorizer | None"

    async def start(self, request: StartRequest) -> Answer: ...

    async def stop(self, session_id: str) -> Answer: ...

    async def reserve(self, request: ReserveRequest) -> Answer: ...

    async def cancel_reservation(self, reservation_id: str) -> Answer: ...

    async def unlock(self, location_id: str, evse_uid: str, connector_id: str) -> Answer: ...

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Deliver every event to `listener`, in order; returns the unsubscribe function."""
        ...


@dataclass(frozen=True)
class Authorization:
    """The CPO's decision on a token presented at a charge point (a card tapped)."""

    allowed: bool
    token: CdrToken | None = None  # the token's data for the session, when allowed
    authorization_reference: str | None = None
    method: AuthMethod = AuthMethod.AUTH_REQUEST  # WHITELIST when decided locally
    message: str | None = None


class Authorizer(Protocol):
    """How charge points ask the CPO whether a tapped token may charge (the Tokens module:
    whitelist first, real-time authorization at the eMSP where the whitelist says so)."""

    async def authorize(
        self, *, location_id: str, evse_uid: str, uid: str, token_type: TokenType
    ) -> Authorization: ...


@runtime_checkable
class LearnsLocations(Protocol):
    """A network told about Locations by the CPO (a simulator); real chargers announce
    themselves."""

    def learn(self, location: Location) -> None: ...


@runtime_checkable
class KnowsSessions(Protocol):
    """A network that can say which sessions and reservations its charge points hold now (a
    simulator living in the server's memory: after a restart it holds none)."""

    def has_session(self, session_id: str) -> bool: ...

    def has_reservation(self, reservation_id: str) -> bool: ...


class EventStream:
    """The events of a network as an async iterator (`async for event in stream`), for consumers
    that prefer pulling to callbacks; close it to unsubscribe."""

    def __init__(self, network: ChargerNetwork) -> None:
        self._queue: asyncio.Queue[ChargerEvent] = asyncio.Queue()
        self._unsubscribe = network.subscribe(self._put)

    async def _put(self, event: ChargerEvent) -> None:
        self._queue.put_nowait(event)

    def __aiter__(self) -> "EventStream":
        return self

    async def __anext__(self) -> ChargerEvent:
        return await self._queue.get()

    def pending(self) -> list[ChargerEvent]:
        """The events received and not yet consumed, without waiting."""
        found = []
        while not self._queue.empty():
            found.append(self._queue.get_nowait())
        return found

    def close(self) -> None:
        self._unsubscribe()
