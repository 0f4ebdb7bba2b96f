"""CPO: what each command is checked against before it is ACCEPTED (DIGEST §10.3).

Unknown location, EVSE or connector: status 2003 with REJECTED (K.301). An EVSE without the
capability the command needs: NOT_SUPPORTED (K.303). Tokens and sessions of another eMSP:
REJECTED (K.325). Reservation ids are namespaced by the eMSP party, so two eMSPs using the
same id never touch each other's reservation (K.318).
"""

import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from evroam.chargers.interface import ReserveRequest, StartRequest
from evroam.errors import EvroamError
from evroam.exchange import Exchange
from evroam.modules.commands.execution import Run
from evroam.modules.commands.model import (
    CancelReservation,
    CommandResponseType,
    CommandType,
    ReserveNow,
    StartSession,
    StopSession,
    UnlockConnector,
)
from evroam.modules.commands.repository import commands_received
from evroam.modules.locations.enums import Capability
from evroam.modules.locations.model import EVSE, Connector, Location
from evroam.modules.locations.publish import find_own_location
from evroam.modules.locations.service import find_connector, find_evse
from evroam.platform import Platform
from evroam.protocol.routing import PartyRef
from evroam.protocol.status import StatusCode
from evroam.protocol.timestamps import utc_now
from evroam.protocol.types import ci_key

if TYPE_CHECKING:
    from evroam.chargers.runtime import ChargerRuntime
    from evroam.modules.commands.service import Received

ACCEPTED = CommandResponseType.ACCEPTED
REJECTED = CommandResponseType.REJECTED
NOT_SUPPORTED = CommandResponseType.NOT_SUPPORTED


@dataclass
class Decision:
    """The synchronous answer, and for an ACCEPTED command what to run on the chargers."""

    response: CommandResponseType
    message: str | None = None
    status_code: int = StatusCode.SUCCESS
    run: Run | None = None
    owner: PartyRef | None = None  # the eMSP party the command acts for
    columns: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Target:
    location: Location
    evse: EVSE | None = None
    connector: Connector | None = None

    def capable(self, capability: Capability) -> bool:
        evses = [self.evse] if self.evse else (self.location.evses or [])
        return any(capability in (e.capabilities or ()) for e in evses)


def accepted(run: Run, owner: PartyRef | None, **columns: Any) -> Decision:
    return Decision(ACCEPTED, run=run, owner=owner, columns=columns)


def unknown(what: str) -> Decision:
    return Decision(REJECTED, f"Unknown {what}", StatusCode.UNKNOWN_LOCATION)


def allowed_parties(exchange: Exchange) -> set[PartyRef]:
    """The eMSP parties this request may act for: the sender, or every party of the connection."""
    if exchange.remote is not None:
        return {PartyRef(exchange.remote.country_code, exchange.remote.party_id)}
    return {PartyRef(r.country_code, r.party_id) for r in exchange.partner.roles}


def sender_party(exchange: Exchange, owner: PartyRef | None) -> PartyRef:
    """The party a command is recorded for (and its result routed to)."""
    if exchange.remote is not None:
        return PartyRef(exchange.remote.country_code, exchange.remote.party_id)
    if owner is not None:
        return owner
    roles = sorted(exchange.partner.roles, key=lambda r: r.role != "EMSP")
    return PartyRef(roles[0].country_code, roles[0].party_id)


def foreign(exchange: Exchange, owner: PartyRef, what: str) -> Decision | None:
    if owner in allowed_parties(exchange):
        return None
    return Decision(REJECTED, f"The {what} belongs to {owner}, another eMSP")


def namespaced(owner: PartyRef, reservation_id: str) -> str:
    """The reservation id the charge point sees: unique across eMSPs (K.318)."""
    return f"{owner}*{ci_key(reservation_id)}"


async def find_target(
    platform: Platform,
    exchange: Exchange,
    location_id: str,
    evse_uid: str | None = None,
    connector_id: str | None = None,
) -> Target | Decision:
    local = (exchange.local.country_code, exchange.local.party_id)
    try:
        party = local if exchange.addressed else None
        location = await find_own_location(platform, location_id, party=party)
    except EvroamError:  # several of our parties use the id: the addressed one's
        location = await find_own_location(platform, location_id, party=local)
    if location is None:
        return unknown(f"location {location_id}")
    if evse_uid is None:
        return Target(location)
    evse = find_evse(location, evse_uid)
    if evse is None:
        return unknown(f"EVSE {evse_uid} at location {location_id}")
    if connector_id is None:
        return Target(location, evse)
    connector = find_connector(evse, connector_id)
    if connector is None:
        return unknown(f"connector {connector_id} of EVSE {evse_uid}")
    return Target(location, evse, connector)


