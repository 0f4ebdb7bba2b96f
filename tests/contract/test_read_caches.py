"""The per-process read caches stay exact when another process writes (storage/changes.py,
storage/listing.py): Sender pages and totals, and the callers of tokens.

"Another process" is a second Platform opened on the same database: its own engine, so none of
its writes reach the first platform's caches except through the change feed (PostgreSQL
LISTEN/NOTIFY, SQLite data_version). CONFORMANCE B.57 (each object once), B.62 (the total)."""

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable

import httpx
import pytest

from evroam.modules.credentials import service as credentials
from evroam.modules.locations.model import Location
from evroam.modules.locations.repository import LocationRepository
from evroam.platform import Platform
from evroam.settings import Settings
from evroam.storage.documents import ObjectKey
from tests.contract.locations_support import (
    LOCATIONS_SENDER,
    Link,
    at,
    emsp_at_cpo,
    ids,
    location,
    store_own_location,
)

FEED_SECONDS = 2.0  # well below the caches' 5 s fallback TTL: only the feed can be this quick


@pytest.fixture
async def sender(make_settings: Callable[..., Settings]) -> AsyncIterator[Link]:
    async with emsp_at_cpo(make_settings, page_limit=50) as link_:
        for n in range(3):
            await store_own_location(link_.server, location(f"L{n}", at(n)))
        yield link_


@pytest.fixture
async def other_process(sender: Link) -> AsyncIterator[Platform]:
    """The CPO's database opened by another engine, as a CLI command or a second worker."""
    platform = await Platform.open(sender.server.settings, migrate_now=False)
    yield platform
    await platform.close()


async def soon(check: Callable[[], Awaitable[bool]], seconds: float = FEED_SECONDS) -> float:
    """Seconds until `check` held (fails after `seconds`)."""
    started = time.monotonic()
    while not await check():
        assert time.monotonic() - started < seconds, "the change did not show in time"
        await asyncio.sleep(0.02)
    return time.monotonic() - started


async def write_location(platform: Platform, document: dict[str, object]) -> None:
    item = Location.model_validate(document)
    async with platform.unit_of_work() as session:
        await LocationRepository(session).put(
            ObjectKey(item.country_code, item.party_id, item.id),
            item,
            last_updated=item.last_updated,
            publish=item.publish,
        )


class TestSenderPages:
    async def test_a_page_shows_another_process_write_when_cached(
        self, sender: Link, other_process: Platform
    ) -> None:
        """B.57/B.62: a served page and its total are not kept past another process's write."""
        first = await sender.get(LOCATIONS_SENDER)
        assert ids(first) == ["L0", "L1", "L2"]
        assert (await sender.get(LOCATIONS_SENDER)).content[:40] == first.content[:40]
        await write_location(other_process, location("L3", at(3)))

        async def listed() -> bool:
            response = await sender.get(LOCATIONS_SENDER)
            return ids(response) == ["L0", "L1", "L2", "L3"] and _total(response) == 4

        await soon(listed)

    async def test_a_changed_document_is_served_changed_when_cached(
        self, sender: Link, other_process: Platform
    ) -> None:
        await sender.get(LOCATIONS_SENDER)
        await write_location(other_process, location("L1", at(1), name="Renamed"))

        async def renamed() -> bool:
            response = await sender.get(LOCATIONS_SENDER)
            return bool(response.json()["data"][1].get("name") == "Renamed")

        await soon(renamed)

    async def test_every_request_gets_its_own_timestamp_when_the_page_is_cached(
        self, sender: Link
    ) -> None:
        """A.20: the envelope's timestamp is the time of the answer, not of the cached read."""
        first = (await sender.get(LOCATIONS_SENDER)).json()
        await asyncio.sleep(0.01)
        second = (await sender.get(LOCATIONS_SENDER)).json()
        assert first["data"] == second["data"]
        assert second["timestamp"] > first["timestamp"]


class TestCallers:
    async def test_a_token_revoked_by_another_process_is_refused_when_cached(
        self, sender: Link, other_process: Platform
    ) -> None:
        """A.2: a token no longer valid gets 401, also when this process had it cached."""
        assert (await sender.get(LOCATIONS_SENDER)).status_code == 200
        await credentials.unregister(other_process, "emsp", local_only=True)

        async def refused() -> bool:
            return (await sender.get(LOCATIONS_SENDER)).status_code == 401

        await soon(refused)


def _total(response: httpx.Response) -> int:
    return int(response.headers["X-Total-Count"])
