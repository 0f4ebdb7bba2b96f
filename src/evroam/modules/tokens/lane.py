"""Real-time authorization on the fast lane (protocol/lane.py): `POST {tokens}/{uid}/authorize`
answered before the framework's routing (DIGEST §9.3: "keep latency minimal", a driver waits
at the charger), with the dependencies' own functions and `service.authorize_own`. The FastAPI
route in sender.py stays the documented interface and the reference behaviour.
"""

import json
import re
from typing import Any
from urllib.parse import parse_qsl

from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import Response

from evroam.deps import exchange_for, get_platform, list_lane
from evroam.errors import InvalidParameters, MalformedBody
from evroam.modules.locations.enums import TokenType
from evroam.modules.tokens import service
from evroam.modules.tokens.model import LocationReferences
from evroam.partners.auth import Reach, authenticate
from evroam.protocol.context import Scope
from evroam.protocol.envelope import JsonText, OcpiResponse
from evroam.protocol.handlers import describe_validation
from evroam.protocol.lane import LaneRoute, lane_route
from evroam.settings import Role

_resolve_exchange = exchange_for(Role.EMSP)


def build_sender_lane(path: str) -> list[LaneRoute]:
    """The Tokens Sender's lane: its GET-list and real-time authorization."""
    listing = list_lane(_resolve_exchange, service.list_own)(path)
    return [*listing, lane_route("POST", path, answer, tail="/([^/]+)/authorize")]


async def answer(request: Request, found: re.Match[str]) -> Response:
    """One authorization, as the FastAPI route answers it."""
    uid = found.group(1)
    platform = await get_platform(request)
    caller = await authenticate(platform, request.headers.get("authorization"), Reach.FUNCTIONAL)
    exchange = await _resolve_exchange(request, caller, platform)
    token_type, location = _arguments(uid, request.scope, await request.body())
    info = await service.authorize_own(platform, exchange, uid, token_type, location)
    # pydantic writes the JSON; the envelope splices it in (no dict in between)
    return OcpiResponse(JsonText(info.model_dump_json(exclude_none=True).encode()))


def _arguments(uid: str, scope: Scope, body: bytes) -> tuple[TokenType, LocationReferences | None]:
    """The path, query and body parameters, checked as the FastAPI route declares them."""
    if len(uid) > 36:
        raise InvalidParameters("token_uid: at most 36 characters")
    query = scope.get("query_string", b"").decode("latin-1")
    given = [value for name, value in parse_qsl(query, keep_blank_values=True) if name == "type"]
    try:
        token_type = TokenType(given[-1]) if given else TokenType.RFID
    except ValueError as exc:
        raise InvalidParameters(f"type: not a TokenType ({', '.join(TokenType)})") from exc
    return token_type, _location(body)


def _location(body: bytes) -> LocationReferences | None:
    if not body.strip():
        return None
    try:
        data: Any = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise MalformedBody() from exc
    if data is None:
        return None
    try:
        return LocationReferences.model_validate(data)
    except ValidationError as exc:
        raise InvalidParameters(describe_validation(exc.errors())) from exc
