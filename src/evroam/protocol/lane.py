"""The fast lane: the hottest OCPI requests answered before the framework's routing.

Sender GET-lists (what partners pull most) and real-time authorization (a driver waits at the
charger) are answered by this ASGI middleware with the same functions their FastAPI routes
call, but without matching the request against every route and solving a dependency graph:
that cost more than answering a page kept in memory (about 0.1–0.2 ms a request). The FastAPI
routes stay the documented interface (OpenAPI) and answer every other request; an endpoint
row of a version names its lane routes (`EndpointSpec.build_lane`).

Errors become envelopes exactly as the framework's handlers make them (protocol/handlers.py).
"""

import logging
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import Response

from evroam.errors import BodyTooLarge, InvalidParameters, OcpiError
from evroam.protocol.context import ASGIApp, BodyLimitExceeded, Receive, Scope, Send
from evroam.protocol.handlers import describe_validation, error_response, unexpected_response

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
    except ValidationError as exc:  # a body validated by hand: the caller's data
        return error_response(InvalidParameters(describe_validation(exc.errors())))
    except Exception as exc:  # a bug: logged, answered 3000 (as the framework's handler does)
        log.error("Unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
        return unexpected_response()
