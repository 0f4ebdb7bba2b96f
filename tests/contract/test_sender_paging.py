"""Sender lists over HTTP with the keyset cursor and the spliced body (DIGEST §1.6; CONFORMANCE
B.57, B.62, B.66, B.72): the Locations and Tariffs Senders of a CPO capped at 3 per page, with
cursors in every Link (CURSOR_FROM lowered to 0)."""

import json
from collections.abc import AsyncIterator, Callable
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from evroam.modules.credentials import service as credentials
from evroam.modules.locations.model import Location
from evroam.modules.locations.repository import LocationRepository, locations
from evroam.partners.client import next_link
from evroam.protocol import pagination
from evroam.protocol.pagination import page_request
from evroam.settings import Settings
from evroam.storage.documents import ObjectKey
from tests.contract.locations_support import (
    LOCATIONS_SENDER,
    TARIFFS_SENDER,
    Link,
    at,
    data,
    emsp_at_cpo,
    ids,
    location,
    status,
    store_own_location,
    store_own_tariff,
    tariff,
)


@pytest.fixture
async def sender(
    make_settings: Callable[..., Settings], monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Link]:
    """The eMSP's way into the CPO's Sender, 7 own Locations one minute apart, 4 Tariffs."""
    monkeypatch.setattr(pagination, "CURSOR_FROM", 0)
    async with emsp_at_cpo(make_settings) as link_:
        for n in range(7):
            await store_own_location(link_.server, location(f"L{n}", at(n)))
        for n in range(4):
            await store_own_tariff(link_.server, tariff(f"T{n}", at(n)))
        yield link_


def query_of(response: httpx.Response) -> dict[str, list[str]]:
    link = next_link(response.headers)
    assert link is not None
    return parse_qs(urlsplit(link).query)


async def walk(sender: Link, path: str) -> tuple[list[str], list[httpx.Response]]:
    """Follow Link from `path` to the end: the ids seen and every answer."""
    responses = [await sender.get(path)]
    while (following := next_link(responses[-1].headers)) is not None:
        responses.append(await sender.get(following))
    return [i for r in responses for i in ids(r)], responses


class TestCursorLinks:
    async def test_following_links_yields_every_location_once(self, sender: Link) -> None:
        """B.66 with a cursor in every Link; every page counts the whole list."""
        seen, responses = await walk(sender, LOCATIONS_SENDER)
        assert seen == [f"L{n}" for n in range(7)]
        assert all(r.headers["X-Total-Count"] == "7" for r in responses)
        assert all("cursor" in query_of(r) for r in responses[:-1])

    async def test_following_links_yields_every_tariff_once(self, sender: Link) -> None:
        seen, _ = await walk(sender, TARIFFS_SENDER)
        assert seen == [f"T{n}" for n in range(4)]

    async def test_date_filters_are_repeated_beside_the_cursor(self, sender: Link) -> None:
        """B.57, B.61: the window [00:01, 00:06) holds L1..L5."""
        path = f"{LOCATIONS_SENDER}?date_from={at(1)}&date_to={at(6)}"
        first = await sender.get(path)
        query = query_of(first)
        assert (query["date_from"], query["date_to"]) == ([at(1)], [at(6)])
        assert query["offset"] == ["3"]
        seen, responses = await walk(sender, path)
        assert seen == ["L1", "L2", "L3", "L4", "L5"]
        assert all(r.headers["X-Total-Count"] == "5" for r in responses)

    async def test_an_object_deleted_before_the_cursor_skips_nothing(self, sender: Link) -> None:
        """The keyset walk is exact where offsets would shift: each later object comes once."""
        first = await sender.get(LOCATIONS_SENDER)
        await forget(sender, "L0")
        following = next_link(first.headers)
        assert following
        rest, _ = await walk(sender, following)
        assert ids(first) + rest == [f"L{n}" for n in range(7)]

    async def test_an_edited_offset_is_served_as_an_offset(self, sender: Link) -> None:
        first = await sender.get(LOCATIONS_SENDER)
        cursor = query_of(first)["cursor"][0]
        response = await sender.get(f"{LOCATIONS_SENDER}?offset=5&cursor={cursor}")
        assert ids(response) == ["L5", "L6"]

    @pytest.mark.parametrize("cursor", ["%%%", "bm90LWEtY3Vyc29y", "MTIz"])
    async def test_a_cursor_not_of_ours_is_2001(self, sender: Link, cursor: str) -> None:
        """B.72."""
        response = await sender.get(f"{LOCATIONS_SENDER}?offset=3&cursor={cursor}")
        assert response.status_code == 200
        assert status(response) == 2001


class TestSplicedBody:
    async def test_data_is_the_stored_objects_as_the_parsed_form_wrote_them(
        self, sender: Link
    ) -> None:
        """The spliced list is the same JSON, key order included, as the documents read the
        parsed way (`page`) and written again; the envelope is complete and typed as JSON."""
        response = await sender.get(LOCATIONS_SENDER)
        page = page_request(offset=0, limit=3, date_from=None, date_to=None, cap=3)
        async with sender.server.platform.sessions() as session:
            parsed = await LocationRepository(session).page(page, locations.c.partner_id.is_(None))
        listed = data(response)
        assert json.dumps(listed, ensure_ascii=False) == json.dumps(
            parsed.documents, ensure_ascii=False
        )
        assert listed == [
            Location.model_validate(location(f"L{n}", at(n))).model_dump(
                mode="json", exclude_none=True
            )
            for n in range(3)
        ]
        assert response.headers["content-type"] == "application/json"
        assert int(response.headers["content-length"]) == len(response.content)
        assert set(response.json()) == {"data", "status_code", "timestamp"}

    async def test_an_empty_window_is_an_empty_list(self, sender: Link) -> None:
        """A.17."""
        response = await sender.get(f"{LOCATIONS_SENDER}?date_from=2030-01-01T00:00:00Z")
        assert data(response) == []
        assert response.headers["X-Total-Count"] == "0"
        assert "link" not in response.headers


class TestCachedReads:
    async def test_a_write_shows_in_the_next_total(self, sender: Link) -> None:
        """The count cache never outlives a write made by this process."""
        assert (await sender.get(LOCATIONS_SENDER)).headers["X-Total-Count"] == "7"
        await store_own_location(sender.server, location("L7", at(7)))
        assert (await sender.get(LOCATIONS_SENDER)).headers["X-Total-Count"] == "8"
        await forget(sender, "L7")
        assert (await sender.get(LOCATIONS_SENDER)).headers["X-Total-Count"] == "7"

    async def test_an_unregistered_partner_is_refused_at_once(self, sender: Link) -> None:
        """The caller cache never outlives a credentials change made by this process."""
        assert (await sender.get(LOCATIONS_SENDER)).status_code == 200
        await credentials.unregister(sender.server.platform, "emsp", local_only=True)
        assert (await sender.get(LOCATIONS_SENDER)).status_code == 401


async def forget(sender: Link, location_id: str) -> None:
    async with sender.server.platform.unit_of_work() as session:
        assert await LocationRepository(session).delete(ObjectKey("NL", "CPO", location_id))
