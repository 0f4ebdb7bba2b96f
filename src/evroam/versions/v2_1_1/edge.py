"""The 2.1.1 edge: a 2.1.1 peer's functional request translated to our 2.2.1 interface and the
answer translated back (ARCHITECTURE: one canonical model, versions at the edge).

An ASGI middleware in front of everything else. A request under `/ocpi/2.1.1/<side>/<module>`
has its body converted (`translate.request_in`), its path moved to the 2.2.1 interface of the
same module and role, and is then served by the 2.2.1 routes exactly as a 2.2.1 request would
be: the same authentication, ownership checks, services and storage. The answer's data is
converted (`translate.response_out`), its strings made ASCII and its times whole seconds
(`text.for_peer`), status codes 2.1.1 lacks mapped, and `Link` / `Location` headers moved
back to the 2.1.1 URLs. 2.1.1 has no routing headers: our party is the platform's only one
and the peer's is the one its credentials carry (O.374), as the 2.2.1 routes assume when
none are sent. Versions and credentials have 2.1.1 routes of their own and pass through.
"""

import json
import logging
from typing import Any
from urllib.parse import urlencode

from starlette.responses import Response

from evroam.errors import (
    BodyTooLarge,
    MalformedBody,
    NotFound,
    OcpiError,
    ServerError,
)
from evroam.partners.auth import Reach, authenticate
from evroam.platform import Platform
from evroam.protocol.context import ASGIApp, Message, Receive, Scope, Send
from evroam.protocol.handlers import error_response
from evroam.versions import EndpointSpec, offered
from evroam.versions.v2_1_1 import SPEC
from evroam.versions.v2_1_1.text import for_peer
from evroam.versions.v2_1_1.translate import (
    CONVERSION_ERRORS,
    Answer,
    Call,
    Inner,
    patch_as_put,
    query_in,
    replacing_patch,
    request_in,
    response_out,
    unreadable,
)
from evroam.versions.v2_2_1 import SPEC as CANONICAL

log = logging.getLogger("evroam.errors")
PREFIX = f"/ocpi/{SPEC.number}/"
VERSIONS = "/ocpi/versions"
# 2.1.1 has no 2004 (unknown Token) and no 4xxx (Hub errors): the nearest generic code
STATUS_2_1_1 = {2004: 2000, 4000: 3000, 4001: 3000, 4002: 3000, 4003: 3000}


def _canonical_path(endpoint: EndpointSpec) -> str:
    twin = next(
        e for e in CANONICAL.endpoints if e.module == endpoint.module and e.role == endpoint.role
    )
    return CANONICAL.path_of(twin)


PATHS = {SPEC.path_of(e): _canonical_path(e) for e in SPEC.endpoints if e.build_router is None}


def route_of(path: str) -> tuple[EndpointSpec, list[str]] | None:
    """The 2.1.1 functional endpoint a path is under, and the path's segments after it."""
    for endpoint in SPEC.endpoints:
        if endpoint.build_router is not None:
            continue
        base = SPEC.path_of(endpoint)
        if path == base or path.startswith(base + "/"):
            return endpoint, [s for s in path[len(base) :].split("/") if s]
    return None


