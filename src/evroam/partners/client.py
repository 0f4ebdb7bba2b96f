"""PartnerClient: every outbound OCPI call, with auth, ids, timeouts and envelope unwrapping.

The only place that touches httpx exceptions; callers see the PartnerError tree.
"""

import json
import ssl
from collections.abc import AsyncIterator, Generator
from dataclasses import dataclass, replace
from functools import cache
from typing import Any, Protocol
from urllib.parse import urlsplit

import httpx
from pydantic_core import to_json

from evroam.errors import (
    PartnerHttpError,
    PartnerOcpiError,
    PartnerProtocolError,
    PartnerUnreachable,
)
from evroam.protocol.auth import TokenEncoding, encode_token
from evroam.protocol.context import current_context, new_id
from evroam.protocol.status import is_success
from evroam.settings import HttpSettings


class VersionEdge(Protocol):
    """Converts the bodies of calls to a partner speaking another version than the one we
    store (versions/v2_1_1/peer.py), and drops what that version does not send."""

    async def outgoing(
        self, method: str, url: str, body: Any, params: dict[str, Any] | None
    ) -> tuple[Any, dict[str, Any] | None]: ...

    async def incoming(
        self, method: str, url: str, data: Any, params: dict[str, Any] | None = None
    ) -> Any: ...

    def command_result(self, body: dict[str, Any]) -> dict[str, Any]:
        """A CommandResult for a response_url (not under an endpoint: told apart here)."""
        ...


ROUTING_HEADERS = (
    "ocpi-to-country-code",
    "ocpi-to-party-id",
    "ocpi-from-country-code",
    "ocpi-from-party-id",
)


class TokenAuth(httpx.Auth):
    """Writes `Authorization: Token …` in the connection's encoding."""

    def __init__(self, token: str, encoding: TokenEncoding) -> None:
        self._header = encode_token(token, encoding)

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = self._header
        yield request


@dataclass(frozen=True)
class OcpiAnswer:
    """An unwrapped successful OCPI response."""

    data: Any
    status_code: int
    status_message: str | None
    headers: httpx.Headers
    http_status: int


def check_url(url: str, *, https_only: bool) -> str:
    """Refuse URLs we must not call: other schemes, no host, or http where https is required."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise PartnerProtocolError("Not an http(s) URL", url=url[:255])
    if https_only and parts.scheme != "https":
        raise PartnerProtocolError("Plain http is refused (http.https_only is set)", url=url[:255])
    return url


def join_url(base: str, *segments: str) -> str:
    """`{endpoint_url}/{segment}…` whether or not the partner's URL ends with a slash."""
    return "/".join([base.rstrip("/"), *(s.strip("/") for s in segments if s)])


@cache
def tls_context() -> ssl.SSLContext:
    """The TLS settings of every outbound client (httpx's defaults: certifi's roots, or
    SSL_CERT_FILE / SSL_CERT_DIR), made once per process: loading the roots costs ~20 ms of
    CPU, and a client is made for every push pass and many single calls."""
    return httpx.create_ssl_context()


