"""Real-time authorization on a fast lane: `POST {tokens_url}/{uid}/authorize` answered before
the framework's routing (DIGEST §9.3: "keep latency minimal", a driver waits at the charger).

The FastAPI route in sender.py stays the documented interface (OpenAPI) and the reference
behaviour; this ASGI middleware answers the same requests with the same dependencies and
service (authentication, routing headers, `service.authorize_own`) but without matching the
request against every route and solving the dependency graph, which cost more than the
authorization itself. Requests it does not recognise pass through untouched.
"""

import json
import logging
import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qsl

from pydantic import ValidationError
from starlette.requests import Request

from evroam.deps import exchange_for, get_platform
from evroam.errors import (
    BodyTooLarge,
    InvalidParameters,
    MalformedBody,
    OcpiError,
    ServerError,
)
from evroam.modules.locations.enums import TokenType
from evroam.modules.tokens import service
from evroam.modules.tokens.model import LocationReferences
from evroam.partners.auth import Reach, authenticate
from evroam.protocol.context import ASGIApp, BodyLimitExceeded, Receive, Scope, Send
from evroam.protocol.envelope import JsonText, envelope_bytes
from evroam.protocol.handlers import describe_validation
from evroam.settings import Role
from evroam.versions import supported

log = logging.getLogger("evroam.errors")

_resolve_exchange = exchange_for(Role.EMSP)
_JSON = [(b"content-type", b"application/json")]


def sender_paths(local_roles: Iterable[Role]) -> list[str]:
    """The Tokens Sender URL paths this platform serves, one per version."""
    roles = set(local_roles)
    return [
        f"/ocpi/{spec.number}/{endpoint.path}"
        for spec in supported()
        for endpoint in spec.endpoints_for(roles)
        if endpoint.module == "tokens" and endpoint.path.startswith("sender")
    ]


class AuthorizeLane:
    """ASGI middleware answering real-time authorization requests of our Tokens Sender."""

    def __init__(self, app: ASGIApp, *, local_roles: Iterable[Role]) -> None:
        self.app = app
        paths = "|".join(re.escape(p) for p in sender_paths(local_roles))
        self.pattern = re.compile(rf"^(?:{paths})/([^/]+)/authorize$") if paths else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        found = (
            self.pattern.match(scope["path"])
            if self.pattern and scope["type"] == "http" and scope["method"] == "POST"
            else None
        )
        if found is None:
            await self.app(scope, receive, send)
            return
        status, body = await answer(Request(scope, receive), found.group(1))
        headers = [*_JSON, (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


async def answer(request: Request, uid: str) -> tuple[int, bytes]:
    """HTTP status and envelope of one authorization, as the FastAPI route would answer."""
    try:
        platform = await get_platform(request)
        header = request.headers.get("authorization")
        caller = await authenticate(platform, header, Reach.FUNCTIONAL)
        exchange = await _resolve_exchange(request, caller, platform)
        token_type, location = _arguments(uid, request.scope, await request.body())
        info = await service.authorize_own(platform, exchange, uid, token_type, location)
        # pydantic writes the JSON; the envelope splices it in (no dict in between)
        return 200, envelope_bytes(JsonText(info.model_dump_json(exclude_none=True).encode()))
    except OcpiError as exc:
        return exc.http_status, _error(exc)
    except BodyLimitExceeded:  # a streamed body grew past http.max_body_bytes
        return BodyTooLarge.http_status, _error(BodyTooLarge())
    except Exception as exc:  # a bug: logged, answered 3000 (as the framework's handler does)
        log.error("Unexpected error on POST %s", request.url.path, exc_info=exc)
        return 500, _error(ServerError("Internal error; the request was not processed"))


def _error(exc: OcpiError) -> bytes:
    return envelope_bytes(status_code=exc.status_code, status_message=exc.message)


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
