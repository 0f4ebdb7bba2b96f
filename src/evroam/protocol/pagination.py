"""Pagination of Sender GET-list endpoints, one reusable piece (DIGEST §1.6).

`date_from` inclusive, `date_to` exclusive, `offset` default 0, `limit` capped by the server.
Every page carries X-Total-Count and X-Limit (the cap), and all but the last a `Link` rel=next
that repeats the original query with the next offset.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import parse_qsl, urlencode

from fastapi import Query

from evroam.errors import InvalidParameters
from evroam.protocol.envelope import OcpiResponse
from evroam.protocol.timestamps import parse_datetime


@dataclass(frozen=True)
class PageRequest:
    """What the client asked for, with the limit already capped."""

    offset: int
    limit: int
    cap: int
    date_from: datetime | None
    date_to: datetime | None


def _datetime_param(name: str, value: str | None) -> datetime | None:
    if value is None or value == "":
        return None
    try:
        return parse_datetime(value)
    except ValueError as exc:
        raise InvalidParameters(f"{name}: {exc}") from exc


def page_request(
    *,
    offset: int | None,
    limit: int | None,
    date_from: str | None,
    date_to: str | None,
    cap: int,
) -> PageRequest:
    """Validate the pagination parameters; negative values are 2001 (CONFORMANCE B.72)."""
    if offset is not None and offset < 0:
        raise InvalidParameters("offset must be 0 or more")
    if limit is not None and limit < 1:
        raise InvalidParameters("limit must be 1 or more")
    start = _datetime_param("date_from", date_from)
    end = _datetime_param("date_to", date_to)
    return PageRequest(
        offset=offset or 0,
        limit=min(limit or cap, cap),
        cap=cap,
        date_from=start,
        date_to=end,
    )


OffsetParam = Annotated[int | None, Query(description="Index of the first object (default 0).")]
LimitParam = Annotated[int | None, Query(description="Maximum objects wanted; capped by X-Limit.")]
DateFromParam = Annotated[
    str | None, Query(description="Only objects with last_updated ≥ date_from (UTC).")
]
DateToParam = Annotated[str | None, Query(description="Only objects with last_updated < date_to.")]


def page_headers(
    *, url: str, query: str, page: PageRequest, returned: int, total: int
) -> dict[str, str]:
    """X-Total-Count, X-Limit and, unless this is the last page, Link rel="next"."""
    headers = {"X-Total-Count": str(total), "X-Limit": str(page.cap)}
    next_offset = page.offset + returned
    if returned > 0 and next_offset < total:
        params = [
            (k, v)
            for k, v in parse_qsl(query, keep_blank_values=True)
            if k not in ("offset", "limit")
        ]
        params += [("offset", str(next_offset)), ("limit", str(page.limit))]
        headers["Link"] = f'<{url}?{urlencode(params)}>; rel="next"'
    return headers


def page_response(
    *, public_url: str, path: str, query: str, page: PageRequest, documents: list[Any], total: int
) -> OcpiResponse:
    """A list answer with the pagination headers; `Link` is built on the public URL so it
    reaches us through proxies (the URL the client used may be an internal one)."""
    headers = page_headers(
        url=f"{public_url}{path}", query=query, page=page, returned=len(documents), total=total
    )
    return OcpiResponse(documents, headers=headers)
