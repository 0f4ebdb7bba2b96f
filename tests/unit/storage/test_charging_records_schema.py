"""The charging_records table of migration 0008_flow matches its declaration exactly
(modules/sessions/charging_records.py), on SQLite and PostgreSQL."""

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection

from evroam.modules.sessions.charging_records import charging_records
from evroam.storage import migrate
from evroam.storage.database import create_engine
from evroam.storage.tables import metadata
from tests.conftest import DatabaseFactory


def differences(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(
        connection, opts={"compare_type": True, "include_object": _ours}
    )
    return list(compare_metadata(context, metadata))


def _ours(item: Any, name: str | None, kind: str, reflected: bool, compare_to: Any) -> bool:
    table = item if kind == "table" else getattr(item, "table", None)
    return getattr(table, "name", None) == charging_records.name


class TestSchema:
    async def test_migrated_table_equals_the_declared_one(self, database: DatabaseFactory) -> None:
        settings = database("schema")
        engine = create_engine(settings)
        try:
            await migrate.upgrade(engine, db_schema=settings.db_schema)
            async with engine.connect() as conn:
                assert await conn.run_sync(differences) == []
        finally:
            await engine.dispose()