class LegacyEdge:
    """ASGI middleware serving 2.1.1 peers through the 2.2.1 interfaces."""

    def __init__(self, app: ASGIApp, *, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        route = route_of(path) if path.startswith(PREFIX) else None
        if route is None:
            if path.startswith(PREFIX) or path in (PREFIX.rstrip("/"), VERSIONS):
                await self._tidied(scope, receive, send)  # versions, credentials: 2.1.1 read them
            else:
                await self.app(scope, receive, send)
            return
        try:
            status, headers, content = await self._serve(scope, receive, route)
        except OcpiError as exc:
            status, headers, content = _rendered(error_response(exc))
        except Exception:  # a bug of ours: the peer gets an envelope, the log the traceback
            log.exception("Unexpected error serving a 2.1.1 request to %s", path)
            status, headers, content = _rendered(error_response(ServerError()))
        await _send_answer(send, status, headers, content)

    async def _tidied(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve the request as it is, its answer in 2.1.1's alphabet and whole seconds (the
        versions list is shared by both versions: RFC 3339 allows whole seconds too)."""
        status, headers, content = await _answer_of(self.app, scope, receive)
        await _send_answer(send, status, headers, _tidy(content))

    async def _serve(
        self, scope: Scope, receive: Receive, route: tuple[EndpointSpec, list[str]]
    ) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        endpoint, rest = route
        platform: Platform = scope["app"].state.platform
        _check_served(platform, endpoint)
        raw = await _body(receive, self.max_body_bytes)
        call = Call(
            platform=platform,
            module=endpoint.module,
            role=endpoint.role,
            method=scope["method"],
            rest=rest,
            owner=await _caller_party(platform, scope),
        )
        body = _json(raw)
        inner = self._inner(scope, endpoint, rest)
        if call.owner is None:  # not a registered 2.1.1 peer: the 2.2.1 route says why not
            status, headers, content = await inner(scope["method"], body, {})
            return status, headers, _tidy(content)
        status, headers, content = await _translated(call, body, inner)
        return status, _headers_out(headers), await _content_out(call, status, content)

    def _inner(self, scope: Scope, endpoint: EndpointSpec, rest: list[str]) -> "Inner":
        """A function calling the 2.2.1 interface for this request, with any method and body."""
        base = PATHS[SPEC.path_of(endpoint)]
        path = "/".join([base, *rest])

        async def call(method: str, body: Any, query: dict[str, str]) -> "Answer":
            content = b"" if body is None else json.dumps(body).encode()
            query_string = scope.get("query_string", b"").decode("latin-1")
            extra = urlencode(query)
            query_string = "&".join(part for part in (query_string, extra) if part)
            headers = [
                (k, v)
                for k, v in scope.get("headers", [])
                if k not in (b"content-length", b"content-type")
            ]
            if content:
                headers += [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(content)).encode()),
                ]
            inner = dict(scope)
            inner.update(
                method=method,
                path=path,
                raw_path=path.encode(),
                query_string=query_string.encode("latin-1"),
                headers=headers,
            )
            return await _call(self.app, inner, content)

        return call


def _check_served(platform: Platform, endpoint: EndpointSpec) -> None:
    served = SPEC in offered(platform.settings)
    if not served or endpoint not in SPEC.endpoints_for(platform.local_roles):
        raise NotFound(f"No OCPI 2.1.1 {endpoint.module} interface here; see /ocpi/versions")


async def _translated(call: Call, body: Any, inner: Inner) -> Answer:
    """The 2.2.1 interface's answer to the request, its body converted (or served as a PUT
    of the merged object where 2.1.1's PATCH means a replacement)."""
    if replacing_patch(call, body):
        return await patch_as_put(call, body, inner)
    try:
        converted, query = await request_in(call, body)
    except CONVERSION_ERRORS as exc:
        raise unreadable(call, exc) from exc
    return await inner(call.method, converted, await query_in(call) | query)


async def _call(app: ASGIApp, scope: Scope, content: bytes) -> Answer:
    """Run the app on one request held in memory; its whole answer."""
    delivered = False

    async def receive() -> Message:
        nonlocal delivered
        if delivered:
            return {"type": "http.disconnect"}
        delivered = True
        return {"type": "http.request", "body": content, "more_body": False}

    return await _answer_of(app, scope, receive)


async def _answer_of(app: ASGIApp, scope: Scope, receive: Receive) -> Answer:
    """Run the app on a request; its whole answer, held back from the client."""
    status, headers, chunks = 500, [], []

    async def send(message: Message) -> None:
        nonlocal status, headers
        if message["type"] == "http.response.start":
            status, headers = message["status"], list(message.get("headers", []))
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, send)
    return status, headers, b"".join(chunks)


async def _body(receive: Receive, limit: int) -> bytes:
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge(f"Request body exceeds the limit of {limit} bytes")
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _json(raw: bytes) -> Any:
    if not raw.strip():
        return None
    try:
        return json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise MalformedBody("The body is not JSON") from exc


async def _caller_party(platform: Platform, scope: Scope) -> tuple[str, str] | None:
    """The calling peer's party (its credentials carry one); None when it cannot be told (the
    2.2.1 route then refuses the request with the right error)."""
    header = dict(scope.get("headers", [])).get(b"authorization")
    try:
        caller = await authenticate(
            platform, header.decode("latin-1") if header else None, Reach.FUNCTIONAL
        )
    except OcpiError:
        return None
    roles = caller.partner.roles
    return (roles[0].country_code, roles[0].party_id) if len(roles) == 1 else None


def _headers_out(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """The answer's headers for a 2.1.1 peer: no routing headers, 2.1.1 URLs."""
    out = []
    for key, value in headers:
        name = key.lower()
        if name.startswith(b"ocpi-to-") or name.startswith(b"ocpi-from-"):
            continue
        if name in (b"link", b"location"):
            value = _url_out(value.decode("latin-1")).encode("latin-1")
        out.append((key, value))
    return out


def _url_out(text: str) -> str:
    for legacy, canonical in PATHS.items():
        text = text.replace(canonical + "/", legacy + "/").replace(canonical + "?", legacy + "?")
        if text.endswith(canonical):
            text = text[: -len(canonical)] + legacy
    return text


async def _content_out(call: "Call", status: int, content: bytes) -> bytes:
    try:
        envelope = json.loads(content)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return content
    if not isinstance(envelope, dict):
        return content
    code = envelope.get("status_code")
    if isinstance(code, int) and 1000 <= code < 2000 and envelope.get("data") is not None:
        envelope["data"] = await response_out(call, envelope["data"])
    if code in STATUS_2_1_1:
        envelope["status_code"] = STATUS_2_1_1[code]
    return json.dumps(for_peer(envelope), separators=(",", ":")).encode()


def _rendered(response: Response) -> Answer:
    """An error answer of the edge itself, as a 2.1.1 peer reads it."""
    return response.status_code, list(response.raw_headers), _tidy(bytes(response.body))


async def _send_answer(
    send: Send, status: int, headers: list[tuple[bytes, bytes]], content: bytes
) -> None:
    headers = [h for h in headers if h[0].lower() != b"content-length"]
    headers.append((b"content-length", str(len(content)).encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": content})


def _tidy(content: bytes) -> bytes:
    """An envelope with every string ASCII and every DateTime whole-second (A.45, A.51)."""
    try:
        envelope = json.loads(content)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return content
    return json.dumps(for_peer(envelope), separators=(",", ":")).encode()
