"""One list page of a partner's Sender: its bytes as they came, and their error if any.

The body is kept as bytes so that preparing it (`prepare.py`, perhaps in a worker process)
validates it in one pydantic pass. An answer that is not a clean success list takes the
general way: the envelope unwrapped as every call does (its errors raised as PartnerErrors),
and the objects validated one by one, so the invalid ones are skipped (B.70).
"""

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
from pydantic import BaseModel

from evroam.errors import PartnerProtocolError, PartnerUnreachable
from evroam.partners.client import OcpiAnswer, PartnerClient, check_url, unwrap
from evroam.protocol.timestamps import utc_now
from evroam.sync.prepare import PreparedPage, prepare_items


@dataclass(frozen=True)
class RawPage:
    """One answer as received: when it was asked, its status, headers and body."""

    sent: datetime
    response: httpx.Response  # status and headers only: the body is `content`
    content: bytes

    @property
    def headers(self) -> httpx.Headers:
        return self.response.headers

    @property
    def clean(self) -> bool:
        """Worth preparing from the bytes: not an HTTP error (whose body may be anything)."""
        return not self.response.is_error


def general_page(raw: RawPage, model: type[BaseModel], columns: tuple[str, ...]) -> PreparedPage:
    """The page of an answer that is not a clean success list, or the PartnerError it is."""
    response = raw.response
    answer = unwrap(
        httpx.Response(response.status_code, content=raw.content, request=response.request)
    )
    return prepare_items(model, columns, page_items(answer))


def page_items(answer: OcpiAnswer) -> list[Any]:
    """The objects of a list answer (`data` absent or null: none)."""
    if answer.data is None:
        return []
    if not isinstance(answer.data, list):
        raise PartnerProtocolError("A list endpoint answered data that is not a list")
    return answer.data


async def get_page(client: PartnerClient, url: str) -> RawPage:
    """GET one list page with the checks and error mapping of `PartnerClient`.

    PartnerClient only hands out parsed answers; its httpx client is borrowed here so the
    page's bytes reach pydantic unparsed. The body is read as a stream and kept apart from
    the response object (which sits in reference cycles): a page's megabytes are freed as
    soon as the page is stored, not at the next garbage collection.
    """
    check_url(url, https_only=client.http.https_only)
    sent = utc_now()
    try:
        async with client._client.stream("GET", url) as response:
            content = b"".join([chunk async for chunk in response.aiter_bytes()])
    except httpx.TimeoutException as exc:
        raise PartnerUnreachable(f"Timed out: {type(exc).__name__}", url=url) from exc
    except httpx.HTTPError as exc:
        raise PartnerUnreachable(f"Could not connect: {type(exc).__name__}", url=url) from exc
    if client.edge is not None and not response.is_error:
        content = await _converted(client, url, content)
    return RawPage(sent, response, content)


async def _converted(client: PartnerClient, url: str, content: bytes) -> bytes:
    """A page of a partner speaking another version, its objects in the version we store."""
    assert client.edge is not None
    try:
        body = json.loads(content)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return content  # not JSON: the general way reports it
    if isinstance(body, dict) and isinstance(body.get("data"), list):
        body["data"] = await client.edge.incoming("GET", url, body["data"])
    return json.dumps(body).encode()
