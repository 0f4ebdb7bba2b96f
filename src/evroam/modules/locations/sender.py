"""Locations Sender interface (CPO): our published Locations, list and by id (DIGEST §5.2)."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from starlette.responses import Response

from evroam.deps import LIST_PARAMETERS, Exchange, PlatformDep, exchange_for, list_lane, sender_list
from evroam.modules.locations import service
from evroam.modules.locations.service import LocationPath
from evroam.protocol.envelope import Envelope, OcpiResponse
from evroam.settings import Role
from evroam.versions import VersionSpec

ObjectId = Annotated[str, Path(min_length=1, max_length=36)]
sender_exchange = exchange_for(Role.CPO)
build_sender_lane = list_lane(sender_exchange, service.list_published)
SenderExchange = Annotated[Exchange, Depends(sender_exchange)]


def build_sender_router(spec: VersionSpec) -> APIRouter:
    router = APIRouter(tags=["locations"])

    @router.get("", response_model=Envelope[list[dict[str, Any]]], openapi_extra=LIST_PARAMETERS)
    async def get_locations(request: Request) -> Response:
        """Our published Locations, oldest first, with date_from/date_to/offset/limit
        (and the cursor our Link carries)."""
        return await sender_list(request, sender_exchange, service.list_published)

    @router.get("/{location_id}", response_model=Envelope[dict[str, Any]])
    async def get_location(
        location_id: ObjectId, ex: SenderExchange, platform: PlatformDep
    ) -> Response:
        """One of our Locations."""
        path = _path(ex, location_id)
        return OcpiResponse(await service.get_published(platform, ex, path))

    @router.get("/{location_id}/{evse_uid}", response_model=Envelope[dict[str, Any]])
    async def get_evse(
        location_id: ObjectId, evse_uid: ObjectId, ex: SenderExchange, platform: PlatformDep
    ) -> Response:
        """One EVSE of one of our Locations."""
        path = _path(ex, location_id, evse_uid)
        return OcpiResponse(await service.get_published(platform, ex, path))

    @router.get("/{location_id}/{evse_uid}/{connector_id}", response_model=Envelope[dict[str, Any]])
    async def get_connector(
        location_id: ObjectId,
        evse_uid: ObjectId,
        connector_id: ObjectId,
        ex: SenderExchange,
        platform: PlatformDep,
    ) -> Response:
        """One Connector of one of our Locations."""
        path = _path(ex, location_id, evse_uid, connector_id)
        return OcpiResponse(await service.get_published(platform, ex, path))

    return router


def _path(
    ex: Exchange, location_id: str, evse_uid: str | None = None, connector_id: str | None = None
) -> LocationPath:
    return LocationPath(
        ex.local.country_code, ex.local.party_id, location_id, evse_uid, connector_id
    )
