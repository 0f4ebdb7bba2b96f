"""Which page to fetch next, from the headers of the page just read (DIGEST §1.6).

Partners are followed the way they answer, with fallbacks for the ways they break:

- `Link: <url>; rel="next"` is followed when it is an absolute http(s) URL that moves forward
  (an `offset` in it, if any, is not behind what we have read) and was not fetched before.
- A missing, broken or looping `Link` while `X-Total-Count` says more objects exist: the next
  page is asked with offset arithmetic (offset += objects returned, limit = `X-Limit`).
- `X-Total-Count` dropping between pages means objects left the result set (deleted, or
  updated out of a `date_to` window) before this page was served, so the objects behind them
  shifted left: the page just read is asked again from its offset minus the drop, as §1.6
  advises (redo with offset-1). The engine ignores the objects it has seen already, so none
  that existed for the whole pull is skipped. A drop
  hidden by an object created at the same time (total unchanged) cannot be seen with offset
  paging; a keyset cursor in the partner's `Link` avoids it, and is followed as given.
- An empty page ends the pull; so does a last page (no `Link`, total reached).
"""

from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

import httpx

from evroam.errors import PartnerProtocolError
from evroam.partners.client import next_link

MAX_PAGES = 100_000  # a partner inventing pages forever: stop, the pull is incomplete


@dataclass(frozen=True)
class PageHeaders:
    """The pagination headers of one answer, each None when missing or unreadable."""

    link: str | None
    total: int | None
    limit: int | None


def _count(value: str | None) -> int | None:
    try:
        number = int(value or "")
    except ValueError:
        return None
    return number if number >= 0 else None


def read_headers(headers: httpx.Headers) -> PageHeaders:
    limit = _count(headers.get("x-limit"))
    return PageHeaders(
        link=next_link(headers),
        total=_count(headers.get("x-total-count")),
        limit=limit or None,
    )


def _link_offset(url: str) -> int | None:
    values = parse_qs(urlsplit(url).query).get("offset")
    return _count(values[0]) if values else None


@dataclass
class Crawl:
    """Where a pull stands: the list URL with its filters, the position, what was fetched."""

    url: str
    filters: dict[str, str]
    limit: int | None = None
    offset: int = 0
    total: int | None = None
    pages: int = 0
    fetched: set[str] = field(default_factory=set)

    def first(self) -> str:
        return self._at(0)

    def advance(self, returned: int, headers: PageHeaders) -> str | None:
        """The URL of the next page, or None when the pull is complete."""
        self.pages += 1
        if self.pages >= MAX_PAGES:
            raise PartnerProtocolError(f"More than {MAX_PAGES} pages: refusing to go on")
        position = self.offset + returned
        dropped = self._dropped(headers.total)
        self.total = headers.total if headers.total is not None else self.total
        self.limit = headers.limit or self.limit
        if returned == 0:
            return None
        if dropped:
            return self._at(max(self.offset - dropped, 0))
        if (link := self._usable(headers.link, position)) is not None:
            self.offset = position
            self.fetched.add(link)
            return link
        if self.total is not None and position < self.total:
            return self._at(position)
        return None

    def _dropped(self, total: int | None) -> int:
        if total is None or self.total is None:
            return 0
        return max(self.total - total, 0)

    def _usable(self, link: str | None, position: int) -> str | None:
        if link is None:
            return None
        try:
            url = httpx.URL(link)
        except httpx.InvalidURL:
            return None
        if url.scheme not in ("http", "https") or not url.host or str(url) in self.fetched:
            return None
        offset = _link_offset(link)
        return None if offset is not None and offset < position else str(url)

    def _at(self, offset: int) -> str:
        params = dict(self.filters)
        if offset:
            params["offset"] = str(offset)
        if self.limit:
            params["limit"] = str(self.limit)
        self.offset = offset
        url = str(httpx.URL(self.url).copy_merge_params(params))
        self.fetched.add(url)
        return url
