"""One list page of a partner's Sender, read straight from the response bytes when it is clean.

A clean page (HTTP 2xx, an OCPI success envelope whose every object is valid) is validated
from its JSON bytes in one pydantic pass, without building the dicts first. Anything else
takes the general way: the envelope unwrapped as every call does (its errors raised as
PartnerErrors), and the objects validated one by one, so the invalid ones are skipped (B.70).
"""

from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any, Generic

import httpx
from pydantic import BaseModel, ConfigDict, StrictInt, TypeAdapter, ValidationError

from evroam.errors import PartnerProtocolError, PartnerUnreachable
from evroam.partners.client import OcpiAnswer, PartnerClient, check_url, unwrap
from evroam.protocol.status import is_success
from evroam.protocol.timestamps import utc_now
from evroam.sync.store import M


@dataclass(frozen=True)
class Page(Generic[M]):
    """One page: its headers, when it was asked, and its objects or raw items."""

    headers: httpx.Headers
    sent: datetime
    objects: list[M] | None  # every object valid: validated from the bytes in one pass
    items: list[Any]  # otherwise the raw items, validated one by one

    @property
    def count(self) -> int:
        return len(self.objects) if self.objects is not None else len(self.items)


@cache
def envelope(model: type[BaseModel]) -> TypeAdapter[Any]:
    """A success envelope whose `data` is a list of `model` (unknown fields ignored)."""

    class Envelope(BaseModel):
        model_config = ConfigDict(extra="ignore")
        status_code: StrictInt
        data: list[model] | None = None  # type: ignore[valid-type]

    return TypeAdapter(Envelope)


async def get_page(client: PartnerClient, url: str, model: type[M]) -> Page[M]:
    """GET one list page; PartnerError when the partner's answer is an error or not OCPI."""
    sent = utc_now()
    response, content = await _get(client, url)
    if not response.is_error:
        try:
            body = envelope(model).validate_json(content)
        except ValidationError:
            body = None
        if body is not None and is_success(body.status_code):
            return Page(response.headers, sent, list(body.data or []), [])
    answer = unwrap(httpx.Response(response.status_code, content=content, request=response.request))
    return Page(response.headers, sent, None, page_items(answer))


def page_items(answer: OcpiAnswer) -> list[Any]:
    """The objects of a list answer (`data` absent or null: none)."""
    if answer.data is None:
        return []
    if not isinstance(answer.data, list):
        raise PartnerProtocolError("A list endpoint answered data that is not a list")
    return answer.data


async def _get(client: PartnerClient, url: str) -> tuple[httpx.Response, bytes]:
    """The response and its body, with the checks and error mapping of `PartnerClient`.

    PartnerClient only hands out parsed answers; its httpx client is borrowed here so the
    page's bytes reach pydantic unparsed. The body is read as a stream and kept apart from
    the response object (which sits in reference cycles): a page's megabytes are freed as
    soon as the page is read, not at the next garbage collection.
    """
    check_url(url, https_only=client.http.https_only)
    try:
        async with client._client.stream("GET", url) as response:
            return response, b"".join([chunk async for chunk in response.aiter_bytes()])
    except httpx.TimeoutException as exc:
        raise PartnerUnreachable(f"Timed out: {type(exc).__name__}", url=url) from exc
    except httpx.HTTPError as exc:
        raise PartnerUnreachable(f"Could not connect: {type(exc).__name__}", url=url) from exc
