"""Write generations and the change feed on a real database (storage/changes.py), and the
bounds of the page store (storage/listing.py)."""

import asyncio
import itertools
import sqlite3
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import delete, insert, text

from evroam.modules.locations.repository import locations
from evroam.platform import Platform
from evroam.protocol.envelope import JsonText
from evroam.protocol.pagination import PageEnd
from evroam.protocol.timestamps import utc_now
from evroam.storage import changes, listing
from evroam.storage.changes import LONG_TTL, PostgresFeed, cache_ttl, write_generation
from tests.conftest import PG_URL, DatabaseFactory
from tests.support import invite, platform_settings


@pytest.fixture
async def two(database: DatabaseFactory) -> AsyncIterator[tuple[Platform, Platform]]:
    """One database opened by two engines, as by two processes."""
    settings = platform_settings("feed", database=database("feed"))
    first = await Platform.open(settings)
    second = await Platform.open(settings, migrate_now=False)
    yield first, second
    await second.close()
    await first.close()


async def touch_partners(platform: Platform) -> None:
    """A real write of the partners table (an invitation)."""
    await invite(platform, f"p{next(_names)}")


_names = itertools.count()


async def grows(platform: Platform, table: str, before: int, seconds: float = 2.0) -> None:
    deadline = time.monotonic() + seconds
    while write_generation(platform.engine.sync_engine, table) == before:
        assert time.monotonic() < deadline, f"{table}: no new generation"
        await asyncio.sleep(0.02)


class TestGenerations:
    async def test_grows_when_this_engine_writes(self, two: tuple[Platform, Platform]) -> None:
        first, _ = two
        before = write_generation(first.engine.sync_engine, "partners")
        await touch_partners(first)
        assert write_generation(first.engine.sync_engine, "partners") > before

    async def test_grows_when_another_engine_writes(self, two: tuple[Platform, Platform]) -> None:
        first, second = two
        before = write_generation(first.engine.sync_engine, "partners")
        await touch_partners(second)
        await grows(first, "partners", before)

    async def test_stays_when_only_reads_happen(self, two: tuple[Platform, Platform]) -> None:
        first, second = two
        before = write_generation(first.engine.sync_engine, "partners")
        async with second.sessions() as session:
            await session.execute(text("SELECT count(*) FROM partners"))
        await asyncio.sleep(0.2)
        assert write_generation(first.engine.sync_engine, "partners") == before

    async def test_only_the_written_table_grows_when_another_engine_writes(
        self, two: tuple[Platform, Platform]
    ) -> None:
        """PostgreSQL names the table (NOTIFY), SQLite counts its writes (migration 0009)."""
        first, second = two
        engine = first.engine.sync_engine
        locations = write_generation(engine, "locations")
        before = write_generation(engine, "partners")
        await touch_partners(second)
        await grows(first, "partners", before)
        await asyncio.sleep(0.05)
        assert write_generation(engine, "locations") == locations

    async def test_caches_trust_long_when_the_feed_is_live(
        self, two: tuple[Platform, Platform]
    ) -> None:
        first, _ = two
        assert first.feed is not None
        assert first.feed.live
        assert cache_ttl(first.engine.sync_engine) == LONG_TTL

    async def test_partners_stay_when_this_engine_writes_another_table(
        self, two: tuple[Platform, Platform]
    ) -> None:
        """A write of ours (a Session PATCH, an EVSE status) keeps the callers' tokens cached."""
        first, _ = two
        engine = first.engine.sync_engine
        before = write_generation(engine, "partners")
        row: dict[str, Any] = {"country_code": "NL", "party_id": "CPO", "object_id": "L1"}
        row |= {"document": {}, "last_updated": utc_now(), "publish": True}
        async with first.unit_of_work() as session:
            await session.execute(insert(locations).values(row))
        async with first.unit_of_work() as session:
            await session.execute(delete(locations).where(locations.c.object_id == "L1"))
        await asyncio.sleep(0.05)
        assert write_generation(engine, "partners") == before


@pytest.mark.skipif(not PG_URL, reason="the LISTEN connection exists on PostgreSQL only")
class TestPostgresFeed:
    async def test_a_lost_listener_bumps_everything_and_comes_back(
        self, two: tuple[Platform, Platform]
    ) -> None:
        first, second = two
        feed = first.feed
        assert isinstance(feed, PostgresFeed)
        before = write_generation(first.engine.sync_engine, "locations")
        pid = feed._connection.get_server_pid()
        async with second.engine.connect() as conn:
            await conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        await grows(first, "locations", before)
        deadline = time.monotonic() + 5
        while not (feed.live and feed._connection.get_server_pid() != pid):
            assert time.monotonic() < deadline, "the listener did not reconnect"
            await asyncio.sleep(0.05)
        before = write_generation(first.engine.sync_engine, "partners")
        await touch_partners(second)
        await grows(first, "partners", before)


@pytest.mark.skipif(bool(PG_URL), reason="SQLite's data_version and write counters")
class TestSqliteFeed:
    async def test_everything_grows_when_a_writer_that_does_not_count_writes(
        self, two: tuple[Platform, Platform]
    ) -> None:
        """A commit without a counter (another tool on the file) shows as a change of all."""
        first, _ = two
        engine = first.engine.sync_engine
        before = write_generation(engine, "locations")
        path = first.engine.url.database
        assert path
        outsider = sqlite3.connect(path)
        outsider.execute("CREATE TABLE outsider (n INTEGER)")
        outsider.commit()
        outsider.close()
        await grows(first, "locations", before)


class TestPageStore:
    def rows(self, size: int) -> listing.PageRows:
        return listing.PageRows(JsonText(b"x" * size), 1, PageEnd(more=False, last_key=1))

    def kept(self, size: int, generation: int = 1) -> listing._Kept:
        return listing._Kept(generation, time.monotonic() + 60, self.rows(size))

    def test_drops_the_least_recently_used_when_full(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(listing, "MAX_CACHED_BYTES", 250)
        store = listing._PageStore()
        store.keep("a", self.kept(100))
        store.keep("b", self.kept(100))
        assert store.get("a", 1) is not None  # a is now the most recent
        store.keep("c", self.kept(100))
        assert store.get("b", 1) is None
        assert store.get("a", 1) is not None
        assert store.get("c", 1) is not None
        assert store.size == 200

    def test_never_keeps_a_page_over_the_page_bound(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(listing, "MAX_PAGE_BYTES", 10)
        store = listing._PageStore()
        store.keep("big", self.kept(11))
        assert store.get("big", 1) is None
        assert store.size == 0

    def test_forgets_a_page_of_another_generation(self) -> None:
        store = listing._PageStore()
        store.keep("a", self.kept(10, generation=1))
        assert store.get("a", 2) is None
        assert store.size == 0

    def test_forgets_an_expired_page(self) -> None:
        store = listing._PageStore()
        store.keep("a", listing._Kept(1, time.monotonic() - 1, self.rows(10)))
        assert store.get("a", 1) is None


def test_a_statement_that_is_not_a_select_counts_as_a_write_of_everything() -> None:
    assert changes._written_table("VACUUM", None) == changes.ALL
    assert changes._written_table("  select 1", None) is None
    assert changes._written_table("PRAGMA data_version", None) is None
