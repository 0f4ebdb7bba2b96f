"""PUT and PATCH of the Locations Receiver on the fast lane (protocol/lane.py).

Every EVSE status change of a CPO reaches its eMSPs as one of these (DIGEST §5.1): they are the
Receiver's hot path, and FastAPI's routing and dependency solving cost about as much as storing
the change. They are answered here with the dependencies' and the service's own functions, in
FastAPI's order (body read, caller and parties resolved, then URL and body validated
together). The FastAPI routes in receiver.py stay the documented interface and the reference
behaviour; GET is left to them.
"""

import re
from typing import Any

from pydantic import TypeAdapter
from starlette.requests import Request
from starlette.responses import Response

from evroam.deps import get_platform
from evroam.modules.locations import service
from evroam.modules.locations.model import EVSE, Connector, Location
from evroam.modules.locations.receiver import receiver_exchange, stored
from evroam.modules.locations.service import LocationPath
from evroam.partners.auth import Reach, authenticate
from evroam.protocol.envelope import OcpiResponse
from evroam.protocol.lane import (
    LaneHandler,
    LaneRoute,
    PathParameter,
    json_body,
    lane_route,
    path_string,
    validated,
)

SEGMENT = "/([^/]+)"
PATH = (  # as receiver.py declares them
    path_string("country_code", 2, 2),
    path_string("party_id", 3, 3),
    path_string("location_id", 1, 36),
    path_string("evse_uid", 1, 36),
    path_string("connector_id", 1, 36),
)
_CHANGES = TypeAdapter(dict[str, Any])
_OBJECTS: tuple[TypeAdapter[Any], ...] = (
    TypeAdapter(Location),
    TypeAdapter(EVSE),
    TypeAdapter(Connector),
)


def build_receiver_lane(path: str) -> list[LaneRoute]:
    """The Locations Receiver's lane: PUT and PATCH at Location, EVSE and Connector level."""
    routes = []
    for level, body_type in enumerate(_OBJECTS):
        parameters = PATH[: 3 + level]
        tail = SEGMENT * len(parameters)
        routes += [
            lane_route("PUT", path, _putting(parameters, body_type), tail=tail),
            lane_route("PATCH", path, _patching(parameters), tail=tail),
        ]
    return routes


def _putting(parameters: tuple[PathParameter, ...], body_type: TypeAdapter[Any]) -> LaneHandler:
    async def put_object(request: Request, found: re.Match[str]) -> Response:
        """Create or replace an object, as the FastAPI route answers it."""
        platform, exchange, path, body = await _arguments(request, found, parameters, body_type)
        return stored(await service.put_received(platform, exchange, path, body))

    return put_object


def _patching(parameters: tuple[PathParameter, ...]) -> LaneHandler:
    async def patch_object(request: Request, found: re.Match[str]) -> Response:
        """Change some fields of an object, as the FastAPI route answers it."""
        platform, exchange, path, changes = await _arguments(request, found, parameters, _CHANGES)
        await service.patch_received(platform, exchange, path, changes)
        return OcpiResponse()

    return patch_object


async def _arguments(
    request: Request,
    found: re.Match[str],
    parameters: tuple[PathParameter, ...],
    body_type: TypeAdapter[Any],
) -> tuple[Any, Any, LocationPath, Any]:
    """Body read, caller resolved, then URL and body validated together: FastAPI's order."""
    body = await json_body(request)
    platform = await get_platform(request)
    caller = await authenticate(platform, request.headers.get("authorization"), Reach.FUNCTIONAL)
    exchange = await receiver_exchange(request, caller, platform)
    names, value = validated(parameters, found, body_type, body)
    return platform, exchange, LocationPath(*names), value
