"""Management: our own Locations, listed, read, saved and their EVSE statuses set.

Every change is stored with its outbox rows in one transaction and then pushed to the
partners (PUT for a saved Location, PATCH for a status), as with `evroam locations`.
"""

from collections.abc import Awaitable
from dataclasses import asdict
from typing import Annotated, Generic, TypeVar

from fastapi import APIRouter, Body, Query
from pydantic import BaseModel
from starlette.responses import Response

from evroam.deps import PlatformDep
from evroam.errors import EvroamError, InvalidParameters, NotFound
from evroam.management.auth import Admin
from evroam.modules.locations import publish
from evroam.modules.locations.enums import Status
from evroam.modules.locations.model import Location
from evroam.modules.locations.publish import SaveResult
from evroam.modules.locations.service import find_evse
from evroam.platform import Platform
from evroam.protocol.envelope import Envelope, OcpiResponse

T = TypeVar("T")
MAX_LIMIT = 1000

router = APIRouter(prefix="/locations", tags=["management"], dependencies=[Admin])

Offset = Annotated[int, Query(ge=0, description="Index of the first object (default 0).")]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="At most this many (default 50).")]
PartyParam = Annotated[
    str | None,
    Query(description="`COUNTRY*PARTY` owning the Location, when several of ours use the id."),
]


class Listing(BaseModel, Generic[T]):
    """One page of our own objects, oldest first, and how many there are in all."""

    total: int
    offset: int
    limit: int
    items: list[T]


class StatusBody(BaseModel):
    status: Status


async def saved(work: Awaitable[SaveResult]) -> Response:
    """The SaveResult of a save; objects of a party that is not ours make the body invalid."""
    try:
        result = await work
    except EvroamError as exc:
        raise InvalidParameters(str(exc)) from exc
    return OcpiResponse(asdict(result))


def party_of(text: str | None) -> tuple[str, str] | None:
    try:
        return publish.parse_party(text) if text else None
    except EvroamError as exc:
        raise InvalidParameters(str(exc)) from exc


async def own_location(platform: Platform, location_id: str, party: str | None) -> Location:
    found = await publish.find_own_location(platform, location_id, party=party_of(party))
    if found is None:
        raise NotFound(f"No Location {location_id} of ours; GET /manage/locations lists them.")
    return found


@router.get("", response_model=Envelope[Listing[Location]])
async def list_locations(platform: PlatformDep, offset: Offset = 0, limit: Limit = 50) -> Response:
    """Our Locations, published or not, oldest first, with their total."""
    found, total = await publish.own_locations(platform, offset=offset, limit=limit)
    return OcpiResponse(Listing(total=total, offset=offset, limit=limit, items=found))


@router.get("/{location_id}", response_model=Envelope[Location])
async def get_location(
    location_id: str, platform: PlatformDep, party: PartyParam = None
) -> Response:
    """One of our Locations (404 when we have none with that id)."""
    return OcpiResponse(await own_location(platform, location_id, party))


@router.put("", response_model=Envelope[SaveResult])
async def put_locations(
    platform: PlatformDep,
    body: Annotated[Location | list[Location], Body(description="One Location or a list.")],
) -> Response:
    """Create or replace our Locations in one transaction; changed ones are pushed (PUT).

    Every Location must belong to one of our CPO parties, or nothing is saved (2001).
    """
    return await saved(publish.save_locations(platform, body if isinstance(body, list) else [body]))


@router.put("/{location_id}/evses/{evse_uid}/status", response_model=Envelope[Location])
async def put_evse_status(
    location_id: str,
    evse_uid: str,
    change: StatusBody,
    platform: PlatformDep,
    party: PartyParam = None,
) -> Response:
    """Set one EVSE's status now; partners receive a PATCH. Answers the updated Location."""
    location = await own_location(platform, location_id, party)
    if find_evse(location, evse_uid) is None:
        raise NotFound(f"Location {location_id} has no EVSE {evse_uid}.")
    updated = await publish.set_evse_status(
        platform, location.id, evse_uid, change.status, party=party_of(party)
    )
    return OcpiResponse(updated)
