"""Management: the CPO's simulated charge points, inspected and switched into failure modes.

For demos and tests against a running server: faults per EVSE (no vehicle, connector stuck,
offline, meter reset), reservations cancelled by the CPO's side (reported to the eMSP as
CANCELED_RESERVATION, CONFORMANCE K.321), and a driver tapping a card at an EVSE (authorized by
the Tokens module: whitelist, or real time at the eMSP).
"""

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field
from starlette.responses import Response

from evroam.chargers.evse import Fault, SimEvse
from evroam.chargers.simulated import SimulatedNetwork, key
from evroam.deps import PlatformDep
from evroam.errors import NotFound
from evroam.management.auth import Admin
from evroam.management.locations import PartyParam, own_location
from evroam.modules.locations.enums import Status, TokenType
from evroam.platform import Platform
from evroam.protocol.envelope import Envelope, OcpiResponse

router = APIRouter(prefix="/chargers", tags=["management"], dependencies=[Admin])


class SimulatedEvse(BaseModel):
    location_id: str
    evse_uid: str
    status: Status
    faults: list[Fault]
    session_id: str | None
    reservation_id: str | None

    @classmethod
    def of(cls, evse: SimEvse) -> "SimulatedEvse":
        return cls(
            location_id=evse.location_id,
            evse_uid=evse.uid,
            status=evse.status,
            faults=sorted(evse.faults),
            session_id=evse.session.id if evse.session else None,
            reservation_id=evse.reservation.id if evse.reservation else None,
        )


def simulator(platform: Platform) -> SimulatedNetwork:
    network = platform.chargers.network if platform.chargers else None
    if not isinstance(network, SimulatedNetwork):
        raise NotFound("This server runs no simulated charger network ([chargers] kind)")
    return network


@router.get("", response_model=Envelope[list[SimulatedEvse]])
async def list_evses(
    platform: PlatformDep, location_id: Annotated[str | None, Query()] = None
) -> Response:
    """The simulated EVSEs (of one Location, if given): status, faults, session, reservation."""
    evses = simulator(platform).evses.values()
    wanted = [
        e for e in evses if location_id is None or e.location_id.upper() == location_id.upper()
    ]
    return OcpiResponse([SimulatedEvse.of(e) for e in wanted])


@router.put("/{location_id}/{evse_uid}/faults/{fault}", response_model=Envelope[SimulatedEvse])
async def put_fault(
    location_id: str, evse_uid: str, fault: Fault, platform: PlatformDep, party: PartyParam = None
) -> Response:
    """Switch a failure mode on."""
    return await _switch(platform, location_id, evse_uid, fault, on=True, party=party)


@router.delete("/{location_id}/{evse_uid}/faults/{fault}", response_model=Envelope[SimulatedEvse])
async def delete_fault(
    location_id: str, evse_uid: str, fault: Fault, platform: PlatformDep, party: PartyParam = None
) -> Response:
    """Switch a failure mode off."""
    return await _switch(platform, location_id, evse_uid, fault, on=False, party=party)


async def _switch(
    platform: Platform,
    location_id: str,
    evse_uid: str,
    fault: Fault,
    *,
    on: bool,
    party: str | None,
) -> Response:
    network = simulator(platform)
    network.learn(await own_location(platform, location_id, party))
    try:
        await network.set_fault(location_id, evse_uid, fault, on)
    except KeyError as exc:
        raise NotFound(f"Location {location_id} has no EVSE {evse_uid}") from exc
    evse = network.evses[key(location_id, evse_uid)]
    return OcpiResponse(SimulatedEvse.of(evse))


class Cancelled(BaseModel):
    outcome: str
    message: str | None


@router.delete("/reservations/{reservation_id}", response_model=Envelope[Cancelled])
async def cancel_reservation(
    reservation_id: str,
    platform: PlatformDep,
    reason: Annotated[str, Query(max_length=200)] = "cancelled by the operator",
) -> Response:
    """End a reservation from the CPO's side (its id as the charge point knows it:
    `COUNTRY*PARTY*id` of the eMSP); the eMSP receives CANCELED_RESERVATION."""
    answer = await simulator(platform).cancel_reservation_by_cpo(reservation_id, reason)
    return OcpiResponse(Cancelled(outcome=answer.outcome.value, message=answer.message))


class Tap(BaseModel):
    """A card (or other token) presented at the EVSE's reader by a driver who plugged in."""

    uid: str = Field(min_length=1, max_length=36)
    type: TokenType = TokenType.RFID
    connector_id: str | None = Field(default=None, max_length=36)


class Tapped(BaseModel):
    outcome: str
    message: str | None
    session_id: str | None


@router.post("/{location_id}/{evse_uid}/tap", response_model=Envelope[Tapped])
async def post_tap(
    location_id: str, evse_uid: str, tap: Tap, platform: PlatformDep, party: PartyParam = None
) -> Response:
    """A driver taps a card: charging starts if the CPO authorizes it (`outcome` ACCEPTED and
    the new session's id), else the reason it was refused."""
    network = simulator(platform)
    network.learn(await own_location(platform, location_id, party))
    answer = await network.tap(
        location_id, evse_uid, tap.uid, token_type=tap.type, connector_id=tap.connector_id
    )
    found = Tapped(
        outcome=answer.outcome.value, message=answer.message, session_id=answer.session_id
    )
    return OcpiResponse(found)
