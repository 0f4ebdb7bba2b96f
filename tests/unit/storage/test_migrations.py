"""Migrations: `evroam db upgrade` reaches head, is idempotent and safe to run concurrently."""

import asyncio
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert, inspect, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from evroam.modules.locations.repository import location_audiences, locations
from evroam.sim.processes import write_settings
from evroam.storage import migrate
from evroam.storage.database import create_engine
from evroam.storage.tables import partners
from tests.conftest import DatabaseFactory
from tests.migrated import fast_upgrade

pytestmark = pytest.mark.real_migrations  # the migrations themselves, not their replay


class TestUpgrade:
    async def test_upgrade_reaches_head_and_is_idempotent(self, database: DatabaseFactory) -> None:
        settings = database("mig")
        engine = create_engine(settings)
        try:
            assert await migrate.current_revision(engine) is None
            await migrate.upgrade(engine, db_schema=settings.db_schema)
            await migrate.upgrade(engine, db_schema=settings.db_schema)
            assert await migrate.current_revision(engine) == migrate.head_revision()
            async with engine.connect() as conn:
                names = await conn.run_sync(lambda sync: set(inspect(sync).get_table_names()))
            assert {"partners", "partner_tokens", "partner_parties"} <= names
        finally:
            await engine.dispose()

    async def test_concurrent_upgrades_do_not_collide(self, database: DatabaseFactory) -> None:
        settings = database("race")
        engines = [create_engine(settings) for _ in range(3)]
        try:
            await asyncio.gather(
                *(migrate.upgrade(e, db_schema=settings.db_schema) for e in engines)
            )
            assert await migrate.current_revision(engines[0]) == migrate.head_revision()
        finally:
            for engine in engines:
                await engine.dispose()