async def decide(platform: Platform, runtime: "ChargerRuntime", command: "Received") -> Decision:
    body, exchange = command.body, command.exchange
    if command.kind is CommandType.STOP_SESSION:
        return await stop_session(runtime, exchange, body)
    if command.kind is CommandType.CANCEL_RESERVATION:
        return await cancel_reservation(platform, exchange, body)
    owner = (
        PartyRef(body.token.country_code, body.token.party_id) if hasattr(body, "token") else None
    )
    if owner is not None and (refused := foreign(exchange, owner, "token")):
        return refused
    evse_uid, connector_id = getattr(body, "evse_uid", None), getattr(body, "connector_id", None)
    target = await find_target(platform, exchange, body.location_id, evse_uid, connector_id)
    if isinstance(target, Decision):
        return target
    runtime.learn(target.location)
    if isinstance(body, StartSession):
        return start_session(target, body, owner)
    if isinstance(body, ReserveNow):
        return reserve_now(target, body, owner)
    assert isinstance(body, UnlockConnector)
    return unlock_connector(target)


def start_session(target: Target, body: StartSession, owner: PartyRef | None) -> Decision:
    if not target.capable(Capability.REMOTE_START_STOP_CAPABLE):
        return Decision(NOT_SUPPORTED, "Remote start is not supported at this EVSE")
    evse = target.evse
    required = Capability.START_SESSION_CONNECTOR_REQUIRED
    if evse and required in (evse.capabilities or ()) and body.connector_id is None:  # K.314
        return Decision(REJECTED, f"EVSE {evse.uid} needs a connector_id to start")
    request = StartRequest(
        location_id=target.location.id,
        evse_uid=evse.uid if evse else None,
        connector_id=target.connector.id if target.connector else None,
        token=body.token.cdr_token(),
        authorization_reference=body.authorization_reference,
        session_id=uuid.uuid4().hex,
    )
    return accepted(
        lambda network: network.start(request),
        owner,
        location_id=request.location_id,
        evse_uid=request.evse_uid,
        connector_id=request.connector_id,
        session_id=request.session_id,
    )


async def stop_session(
    runtime: "ChargerRuntime", exchange: Exchange, body: StopSession
) -> Decision:
    ref = await runtime.sessions.find_session(body.session_id)
    if ref is None:  # K.302
        return Decision(CommandResponseType.UNKNOWN_SESSION, f"Unknown session {body.session_id}")
    if refused := foreign(exchange, ref.owner, "session"):
        return refused
    if not ref.active:
        return Decision(REJECTED, f"Session {body.session_id} has already ended")
    return accepted(
        lambda network: network.stop(ref.charger_session_id),
        ref.owner,
        session_id=ref.session_id,
        location_id=ref.location_id,
        evse_uid=ref.evse_uid,
    )


def reserve_now(target: Target, body: ReserveNow, owner: PartyRef | None) -> Decision:
    if not target.capable(Capability.RESERVABLE):
        return Decision(NOT_SUPPORTED, "Reservations are not supported at this EVSE")
    if body.expiry_date <= utc_now():
        return Decision(REJECTED, "The expiry_date has passed")
    assert owner is not None
    request = ReserveRequest(
        reservation_id=namespaced(owner, body.reservation_id),
        location_id=target.location.id,
        evse_uid=target.evse.uid if target.evse else None,
        expiry=body.expiry_date,
        token=body.token.cdr_token(),
        authorization_reference=body.authorization_reference,
    )
    return accepted(
        lambda network: network.reserve(request),
        owner,
        location_id=request.location_id,
        evse_uid=request.evse_uid,
        reservation_id=request.reservation_id,
    )


async def cancel_reservation(
    platform: Platform, exchange: Exchange, body: CancelReservation
) -> Decision:
    """Always forwarded: the charge point says UNKNOWN_RESERVATION when there is none (K.320)."""
    parties = sorted(allowed_parties(exchange), key=str)
    owner = await _reservation_holder(platform, parties, body.reservation_id) or parties[0]
    reservation_id = namespaced(owner, body.reservation_id)
    return accepted(
        lambda network: network.cancel_reservation(reservation_id),
        owner,
        reservation_id=reservation_id,
    )


async def _reservation_holder(
    platform: Platform, parties: list[PartyRef], reservation_id: str
) -> PartyRef | None:
    """Which of the parties made a reservation with this id (several parties, no from-header)."""
    if len(parties) == 1:
        return parties[0]
    c = commands_received.c
    async with platform.sessions() as session:
        for party in parties:
            found = await session.execute(
                c.id.select().where(c.reservation_id == namespaced(party, reservation_id)).limit(1)
            )
            if found.first() is not None:
                return party
    return None


def unlock_connector(target: Target) -> Decision:
    if not target.capable(Capability.UNLOCK_CAPABLE):
        return Decision(NOT_SUPPORTED, "Unlocking is not supported at this EVSE")
    assert target.evse is not None
    assert target.connector is not None
    location_id, evse_uid, connector_id = target.location.id, target.evse.uid, target.connector.id
    return accepted(
        lambda network: network.unlock(location_id, evse_uid, connector_id),
        None,
        location_id=location_id,
        evse_uid=evse_uid,
        connector_id=connector_id,
    )
