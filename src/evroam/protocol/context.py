"""Per-request context: X-Request-ID, X-Correlation-ID, extra response headers, body limit.

A pure ASGI middleware (no BaseHTTPMiddleware overhead) creates the context, echoes both ids in
every response (generated when the request has none, DIGEST §1.3) and refuses bodies over the
configured size. Handlers add response headers (routing headers) through the same context, and
outbound calls made while serving the request reuse its correlation id.
"""

import os
import re
from collections.abc import Awaitable, Callable, MutableMapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from evroam.protocol.envelope import envelope_bytes
from evroam.protocol.status import StatusCode

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

_ID = re.compile(r"^[\x21-\x7E]{1,255}$")
CONTEXT_KEY = "ocpi_context"


@dataclass
class RequestContext:
    request_id: str
    correlation_id: str
    response_headers: dict[str, str] = field(default_factory=dict)


current_context: ContextVar[RequestContext | None] = ContextVar(
    "ocpi_request_context", default=None
)


def new_id() -> str:
    """A random UUID (version 4) as text, written directly: uuid.uuid4() and str() of it cost
    ~5 µs, and a request without ids needs two."""
    h = os.urandom(16).hex()
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{_VARIANT[h[16]]}{h[17:20]}-{h[20:]}"


# The variant bits of RFC 4122 (10xx) set in the first hex digit of the fourth group
_VARIANT = {d: "89ab"[int(d, 16) & 3] for d in "0123456789abcdef"}


def _valid_id(value: bytes | None) -> str | None:
    if value is None:
        return None
    text = value.decode("latin-1")
    return text if _ID.fullmatch(text) else None


class BodyLimitExceeded(Exception):
    """Raised from `receive` when a streamed body grows past the limit."""


class RequestContextMiddleware:
    """Creates the RequestContext, adds the id headers to every response, limits body size."""

    def __init__(self, app: ASGIApp, *, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        context = RequestContext(
            request_id=_valid_id(headers.get(b"x-request-id")) or new_id(),
            correlation_id=_valid_id(headers.get(b"x-correlation-id")) or new_id(),
        )
        scope.setdefault("state", {})[CONTEXT_KEY] = context
        token = current_context.set(context)
        try:
            await self._serve(scope, receive, send, context, headers)
        finally:
            current_context.reset(token)

    async def _serve(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        context: RequestContext,
        headers: dict[bytes, bytes],
    ) -> None:
        async def send_with_ids(message: Message) -> None:
            if message["type"] == "http.response.start":
                extra = [
                    (b"x-request-id", context.request_id.encode()),
                    (b"x-correlation-id", context.correlation_id.encode()),
                    *(
                        (k.lower().encode(), v.encode())
                        for k, v in context.response_headers.items()
                    ),
                ]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_body_bytes:
            await _refuse_too_large(send_with_ids, self.max_body_bytes)
            return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    raise BodyLimitExceeded
            return message

        await self.app(scope, limited_receive, send_with_ids)


async def _refuse_too_large(send: Send, limit: int) -> None:
    body = envelope_bytes(
        None, StatusCode.INVALID_PARAMETERS, f"Request body exceeds the limit of {limit} bytes"
    )
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def context_of(scope: Scope) -> RequestContext:
    """The context the middleware attached to this request."""
    state = scope.get("state") or {}
    context = state.get(CONTEXT_KEY)
    if isinstance(context, RequestContext):
        return context
    return RequestContext(request_id=new_id(), correlation_id=new_id())