class TestCli:
    def test_db_upgrade_then_current_report_head(
        self, database: DatabaseFactory, tmp_path: Path
    ) -> None:
        config = write_settings(
            tmp_path / "e.toml", {"database": database("cli").model_dump(exclude_none=True)}
        )
        run = [sys.executable, "-m", "evroam", "-c", str(config), "db"]
        up = subprocess.run([*run, "upgrade"], capture_output=True, text=True, check=False)
        assert up.returncode == 0, up.stderr
        assert f"revision {migrate.head_revision()}" in up.stdout
        current = subprocess.run([*run, "current"], capture_output=True, text=True, check=False)
        assert "up to date" in current.stdout

    def test_bad_database_url_is_a_clear_error(self, tmp_path: Path) -> None:
        config = write_settings(
            tmp_path / "e.toml", {"database": {"url": "mysql://nobody@nowhere/db"}}
        )
        done = subprocess.run(
            [sys.executable, "-m", "evroam", "-c", str(config), "db", "upgrade"],
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 1
        assert "Unsupported database" in done.stderr
        assert "Traceback" not in done.stderr


SQLITE_SCHEMA = "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name"
POSTGRES_SCHEMA = (
    "SELECT table_name, column_name, data_type, is_nullable, character_maximum_length"
    " FROM information_schema.columns WHERE table_schema = :schema",
    "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = :schema",
    "SELECT event_object_table, trigger_name, event_manipulation, action_statement"
    " FROM information_schema.triggers WHERE trigger_schema = :schema",
    "SELECT version_num FROM alembic_version",
)


async def described(engine: AsyncEngine, schema: str | None) -> list[tuple[Any, ...]]:
    """Everything the migrations made (tables, columns, indexes, triggers, the revision)."""
    queries = POSTGRES_SCHEMA if schema else (SQLITE_SCHEMA, "SELECT * FROM alembic_version")
    found: list[tuple[Any, ...]] = []
    async with engine.connect() as conn:
        for query in queries:
            rows = (await conn.execute(text(query), {"schema": schema})).all()
            found += sorted(tuple(_unqualified(str(v), schema) for v in row) for row in rows)
    return found


def _unqualified(value: str, schema: str | None) -> str:
    return value.replace(f'"{schema}".', "").replace(f"{schema}.", "") if schema else value


class TestReplay:
    async def test_a_replayed_database_equals_a_migrated_one(
        self, database: DatabaseFactory
    ) -> None:
        """The recorded script the other tests start from (tests/migrated.py) builds exactly
        what the migrations build."""
        real, replayed = database("real"), database("replayed")
        engines = create_engine(real), create_engine(replayed)
        try:
            await migrate.upgrade(engines[0], db_schema=real.db_schema)
            await fast_upgrade(migrate.upgrade, engines[1], db_schema=replayed.db_schema)
            assert await described(engines[1], replayed.db_schema) == await described(
                engines[0], real.db_schema
            )
        finally:
            for engine in engines:
                await engine.dispose()


class TestLocationAudience:
    async def test_0010_copies_publish_allowed_to_of_our_unpublished_locations(
        self, database: DatabaseFactory
    ) -> None:
        """Stored before the table existed: each unpublished Location of ours naming Tokens
        gets its row; published ones, partners' and those naming none get none."""
        settings = database("aud")
        engine = create_engine(settings)
        allowed = [{"group_id": "STAFF"}]
        rows: dict[str, tuple[int | None, bool, Any]] = {
            "PRIVATE": (None, False, allowed),
            "NOBODY": (None, False, None),
            "EMPTY": (None, False, []),
            "PUBLIC": (None, True, None),
            "THEIRS": (1, False, allowed),
        }
        try:
            await migrate.upgrade(engine, db_schema=settings.db_schema, revision="0009_perf")
            async with engine.begin() as conn:
                await conn.execute(
                    insert(partners).values(
                        name="p",
                        state="CONNECTED",
                        endpoints=[],
                        roles=[],
                        created_at=datetime(2026, 1, 1, tzinfo=UTC),
                        updated_at=datetime(2026, 1, 1, tzinfo=UTC),
                    )
                )
                for object_id, (partner, publish, audience) in rows.items():
                    document = {"id": object_id, "publish": publish}
                    if audience is not None:
                        document["publish_allowed_to"] = audience
                    await conn.execute(
                        insert(locations).values(
                            country_code="NL",
                            party_id="CPO",
                            object_id=object_id,
                            last_updated=datetime(2026, 1, 1, tzinfo=UTC),
                            partner_id=partner,
                            document=document,
                            publish=publish,
                        )
                    )
            await migrate.upgrade(engine, db_schema=settings.db_schema)
            async with engine.connect() as conn:
                a = location_audiences.c
                found = (await conn.execute(select(a.object_id, a.audience))).all()
            assert [tuple(row) for row in found] == [("PRIVATE", allowed)]
        finally:
            await engine.dispose()


class TestLocationText:
    async def test_0013_keeps_every_location_document(self, database: DatabaseFactory) -> None:
        """jsonb → json on PostgreSQL: a Location stored before reads back the same after, and
        its document is then kept as written."""
        settings = database("text")
        engine = create_engine(settings)
        document = {"id": "L1", "publish": True, "name": "Café", "evses": [{"uid": "E1"}]}
        try:
            await migrate.upgrade(engine, db_schema=settings.db_schema, revision="0012_contracts")
            async with engine.begin() as conn:
                await conn.execute(
                    insert(locations).values(
                        country_code="NL",
                        party_id="CPO",
                        object_id="L1",
                        last_updated=datetime(2026, 1, 1, tzinfo=UTC),
                        document=document,
                        publish=True,
                    )
                )
            await migrate.upgrade(engine, db_schema=settings.db_schema)
            async with engine.connect() as conn:
                found = (await conn.execute(select(locations.c.document))).scalar_one()
                kind = (
                    await conn.scalar(
                        text(
                            "SELECT data_type FROM information_schema.columns WHERE"
                            " table_schema = current_schema() AND table_name = 'locations'"
                            " AND column_name = 'document'"
                        )
                    )
                    if engine.dialect.name == "postgresql"
                    else "json"
                )
            assert found == document
            assert kind == "json"
        finally:
            await engine.dispose()
