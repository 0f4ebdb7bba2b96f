"""Pagination over HTTP on a Sender GET-list (CONFORMANCE section B), through the reusable
pieces every module uses: PageDep, DocumentRepository.page and page_response."""

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from evroam.partners.client import next_link
from evroam.settings import Settings
from evroam.storage.documents import ObjectKey
from tests.support import (
    ProbeItem,
    ProbeRepository,
    Running,
    auth,
    connect,
    create_probe_items,
    partner_named,
    platforms,
)

T0 = datetime(2026, 3, 1, tzinfo=UTC)
ITEMS = "/ocpi/2.2.1/probe/items"
Setup = tuple[Running, Running, str]


@pytest.fixture
async def setup(make_settings: Callable[..., Settings]) -> AsyncIterator[Setup]:
    """The emsp holds 25 items of the cpo's connection (one per minute) and 5 of nobody's."""
    cpo = make_settings("cpo", "CPO:NL:CPO")
    emsp = make_settings("emsp", "EMSP:DE:MSP", http={"page_limit": 10})
    async with platforms(cpo, emsp) as (_, (a, b)):
        await connect(a, b)
        token = (await partner_named(a.platform, "emsp")).token_out
        assert token
        partner_id = (await partner_named(b.platform, "cpo")).id
        await create_probe_items(b.platform)
        async with b.platform.unit_of_work() as session:
            repo = ProbeRepository(session)
            for n in range(25):
                item = ProbeItem(id=f"I{n:02d}", last_updated=T0 + timedelta(minutes=n))
                await repo.put(
                    ObjectKey("NL", "CPO", item.id),
                    item,
                    last_updated=item.last_updated,
                    partner_id=partner_id,
                )
            for n in range(5):
                item = ProbeItem(id=f"X{n}", last_updated=T0)
                await repo.put(
                    ObjectKey("FR", "XXX", item.id), item, last_updated=item.last_updated
                )
        yield a, b, token


async def get(setup: Setup, query: str = "") -> httpx.Response:
    _, emsp, token = setup
    return await emsp.client.get(f"{ITEMS}{query}", headers=auth(token))


def ids(response: httpx.Response) -> list[str]:
    return [item["id"] for item in response.json()["data"]]


def link_query(response: httpx.Response) -> dict[str, list[str]]:
    link = next_link(response.headers)
    assert link is not None
    return parse_qs(urlsplit(link).query)


class TestGetList:
    async def test_headers_on_every_page(self, setup: Setup) -> None:
        """B.55, B.56, B.65: offset omitted = 0; total and cap headers present."""
        response = await get(setup)
        assert response.headers["X-Total-Count"] == "25"
        assert response.headers["X-Limit"] == "10"
        assert ids(response) == [f"I{n:02d}" for n in range(10)]
        assert (
            next_link(response.headers)
            == "http://emsp.test/ocpi/2.2.1/probe/items?offset=10&limit=10"
        )

    async def test_next_link_keeps_date_filters(self, setup: Setup) -> None:
        """B.57."""
        response = await get(
            setup, "?date_from=2026-03-01T00:02:00Z&date_to=2026-03-01T00:20:00Z&limit=5"
        )
        query = link_query(response)
        assert query == {
            "date_from": ["2026-03-01T00:02:00Z"],
            "date_to": ["2026-03-01T00:20:00Z"],
            "offset": ["5"],
            "limit": ["5"],
        }

    async def test_last_page_has_no_link_and_keeps_the_cap(self, setup: Setup) -> None:
        """B.58, B.60."""
        response = await get(setup, "?offset=20")
        assert ids(response) == [f"I{n:02d}" for n in range(20, 25)]
        assert "link" not in response.headers
        assert response.headers["X-Limit"] == "10"

    async def test_limit_above_cap_returns_cap(self, setup: Setup) -> None:
        """B.59."""
        response = await get(setup, "?limit=2000")
        assert len(ids(response)) == 10
        assert response.headers["X-Limit"] == "10"
        assert link_query(response)["limit"] == ["10"]

    async def test_total_honours_date_filters(self, setup: Setup) -> None:
        """B.61, B.63, B.64: 00:02 included, 00:05 excluded."""
        response = await get(setup, "?date_from=2026-03-01T00:02:00Z&date_to=2026-03-01T00:05:00Z")
        assert ids(response) == ["I02", "I03", "I04"]
        assert response.headers["X-Total-Count"] == "3"

    async def test_only_the_callers_objects_are_counted(self, setup: Setup) -> None:
        """B.62: the 5 items of other parties are neither listed nor counted."""
        seen: list[str] = []
        for offset in (0, 10, 20):
            seen += ids(await get(setup, f"?offset={offset}"))
        assert not [i for i in seen if i.startswith("X")]

    async def test_following_links_yields_every_object_once(self, setup: Setup) -> None:
        """B.66, B.68: our own client follows Link to the end."""
        cpo, _, _ = setup
        partner = await partner_named(cpo.platform, "emsp")
        async with cpo.platform.client_for(partner) as client:
            pages = [
                answer.data
                async for answer in client.pages(f"http://emsp.test{ITEMS}", params={"limit": 7})
            ]
        flat = [item["id"] for page in pages for item in page]
        assert flat == [f"I{n:02d}" for n in range(25)]
        assert [len(page) for page in pages] == [7, 7, 7, 4]

    @pytest.mark.parametrize(
        "query", ["?offset=-1", "?limit=0", "?limit=ten", "?offset=1.5", "?date_from=yesterday"]
    )
    async def test_bad_parameters_are_2001(self, setup: Setup, query: str) -> None:
        """B.72."""
        response = await get(setup, query)
        assert response.status_code == 200
        assert response.json()["status_code"] == 2001

    async def test_empty_result_is_an_empty_list(self, setup: Setup) -> None:
        """A.17."""
        response = await get(setup, "?date_from=2030-01-01T00:00:00Z")
        assert response.json()["data"] == []
        assert response.headers["X-Total-Count"] == "0"
        assert "link" not in response.headers
