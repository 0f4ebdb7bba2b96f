"""The sessions table and the cdrs columns of migration 0005 match their declarations exactly
(modules/sessions/repository.py, modules/cdrs/repository.py), on SQLite and PostgreSQL."""

from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection

from evroam.modules.cdrs.repository import cdrs
from evroam.modules.sessions.repository import sessions
from evroam.storage import migrate
from evroam.storage.database import create_engine
from evroam.storage.tables import metadata
from tests.conftest import DatabaseFactory

pytestmark = pytest.mark.real_migrations  # the migrations themselves, not their replay

OURS = {sessions.name, cdrs.name}


def differences(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(
        connection, opts={"compare_type": True, "include_object": _ours}
    )
    return list(compare_metadata(context, metadata))


def _ours(item: Any, name: str | None, kind: str, reflected: bool, compare_to: Any) -> bool:
    table = item if kind == "table" else getattr(item, "table", None)
    return getattr(table, "name", None) in OURS


class TestSchema:
    async def test_migrated_tables_equal_the_declared_ones(self, database: DatabaseFactory) -> None:
        settings = database("schema")
        engine = create_engine(settings)
        try:
            await migrate.upgrade(engine, db_schema=settings.db_schema)
            async with engine.connect() as conn:
                assert await conn.run_sync(differences) == []
        finally:
            await engine.dispose()
