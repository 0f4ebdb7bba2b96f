"""Bulk writes (`write_many`: tuples straight to the driver) and the stored rows they read
(`stored_rows`: documents as text, parsed on demand), on SQLite and on PostgreSQL."""

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from evroam.platform import Platform
from evroam.storage.documents import DocumentRow, ObjectKey
from tests.conftest import DatabaseFactory
from tests.support import platform_settings
from tests.unit.storage.test_documents import WidgetRepository, widget, widgets

T0 = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture
async def platform(database: DatabaseFactory) -> AsyncIterator[Platform]:
    platform = await Platform.open(platform_settings("bulk", database=database("bulk")))
    async with platform.engine.begin() as conn:
        await conn.run_sync(lambda sync: widgets.create(sync, checkfirst=True))
    yield platform
    await platform.close()


def row(number: int, *, pk: int | None = None, note: str | None = None) -> DocumentRow:
    obj = widget(number, note=note)
    key = ObjectKey("nl", "cpo", f"w{number}")  # stored CiString-normalised
    return DocumentRow(key, obj.model_dump_json(exclude_none=True), obj.last_updated, None, {}, pk)


class TestWriteMany:
    async def test_inserted_then_replaced_as_session_writes_would(self, platform: Platform) -> None:
        async with platform.unit_of_work() as session:
            await WidgetRepository(session).write_many([row(1), row(2)])
        async with platform.unit_of_work() as session:
            repo = WidgetRepository(session)
            asked = [ObjectKey("NL", "CPO", "W1"), ObjectKey("nl", "cpo", "w2")]
            stored = await repo.stored_rows(asked)
            assert set(stored) == {ObjectKey("NL", "CPO", "W1"), ObjectKey("NL", "CPO", "W2")}
            first = stored[ObjectKey("NL", "CPO", "W1")]
            await repo.write_many([row(1, pk=first.pk, note="changed")])
        async with platform.sessions() as session:
            found = await WidgetRepository(session).get(ObjectKey("NL", "CPO", "W1"))
            stamps = (await session.execute(select(widgets.c.last_updated))).scalars().all()
        assert found == widget(1, note="changed")
        assert sorted(stamps) == [T0 + timedelta(minutes=1), T0 + timedelta(minutes=2)]
        assert all(stamp.tzinfo is not None for stamp in stamps)


class TestStoredRows:
    async def test_document_read_as_text_and_parsed_on_demand(self, platform: Platform) -> None:
        written = row(3)
        async with platform.unit_of_work() as session:
            await WidgetRepository(session).write_many([written])
        async with platform.sessions() as session:
            stored = await WidgetRepository(session).stored_rows([ObjectKey("NL", "CPO", "W3")])
        found = stored[ObjectKey("NL", "CPO", "W3")]
        assert json.loads(found.text) == json.loads(written.document)
        assert found.document == json.loads(written.document)
        assert (found.partner_id, found.last_updated) == (None, T0 + timedelta(minutes=3))
