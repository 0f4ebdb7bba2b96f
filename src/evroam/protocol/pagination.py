"""Pagination of Sender GET-list endpoints, one reusable piece (DIGEST §1.6).

`date_from` inclusive, `date_to` exclusive, `offset` default 0, `limit` capped by the server.
Every page carries X-Total-Count and X-Limit (the cap), and all but the last a `Link` rel=next
that repeats the original query with the next offset.

Keyset cursor: a list that knows the key of its last object puts `cursor` beside the next
offset in `Link` (the URL is opaque to the client, DIGEST §1.6) once that offset reaches
CURSOR_FROM; below it skipping rows is cheap and the URL stays plain. The cursor holds the
offset, the key after which the next page starts and a checksum of the date filters; a request whose
offset and filters are those the cursor was issued for reads `key > cursor` instead of skipping
`offset` rows, so deep pages cost no more than the first. Any other request (a client that
edits the URL) gets plain offset semantics; a cursor that is not one of ours is 2001. The
cursor carries no permission: the caller's own conditions apply to every page.
"""

import base64
import binascii
import re
import zlib
from dataclasses import dataclass, replace
from datetime import datetime
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qsl, urlencode

from evroam.errors import InvalidParameters
from evroam.protocol.envelope import JsonText, OcpiResponse
from evroam.protocol.timestamps import parse_datetime

CURSOR_FROM = 1000  # the first next-offset whose Link carries a cursor
_CURSOR_CHARS = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_CURSOR = re.compile(r"^(\d{1,18})\.(\d{1,18})\.([0-9a-f]{8})$")


@dataclass(frozen=True)
class PageRequest:
    """What the client asked for, with the limit already capped."""

    offset: int
    limit: int
    cap: int
    date_from: datetime | None
    date_to: datetime | None
    after: int | None = None  # keyset: the page starts after this key (from a valid cursor)

    @property
    def filters(self) -> str:
        """Checksum of the date window, binding a cursor to the query it was issued for."""
        window = "/".join(str(d and d.isoformat()) for d in (self.date_from, self.date_to))
        return f"{zlib.crc32(window.encode()):08x}"


def encode_cursor(page: PageRequest, offset: int, key: int) -> str:
    """The opaque cursor of the page starting at `offset`, after the object with `key`."""
    return base64.urlsafe_b64encode(f"{offset}.{key}.{page.filters}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[int, int, str]:
    """(offset, key, filters) of one of our cursors; 2001 for anything else (B.72)."""
    if not _CURSOR_CHARS.fullmatch(cursor):
        raise InvalidParameters("cursor: not a cursor of this server")
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
    except (binascii.Error, ValueError) as exc:
        raise InvalidParameters("cursor: not a cursor of this server") from exc
    match = _CURSOR.fullmatch(text)
    if match is None:
        raise InvalidParameters("cursor: not a cursor of this server")
    return int(match[1]), int(match[2]), match[3]


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
    cursor: str | None = None,
) -> PageRequest:
    """Validate the pagination parameters; negative values are 2001 (CONFORMANCE B.72).

    A cursor is used only for the offset and date filters it was issued for (module doc)."""
    if offset is not None and offset < 0:
        raise InvalidParameters("offset must be 0 or more")
    if limit is not None and limit < 1:
        raise InvalidParameters("limit must be 1 or more")
    page = PageRequest(
        offset=offset or 0,
        limit=min(limit or cap, cap),
        cap=cap,
        date_from=_datetime_param("date_from", date_from),
        date_to=_datetime_param("date_to", date_to),
    )
    if not cursor:
        return page
    issued_at, key, filters = decode_cursor(cursor)
    if (issued_at, filters) != (page.offset, page.filters):
        return page
    return replace(page, after=key)


@dataclass(frozen=True)
class PageEnd:
    """How a page read by key ended: whether objects follow, and the key of its last one."""

    more: bool
    last_key: int | None


def page_headers(
    *,
    url: str,
    query: str,
    page: PageRequest,
    returned: int,
    total: int,
    end: PageEnd | None = None,
) -> dict[str, str]:
    """X-Total-Count, X-Limit and, unless this is the last page, Link rel="next".

    With `end` (a page read by key) the Link follows from the page itself and carries the
    cursor; without, from the total. Kept for the next request of the same page (a page
    served from memory repeats them)."""
    return dict(_headers(url, query, page, returned, total, end, CURSOR_FROM))


@lru_cache(maxsize=1024)
def _headers(
    url: str,
    query: str,
    page: PageRequest,
    returned: int,
    total: int,
    end: PageEnd | None,
    cursor_from: int,
) -> dict[str, str]:
    headers = {"X-Total-Count": str(total), "X-Limit": str(page.cap)}
    next_offset = page.offset + returned
    more = end.more if end else returned > 0 and next_offset < total
    if not more:
        return headers
    params = [
        (k, v)
        for k, v in parse_qsl(query, keep_blank_values=True)
        if k not in ("offset", "limit", "cursor")
    ]
    params += [("offset", str(next_offset)), ("limit", str(page.limit))]
    if end and end.last_key is not None and next_offset >= cursor_from:
        params.append(("cursor", encode_cursor(page, next_offset, end.last_key)))
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


def text_page_response(
    *,
    public_url: str,
    path: str,
    query: str,
    page: PageRequest,
    data: JsonText,
    returned: int,
    total: int,
    end: PageEnd,
) -> OcpiResponse:
    """`page_response` for `returned` documents already serialised as one JSON array (spliced
    in, never parsed), read by key: the Link carries the keyset cursor."""
    headers = page_headers(
        url=f"{public_url}{path}", query=query, page=page, returned=returned, total=total, end=end
    )
    return OcpiResponse(data, headers=headers)
