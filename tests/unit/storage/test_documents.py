"""The document-repository base on a real database (SQLite, or PostgreSQL in the PG run)."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import MetaData

from evroam.model import OcpiObject, Price
from evroam.platform import Platform
from evroam.protocol.pagination import page_request
from evroam.protocol.timestamps import OcpiDateTime
from evroam.protocol.types import Number
from evroam.storage.documents import DocumentRepository, ObjectKey, document_table
from evroam.storage.tables import metadata as main_metadata
from tests.conftest import DatabaseFactory
from tests.support import platform_settings

T0 = datetime(2026, 1, 1, tzinfo=UTC)
test_metadata = MetaData()
for table in main_metadata.tables.values():
    table.to_metadata(test_metadata)
widgets = document_table("widgets", test_metadata)


class Widget(OcpiObject):
    id: str
    price: Price
    weight: Number
    last_updated: OcpiDateTime
    note: str | None = None


class WidgetRepository(DocumentRepository[Widget]):
    table = widgets
    model = Widget


def widget(number: int, **changes: object) -> Widget:
    data: dict[str, object] = {
        "id": f"W{number}",
        "price": {"excl_vat": "0.10", "incl_vat": "0.121"},
        "weight": "1.5",
        "last_updated": T0 + timedelta(minutes=number),
    }
    return Widget.model_validate({**data, **changes})


@pytest.fixture
async def platform(database: DatabaseFactory) -> AsyncIterator[Platform]:
    settings = platform_settings("docs", database=database("docs"))
    platform = await Platform.open(settings)
    async with platform.engine.begin() as conn:
        await conn.run_sync(lambda sync: widgets.create(sync, checkfirst=True))
    yield platform
    await platform.close()


def key(number: int, country: str = "NL", party: str = "CPO") -> ObjectKey:
    return ObjectKey(country, party, f"W{number}")


class TestPutAndGet:
    async def test_put_creates_then_replaces(self, platform: Platform) -> None:
        async with platform.unit_of_work() as session:
            repo = WidgetRepository(session)
            assert await repo.put(key(1), widget(1, note="first"), last_updated=T0) is True
            assert await repo.put(key(1), widget(1), last_updated=T0) is False
        async with platform.sessions() as session:
            stored = await WidgetRepository(session).get(key(1))
        assert stored is not None
        assert stored.note is None  # PUT replaced the whole document

    async def test_keys_are_case_insensitive(self, platform: Platform) -> None:
        """CONFORMANCE A.46: stored under NL/CPO/W1, found as nl/cpo/w1."""
        async with platform.unit_of_work() as session:
            await WidgetRepository(session).put(key(1), widget(1), last_updated=T0)
        async with platform.sessions() as session:
            assert await WidgetRepository(session).get(ObjectKey("nl", "cpo", "w1")) is not None

    async def test_money_round_trips_exactly(self, platform: Platform) -> None:
        async with platform.unit_of_work() as session:
            await WidgetRepository(session).put(key(1), widget(1), last_updated=T0)
        async with platform.sessions() as session:
            stored = await WidgetRepository(session).get(key(1))
            document = await WidgetRepository(session).get_document(key(1))
        assert stored is not None
        assert stored.price.incl_vat == Decimal("0.121")
        assert document is not None
        assert document["weight"] == 1.5
        assert document["last_updated"] == "2026-01-01T00:01:00Z"

    async def test_delete_removes_only_that_object(self, platform: Platform) -> None:
        async with platform.unit_of_work() as session:
            repo = WidgetRepository(session)
            await repo.put(key(1), widget(1), last_updated=T0)
            await repo.put(key(2), widget(2), last_updated=T0)
            assert await repo.delete(key(1)) is True
            assert await repo.delete(key(1)) is False
            assert await repo.get(key(2)) is not None

    async def test_rollback_leaves_nothing_behind(self, platform: Platform) -> None:
        async def failing_work() -> None:
            async with platform.unit_of_work() as session:
                await WidgetRepository(session).put(key(1), widget(1), last_updated=T0)
                raise RuntimeError("boom")

        with pytest.raises(RuntimeError, match="boom"):
            await failing_work()
        async with platform.sessions() as session:
            assert await WidgetRepository(session).get(key(1)) is None


class TestPage:
    async def _fill(self, platform: Platform, count: int) -> None:
        async with platform.unit_of_work() as session:
            repo = WidgetRepository(session)
            for n in range(count):
                await repo.put(key(n), widget(n), last_updated=T0 + timedelta(minutes=n))

    async def test_pages_cover_every_object_once_in_creation_order(
        self, platform: Platform
    ) -> None:
        """CONFORMANCE B.66, B.67."""
        await self._fill(platform, 23)
        seen: list[str] = []
        async with platform.sessions() as session:
            for offset in (0, 10, 20):
                page = await WidgetRepository(session).page(
                    page_request(offset=offset, limit=None, date_from=None, date_to=None, cap=10)
                )
                assert page.total == 23
                seen += [d["id"] for d in page.documents]
        assert seen == [f"W{n}" for n in range(23)]

    async def test_date_from_inclusive_and_date_to_exclusive(self, platform: Platform) -> None:
        """CONFORMANCE B.61, B.63, B.64."""
        await self._fill(platform, 10)
        request = page_request(
            offset=None,
            limit=None,
            date_from="2026-01-01T00:02:00Z",
            date_to="2026-01-01T00:05:00Z",
            cap=10,
        )
        async with platform.sessions() as session:
            page = await WidgetRepository(session).page(request)
        assert [d["id"] for d in page.documents] == ["W2", "W3", "W4"]
        assert page.total == 3

    async def test_extra_conditions_restrict_total_too(self, platform: Platform) -> None:
        """CONFORMANCE B.62: the total counts only what the caller may see."""
        await self._fill(platform, 6)
        request = page_request(offset=None, limit=2, date_from=None, date_to=None, cap=10)
        async with platform.sessions() as session:
            page = await WidgetRepository(session).page(
                request, widgets.c.object_id.in_(["W1", "W3", "W5"])
            )
        assert page.total == 3
        assert [d["id"] for d in page.documents] == ["W1", "W3"]
