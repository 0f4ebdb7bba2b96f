"""Pages fetched ahead on their Link and handed out in order (sync/pipeline.py; DIGEST §1.6):
a guess never changes which pages a pull reads, only when they are asked."""

import json
from collections.abc import AsyncIterator
from contextlib import aclosing

import httpx
import pytest

from evroam.errors import PartnerOcpiError, PartnerUnreachable
from evroam.modules.locations.model import Location
from evroam.partners.client import PartnerClient
from evroam.protocol.auth import TokenEncoding
from evroam.settings import HttpSettings
from evroam.sync.paging import Crawl
from evroam.sync.pipeline import PageStream, likely_next
from evroam.sync.workers import Preparer
from tests.contract.locations_support import location as location_document

BASE = "http://peer.test/locations"


class TestLikelyNext:
    @pytest.mark.parametrize(
        ("link", "expected"),
        [
            (f'<{BASE}?offset=3>; rel="next"', f"{BASE}?offset=3"),
            (f'<{BASE}?offset=3>; rel="prev"', None),
            ('</relative?offset=3>; rel="next"', None),
            ('<ftp://peer.test/x>; rel="next"', None),
            (None, None),
        ],
    )
    def test_the_link_when_followable(self, link: str | None, expected: str | None) -> None:
        assert likely_next(httpx.Headers({"Link": link} if link else {})) == expected


class Peer:
    """Nine objects in pages of three, with a Link (or a scripted wrong one) and a total."""

    def __init__(
        self,
        *,
        link_to: dict[int, int] | None = None,
        fail_at: int | None = None,
        refuse_at: int | None = None,
    ) -> None:
        self.objects = [location_document(f"L{n}", "2026-03-01T10:00:00Z") for n in range(9)]
        self.link_to = link_to or {}
        self.fail_at, self.refuse_at = fail_at, refuse_at
        self.asked: list[int] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        offset = int(request.url.params.get("offset", 0))
        self.asked.append(offset)
        if offset == self.refuse_at:
            raise httpx.ConnectError("refused", request=request)
        if offset == self.fail_at:
            body = {
                "status_code": 3000,
                "status_message": "down",
                "timestamp": "2026-01-01T00:00:00Z",
            }
            return httpx.Response(200, json=body)
        served = self.objects[offset : offset + 3]
        headers = {"X-Total-Count": str(len(self.objects)), "X-Limit": "3"}
        following = self.link_to.get(offset, offset + 3)
        if offset + 3 < len(self.objects):
            headers["Link"] = f'<{BASE}?offset={following}&limit=3>; rel="next"'
        body = {"data": served, "status_code": 1000, "timestamp": "2026-01-01T00:00:00Z"}
        return httpx.Response(200, content=json.dumps(body), headers=headers)


async def read_all(peer: Peer, *, ahead: int = 1) -> AsyncIterator[list[str]]:
    client = PartnerClient(
        token="t",
        encoding=TokenEncoding.RAW,
        http=HttpSettings(),
        transport=httpx.MockTransport(peer),
    )
    preparer = Preparer(Location, (), workers=0, parallel_from=0)
    stream = PageStream(client, Crawl(BASE, {}), preparer, Location, ahead=ahead)
    async with client, aclosing(stream.pages()) as pages:
        async for _, page in pages:
            yield [obj.key[2] for obj in page.objects]


async def collect(
    peer: Peer, *, ahead: int = 1, into: list[list[str]] | None = None
) -> list[list[str]]:
    """The ids of each page, in order; `into` keeps those read before an error."""
    got = [] if into is None else into
    async for ids in read_all(peer, ahead=ahead):
        got.append(ids)
    return got


class TestPageStream:
    async def test_pages_in_order_each_asked_once(self) -> None:
        peer = Peer()
        assert await collect(peer, ahead=2) == [
            ["L0", "L1", "L2"],
            ["L3", "L4", "L5"],
            ["L6", "L7", "L8"],
        ]
        assert peer.asked == [0, 3, 6]

    async def test_the_next_page_is_asked_before_this_one_is_handed_out(self) -> None:
        peer = Peer()
        async for _ in read_all(peer):
            assert len(peer.asked) >= 2
            break

    async def test_a_wrong_guess_is_dropped_and_the_crawl_goes_on_where_advance_says(self) -> None:
        """A Link pointing back (offset 0 after page one) is not followed (paging.py): the
        page fetched on it is dropped, and offset arithmetic asks offset 3 instead."""
        peer = Peer(link_to={0: 0})
        assert await collect(peer) == [["L0", "L1", "L2"], ["L3", "L4", "L5"], ["L6", "L7", "L8"]]
        assert peer.asked == [0, 0, 3, 6]

    async def test_an_error_comes_in_its_turn_after_the_pages_before_it(self) -> None:
        got: list[list[str]] = []
        with pytest.raises(PartnerOcpiError, match="3000"):
            await collect(Peer(fail_at=6), ahead=3, into=got)
        assert got == [["L0", "L1", "L2"], ["L3", "L4", "L5"]]

    async def test_an_unreachable_partner_raises_in_its_turn(self) -> None:
        got: list[list[str]] = []
        with pytest.raises(PartnerUnreachable):
            await collect(Peer(refuse_at=3), ahead=2, into=got)
        assert got == [["L0", "L1", "L2"]]
