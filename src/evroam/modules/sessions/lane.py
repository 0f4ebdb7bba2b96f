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
from typing import Annotated, Any

from pydantic import Field, TypeAdapter, ValidationError
from pydantic_core import InitErrorDetails
from starlette.requests import Request
from starlette.responses import Response

from evroam.deps import Exchange, get_platform
from evroam.modules.sessions import service
from evroam.modules.sessions.model import Session
from evroam.modules.sessions.receiver import receiver_exchange
from evroam.partners.auth import Reach, authenticate
from evroam.platform import Platform
from evroam.protocol.envelope import OcpiResponse
from evroam.protocol.lane import Body, LaneRoute, json_body, lane_route
from evroam.storage.documents import ObjectKey

SEGMENTS = "/([^/]+)/([^/]+)/([^/]+)"  # country_code, party_id, session_id
# The path parameters as receiver.py declares them
_PATH: tuple[tuple[str, TypeAdapter[str]], ...] = (
    ("country_code", TypeAdapter(Annotated[str, Field(min_length=2, max_length=2)])),
    ("party_id", TypeAdapter(Annotated[str, Field(min_length=3, max_length=3)])),
    ("session_id", TypeAdapter(Annotated[str, Field(min_length=1, max_length=36)])),
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
    errors: list[InitErrorDetails] = []
    names = [
        _valid(adapter, raw, ("path", name), errors)
        for (name, adapter), raw in zip(_PATH, found.groups(), strict=True)
    ]
    value = _valid(body_type, body, ("body",), errors)
    if errors:
        raise ValidationError.from_exception_data("Session request", errors)
    return platform, exchange, ObjectKey(*names), value


def _valid(
    adapter: TypeAdapter[Any], raw: Any, where: tuple[str, ...], errors: list[InitErrorDetails]
) -> Any:
    """The value validated as FastAPI validates the parameter, errors located as FastAPI's."""
    if raw is Body.MISSING:
        errors.append(InitErrorDetails(type="missing", loc=where, input=None))
        return None
    try:
        return adapter.validate_python(raw)
    except ValidationError as exc:
        errors.extend(
            InitErrorDetails(
                type=e["type"], loc=(*where, *e["loc"]), input=e["input"], ctx=e.get("ctx", {})
            )
            for e in exc.errors()
        )
        return None
