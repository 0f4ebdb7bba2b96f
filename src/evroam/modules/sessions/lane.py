"""Session PUT and PATCH of the Receiver on the fast lane (protocol/lane.py).

A CPO sends a PATCH per new charging period of each of its sessions (DIGEST §6.1): these are an
eMSP's most frequent writes, and FastAPI's routing and dependency solving cost more than
storing one. They are answered here with the dependencies' and the service's own functions, in
the order FastAPI applies them: the JSON body is read first (malformed → HTTP 400, 2001), then
the caller and parties are resolved (401, 2001), then URL and body are validated together
(2001). The FastAPI routes in receiver.py stay the documented interface and the reference
behaviour. A sub-path such as `/{session_id}/charging_periods` is not matched here, so the
framework answers it as before (CONFORMANCE F.172).
"""

import re
from typing import Any

from pydantic import TypeAdapter
from starlette.requests import Request
from starlette.responses import Response

from evroam.deps import Exchange, get_platform
from evroam.modules.sessions import service
from evroam.modules.sessions.model import Session
from evroam.modules.sessions.receiver import receiver_exchange
from evroam.partners.auth import Reach, authenticate
from evroam.platform import Platform
from evroam.protocol.envelope import OcpiResponse
from evroam.protocol.lane import LaneRoute, json_body, lane_route, path_string, validated
from evroam.storage.documents import ObjectKey

SEGMENTS = "/([^/]+)/([^/]+)/([^/]+)"
PATH = (  # as receiver.py declares them
    path_string("country_code", 2, 2),
    path_string("party_id", 3, 3),
    path_string("session_id", 1, 36),
)
_SESSION = TypeAdapter(Session)
_CHANGES = TypeAdapter(dict[str, Any])


def build_receiver_lane(path: str) -> list[LaneRoute]:
    """The Sessions Receiver's lane: PUT and PATCH of one Session."""
    return [
        lane_route("PUT", path, put_session, tail=SEGMENTS),
        lane_route("PATCH", path, patch_session, tail=SEGMENTS),
    ]


async def put_session(request: Request, found: re.Match[str]) -> Response:
    """Create or replace a Session, as the FastAPI route answers it."""
    platform, exchange, key, body = await _arguments(request, found, _SESSION)
    created = await service.put_received(platform, exchange, key, body)
    return OcpiResponse(http_status=201 if created else 200)


async def patch_session(request: Request, found: re.Match[str]) -> Response:
    """Change some fields of a Session, as the FastAPI route answers it."""
    platform, exchange, key, changes = await _arguments(request, found, _CHANGES)
    await service.patch_received(platform, exchange, key, changes)
    return OcpiResponse()


async def _arguments(
    request: Request, found: re.Match[str], body_type: TypeAdapter[Any]
) -> tuple[Platform, Exchange, ObjectKey, Any]:
    """Body read, caller resolved, then URL and body validated together: FastAPI's order."""
    body = await json_body(request)
    platform = await get_platform(request)
    caller = await authenticate(platform, request.headers.get("authorization"), Reach.FUNCTIONAL)
    exchange = await receiver_exchange(request, caller, platform)
    names, value = validated(PATH, found, body_type, body)
    return platform, exchange, ObjectKey(*names), value
