"""Locations Receiver interface (eMSP, NSP): GET / PUT / PATCH of a partner's objects (DIGEST §5.3).

POST and DELETE are not part of the interface: FastAPI answers them with HTTP 405 (CONFORMANCE
E.132). Bodies are parsed by the object's model (2001 on any violation).
"""

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Path
from starlette.responses import Response

from evroam.deps import Exchange, PlatformDep, exchange_for
from evroam.modules.locations import service
from evroam.modules.locations.model import EVSE, Connector, Location
from evroam.modules.locations.service import LocationPath
from evroam.protocol.envelope import Envelope, OcpiResponse
from evroam.settings import Role
from evroam.versions import VersionSpec

CountryCode = Annotated[str, Path(min_length=2, max_length=2, description="Owner CPO country")]
PartyId = Annotated[str, Path(min_length=3, max_length=3, description="Owner CPO party id")]
ObjectId = Annotated[str, Path(min_length=1, max_length=36)]
receiver_exchange = exchange_for(Role.EMSP, Role.NSP)
ReceiverExchange = Annotated[Exchange, Depends(receiver_exchange)]
PatchBody = Annotated[
    dict[str, Any], Body(description="Only the fields that change, with last_updated")
]

LOCATION = "/{country_code}/{party_id}/{location_id}"
EVSE_PATH = LOCATION + "/{evse_uid}"
CONNECTOR = EVSE_PATH + "/{connector_id}"


def stored(created: bool) -> Response:
    """PUT answer: 201 when the object is new, 200 when replaced (CONFORMANCE A.36)."""
    return OcpiResponse(http_status=201 if created else 200)


def build_receiver_router(spec: VersionSpec) -> APIRouter:
    router = APIRouter(tags=["locations"])

    @router.get(LOCATION, response_model=Envelope[dict[str, Any]])
    async def get_location(
        country_code: CountryCode,
        party_id: PartyId,
        location_id: ObjectId,
        ex: ReceiverExchange,
        platform: PlatformDep,
    ) -> Response:
        """The Location as we stored it."""
        path = LocationPath(country_code, party_id, location_id)
        return OcpiResponse(await service.get_received(platform, ex, path))

    @router.get(EVSE_PATH, response_model=Envelope[dict[str, Any]])
    async def get_evse(
        country_code: CountryCode,
        party_id: PartyId,
        location_id: ObjectId,
        evse_uid: ObjectId,
        ex: ReceiverExchange,
        platform: PlatformDep,
    ) -> Response:
        """One EVSE as we stored it."""
        path = LocationPath(country_code, party_id, location_id, evse_uid)
        return OcpiResponse(await service.get_received(platform, ex, path))

    @router.get(CONNECTOR, response_model=Envelope[dict[str, Any]])
    async def get_connector(
        country_code: CountryCode,
        party_id: PartyId,
        location_id: ObjectId,
        evse_uid: ObjectId,
        connector_id: ObjectId,
        ex: ReceiverExchange,
        platform: PlatformDep,
    ) -> Response:
        """One Connector as we stored it."""
        path = LocationPath(country_code, party_id, location_id, evse_uid, connector_id)
        return OcpiResponse(await service.get_received(platform, ex, path))

    @router.put(LOCATION, response_model=Envelope[None])
    async def put_location(
        country_code: CountryCode,
        party_id: PartyId,
        location_id: ObjectId,
        body: Location,
        ex: ReceiverExchange,
        platform: PlatformDep,
    ) -> Response:
        """Create or replace a whole Location (its EVSEs included)."""
        path = LocationPath(country_code, party_id, location_id)
        return stored(await service.put_received(platform, ex, path, body))

    @router.put(EVSE_PATH, response_model=Envelope[None])
    async def put_evse(
        country_code: CountryCode,
        party_id: PartyId,
        location_id: ObjectId,
        evse_uid: ObjectId,
        body: EVSE,
        ex: ReceiverExchange,
        platform: PlatformDep,
    ) -> Response:
        """Add or replace one EVSE of a known Location."""
        path = LocationPath(country_code, party_id, location_id, evse_uid)
        return stored(await service.put_received(platform, ex, path, body))

    @router.put(CONNECTOR, response_model=Envelope[None])
    async def put_connector(
        country_code: CountryCode,
        party_id: PartyId,
        location_id: ObjectId,
        evse_uid: ObjectId,
        connector_id: ObjectId,
        body: Connector,
        ex: ReceiverExchange,
        platform: PlatformDep,
    ) -> Response:
        """Add or replace one Connector of a known EVSE."""
        path = LocationPath(country_code, party_id, location_id, evse_uid, connector_id)
        return stored(await service.put_received(platform, ex, path, body))

    @router.patch(LOCATION, response_model=Envelope[None])
    async def patch_location(
        country_code: CountryCode,
        party_id: PartyId,
        location_id: ObjectId,
        body: PatchBody,
        ex: ReceiverExchange,
        platform: PlatformDep,
    ) -> Response:
        """Change some fields of a Location."""
        path = LocationPath(country_code, party_id, location_id)
        await service.patch_received(platform, ex, path, body)
        return OcpiResponse()

    @router.patch(EVSE_PATH, response_model=Envelope[None])
    async def patch_evse(
        country_code: CountryCode,
        party_id: PartyId,
        location_id: ObjectId,
        evse_uid: ObjectId,
        body: PatchBody,
        ex: ReceiverExchange,
        platform: PlatformDep,
    ) -> Response:
        """Change some fields of an EVSE (typically its status)."""
        path = LocationPath(country_code, party_id, location_id, evse_uid)
        await service.patch_received(platform, ex, path, body)
        return OcpiResponse()

    @router.patch(CONNECTOR, response_model=Envelope[None])
    async def patch_connector(
        country_code: CountryCode,
        party_id: PartyId,
        location_id: ObjectId,
        evse_uid: ObjectId,
        connector_id: ObjectId,
        body: PatchBody,
        ex: ReceiverExchange,
        platform: PlatformDep,
    ) -> Response:
        """Change some fields of a Connector (e.g. its tariff_ids)."""
        path = LocationPath(country_code, party_id, location_id, evse_uid, connector_id)
        await service.patch_received(platform, ex, path, body)
        return OcpiResponse()

    return router
