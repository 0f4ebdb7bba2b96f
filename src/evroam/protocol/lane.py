"""The fast lane: the hottest OCPI requests answered before the framework's routing.

Sender GET-lists (what partners pull most) and real-time authorization (a driver waits at the
charger) are answered by this ASGI middleware with the same functions their FastAPI routes
call, but without matching the request against every route and solving a dependency graph:
that cost more than answering a page kept in memory (about 0.1–0.2 ms a request). The FastAPI
routes stay the documented interface (OpenAPI) and answer every other request; an endpoint
row of a version names its lane routes (`EndpointSpec.build_lane`).

Errors become envelopes exactly as the framework's handlers make them (protocol/handlers.py).
"""

import email.message
import json
import logging
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Annotated, Any

from pydantic import Field, TypeAdapter, ValidationError
from pydantic_core import InitErrorDetails
from starlette.requests import Request
from starlette.responses import Response

from evroam.errors import BodyTooLarge, InvalidParameters, MalformedBody, OcpiError
from evroam.protocol.context import ASGIApp, BodyLimitExceeded, Receive, Scope, Send
from evroam.protocol.envelope import OcpiResponse
from evroam.protocol.handlers import describe_validation, error_response, unexpected_response
from evroam.protocol.status import StatusCode

log = logging.getLogger("evroam.errors")

LaneHandler = Callable[[Request, re.Match[str]], Awaitable[Response]]


@dataclass(frozen=True)
class LaneRoute:
    """A request the lane answers: its method and path (the whole path matches `pattern`)."""

    method: str
    pattern: re.Pattern[str]
    handler: LaneHandler


def lane_route(method: str, path: str, handler: LaneHandler, *, tail: str = "") -> LaneRoute:
    """A route for `path` exactly, then `tail` (a regular expression, groups for parameters)."""
    return LaneRoute(method, re.compile(re.escape(path) + tail), handler)


class FastLane:
    """ASGI middleware answering its routes, passing every other request on untouched."""

    def __init__(self, app: ASGIApp, *, routes: Sequence[LaneRoute]) -> None:
        self.app = app
        self.routes = tuple(routes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            method, path = scope["method"], scope["path"]
            for route in self.routes:
                found = route.pattern.fullmatch(path) if route.method == method else None
                if found is not None:
                    response = await _answer(route, Request(scope, receive), found)
                    await response(scope, receive, send)
                    return
        await self.app(scope, receive, send)


async def _answer(route: LaneRoute, request: Request, found: re.Match[str]) -> Response:
    try:
        return await route.handler(request, found)
    except OcpiError as exc:
        return error_response(exc)
    except BodyLimitExceeded:  # a streamed body grew past http.max_body_bytes
        return error_response(BodyTooLarge())
    except _Unparsable:
        return OcpiResponse(
            status_code=StatusCode.CLIENT_ERROR,
            status_message="There was an error parsing the body",
            http_status=400,
        )
    except ValidationError as exc:  # a body validated by hand: the caller's data
        return error_response(InvalidParameters(describe_validation(exc.errors())))
    except Exception as exc:  # a bug: logged, answered 3000 (as the framework's handler does)
        log.error("Unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
        return unexpected_response()


class Body(Enum):
    MISSING = "missing"  # no body: a required body parameter is missing


class _Unparsable(Exception):
    """The body is JSON by its content type but not text (FastAPI answers HTTP 400, 2000)."""


async def json_body(request: Request) -> Any:
    """The request body as FastAPI hands it to validation: Body.MISSING when empty; the parsed
    JSON when the content type says JSON (MalformedBody, HTTP 400, when it is not valid JSON);
    else the bytes themselves (which no JSON-shaped parameter accepts: 2001)."""
    body = await request.body()
    if not body:
        return Body.MISSING
    if not _is_json(request.headers.get("content-type")):
        return body
    try:
        return json.loads(body)
    except json.JSONDecodeError as exc:
        raise MalformedBody() from exc
    except ValueError as exc:  # not UTF-8/16/32 text
        raise _Unparsable() from exc


def _is_json(content_type: str | None) -> bool:
    if content_type is None or content_type == "":
        return False
    if content_type == "application/json":
        return True
    message = email.message.Message()
    message["content-type"] = content_type
    subtype = message.get_content_subtype()
    return message.get_content_maintype() == "application" and (
        subtype == "json" or subtype.endswith("+json")
    )


# ── parameters checked as FastAPI checks them ──────────────────────────────────────────────

PathParameter = tuple[str, TypeAdapter[Any]]


def path_string(name: str, min_length: int, max_length: int) -> PathParameter:
    """A string path parameter `Path(min_length=…, max_length=…)`."""
    return name, TypeAdapter(Annotated[str, Field(min_length=min_length, max_length=max_length)])


def validated(
    path: Sequence[PathParameter],
    found: re.Match[str],
    body_type: TypeAdapter[Any],
    body: Any,
) -> tuple[list[Any], Any]:
    """The route's path parameters (the groups of `found`) and body, validated together as
    FastAPI validates them: one ValidationError (2001) listing every bad or missing one."""
    errors: list[InitErrorDetails] = []
    values = [
        _valid(adapter, raw, ("path", name), errors)
        for (name, adapter), raw in zip(path, found.groups(), strict=True)
    ]
    value = _valid(body_type, body, ("body",), errors)
    if errors:
        raise ValidationError.from_exception_data("request", errors)
    return values, value


def _valid(
    adapter: TypeAdapter[Any], raw: Any, where: tuple[str, ...], errors: list[InitErrorDetails]
) -> Any:
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