class PartnerClient:
    """One httpx.AsyncClient per partner; the transport is injectable for tests."""

    def __init__(
        self,
        *,
        token: str,
        encoding: TokenEncoding,
        http: HttpSettings,
        transport: httpx.AsyncBaseTransport | None = None,
        routing_headers: dict[str, str] | None = None,
        connections: int | None = None,
        edge: VersionEdge | None = None,
    ) -> None:
        self.http = http
        self.edge = edge
        if edge is not None:
            routing_headers = None  # a version without routing headers (2.1.1)
        limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
        self._client = httpx.AsyncClient(
            limits=limits if connections else httpx.Limits(),
            auth=TokenAuth(token, encoding),
            timeout=httpx.Timeout(http.timeout_seconds, connect=http.connect_timeout_seconds),
            transport=transport,
            verify=tls_context(),
            headers=routing_headers or {},
            follow_redirects=True,
            max_redirects=3,
            event_hooks={"request": [_add_ids]},
        )

    async def __aenter__(self) -> "PartnerClient":
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._client.aclose()

    async def request(
        self,
        method: str,
        url: str,
        *,
        json_body: Any = None,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> OcpiAnswer:
        """Send one request and unwrap its envelope; PartnerError on anything unusable."""
        check_url(url, https_only=self.http.https_only)
        if self.edge is not None:
            json_body, params = await self.edge.outgoing(method, url, json_body, params)
            headers = {k: v for k, v in (headers or {}).items() if k.lower() not in ROUTING_HEADERS}
        # pydantic's serializer: compact, and several times as fast as json.dumps on a Location
        content = None if json_body is None else to_json(json_body)
        sent_headers = dict(headers or {})
        if content is not None:
            sent_headers["Content-Type"] = "application/json"
        try:
            response = await self._client.request(
                method, url, content=content, params=params, headers=sent_headers
            )
        except httpx.TimeoutException as exc:
            raise PartnerUnreachable(f"Timed out: {type(exc).__name__}", url=url) from exc
        except httpx.HTTPError as exc:
            raise PartnerUnreachable(f"Could not connect: {type(exc).__name__}", url=url) from exc
        answer = unwrap(response)
        if self.edge is not None:
            data = await self.edge.incoming(method, url, answer.data, params)
            answer = replace(answer, data=data)
        return answer

    async def get(self, url: str, *, params: dict[str, Any] | None = None) -> OcpiAnswer:
        return await self.request("GET", url, params=params)

    async def post(self, url: str, body: Any = None) -> OcpiAnswer:
        return await self.request("POST", url, json_body=body)

    async def put(self, url: str, body: Any) -> OcpiAnswer:
        return await self.request("PUT", url, json_body=body)

    async def patch(self, url: str, body: Any) -> OcpiAnswer:
        return await self.request("PATCH", url, json_body=body)

    async def delete(self, url: str) -> OcpiAnswer:
        return await self.request("DELETE", url)

    async def pages(
        self, url: str, *, params: dict[str, Any] | None = None
    ) -> AsyncIterator[OcpiAnswer]:
        """Follow `Link: <…>; rel="next"` until the last page (DIGEST §1.6)."""
        answer = await self.get(url, params=params)
        seen = {url}
        yield answer
        while (next_url := next_link(answer.headers)) and next_url not in seen:
            seen.add(next_url)
            answer = await self.get(next_url)
            yield answer


async def _add_ids(request: httpx.Request) -> None:
    context = current_context.get()
    request.headers["X-Request-ID"] = new_id()
    request.headers["X-Correlation-ID"] = context.correlation_id if context else new_id()


def unwrap(response: httpx.Response) -> OcpiAnswer:
    """Turn an HTTP response into an OcpiAnswer, or the PartnerError that says why not."""
    url = str(response.request.url) if response.request else None
    try:
        body = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        body = None
    if not isinstance(body, dict) or not isinstance(body.get("status_code"), int):
        if response.is_error:
            raise PartnerHttpError(
                f"HTTP {response.status_code}", url=url, http_status=response.status_code
            )
        raise PartnerProtocolError("The answer is not an OCPI envelope", url=url)
    code = body["status_code"]
    message = body.get("status_message")
    if response.is_error or not is_success(code):
        if not response.is_error:
            raise PartnerOcpiError(
                f"OCPI status {code}: {message or 'no message'}",
                url=url,
                status_code=code,
                status_message=message or "",
            )
        raise PartnerHttpError(
            f"HTTP {response.status_code}, OCPI status {code}: {message or 'no message'}",
            url=url,
            http_status=response.status_code,
        )
    return OcpiAnswer(
        data=body.get("data"),
        status_code=code,
        status_message=message,
        headers=response.headers,
        http_status=response.status_code,
    )


def next_link(headers: httpx.Headers) -> str | None:
    """The `rel="next"` URL of a Link header, if any."""
    for part in headers.get("link", "").split(","):
        if "rel" in part and "next" in part.split("rel", 1)[1]:
            start, end = part.find("<"), part.find(">")
            if 0 <= start < end:
                return str(part[start + 1 : end].strip())
    return None
