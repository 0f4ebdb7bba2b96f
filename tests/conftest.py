"""Shared fixtures: a database per platform (SQLite file, or a throwaway PostgreSQL schema when
EVROAM_TEST_DATABASE_URL is set), settings builders and in-process platforms."""

import asyncio
import functools
import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

from evroam.settings import DatabaseSettings, Settings
from evroam.storage import migrate
from evroam.storage.database import normalize_url
from tests.migrated import READY, fast_upgrade
from tests.support import platform_settings

PG_URL = os.environ.get("EVROAM_TEST_DATABASE_URL")

DatabaseFactory = Callable[[str], DatabaseSettings]


def pytest_report_header() -> str:
    return f"evroam database backend: {'PostgreSQL ' + PG_URL if PG_URL else 'SQLite'}"


@pytest.fixture(autouse=True)
def _fast_migrations(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Empty test databases reach head by a recorded script (tests/migrated.py), except in
    tests marked `real_migrations`, which test the migrations themselves."""
    if request.node.get_closest_marker("real_migrations") is None:
        monkeypatch.setattr(migrate, "upgrade", functools.partial(fast_upgrade, migrate.upgrade))


# Tests need no durability across a crash of the database server: a commit does not wait for
# its WAL to reach the disk (a PostgreSQL session setting; the commits themselves are real).
FAST_COMMITS = {"synchronous_commit": "off"}

# PostgreSQL schemas at head, emptied after a test, ready for the next one of this process:
# building one costs ~0.1 s of DDL, emptying one ~0.02 s (CREATE/DROP SCHEMA per platform was
# most of a PostgreSQL contract test).
_free_schemas: list[str] = []


@pytest.fixture
def database(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[DatabaseFactory]:
    """Builds an empty database for each platform name: a new SQLite file, or on PostgreSQL
    an empty schema at the migrations' head (a fresh one for tests of the migrations)."""
    real = request.node.get_closest_marker("real_migrations") is not None
    schemas: list[str] = []

    def make(name: str) -> DatabaseSettings:
        if PG_URL:
            reuse = _free_schemas and not real
            schema = _free_schemas.pop() if reuse else f"t_{name}_{uuid.uuid4().hex[:10]}".lower()
            schemas.append(schema)
            return DatabaseSettings(url=PG_URL, db_schema=schema, server_settings=FAST_COMMITS)
        return DatabaseSettings(url=f"sqlite+aiosqlite:///{tmp_path / name}.db")

    yield make
    if PG_URL and schemas:
        _free_schemas.extend(asyncio.run(_emptied(schemas, reuse=not real)))


@pytest.fixture(scope="session", autouse=True)
def _drop_free_schemas() -> Iterator[None]:
    yield
    if PG_URL and _free_schemas:
        asyncio.run(_drop_schemas(_free_schemas))


async def _emptied(schemas: list[str], *, reuse: bool) -> list[str]:
    """Empty the schemas at head (every table but alembic_version) and return them; drop the
    others (never migrated, or used by a test of the migrations)."""
    assert PG_URL
    kept: list[str] = []
    engine = create_async_engine(normalize_url(PG_URL))
    async with engine.begin() as conn:
        # no foreign-key triggers while emptying: every table of the schema goes anyway
        await conn.execute(text("SET LOCAL session_replication_role = replica"))
        for schema in schemas:
            if reuse and schema in READY:
                await _empty(conn, schema)
                kept.append(schema)
            else:
                READY.discard(schema)
                await conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    await engine.dispose()
    return kept


async def _empty(conn: AsyncConnection, schema: str) -> None:
    """Delete the rows a test wrote and restart the sequences it used. Cheaper than TRUNCATE,
    which makes new files for every table (and, CASCADE from `partners`, for nearly all)."""
    tables = (await conn.execute(text(TABLES), {"schema": schema})).scalars().all()
    held = " UNION ALL ".join(
        f'SELECT \'{t}\' WHERE EXISTS (SELECT 1 FROM "{schema}"."{t}")' for t in tables
    )
    for table in (await conn.execute(text(held))).scalars():
        await conn.execute(text(f'DELETE FROM "{schema}"."{table}"'))
    for sequence in (await conn.execute(text(USED_SEQUENCES), {"schema": schema})).scalars():
        await conn.execute(text(f'ALTER SEQUENCE "{schema}"."{sequence}" RESTART'))


async def _drop_schemas(schemas: list[str]) -> None:
    assert PG_URL
    READY.difference_update(schemas)
    engine = create_async_engine(normalize_url(PG_URL))
    async with engine.begin() as conn:
        for schema in schemas:
            await conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    await engine.dispose()


TABLES = (
    "SELECT tablename FROM pg_tables WHERE schemaname = :schema AND tablename <> 'alembic_version'"
)
# sequences that have handed out a value (NULL last_value: never, or restarted since)
USED_SEQUENCES = (
    "SELECT sequencename FROM pg_sequences WHERE schemaname = :schema AND last_value IS NOT NULL"
)


@pytest.fixture
def make_settings(database: DatabaseFactory) -> Callable[..., Settings]:
    """Settings for a platform named `name` with the given parties (see tests.support)."""

    def make(name: str, *parties: str, public_url: str | None = None, **extra: object) -> Settings:
        return platform_settings(
            name, *parties, database=database(name), public_url=public_url, **extra
        )

    return make


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Scenario tests (seconds each, mostly waiting on their servers) go first, so the two
    workers share them out and the many short tests fill the gaps instead of one worker
    finishing the run alone with the last long ones.

    The PostgreSQL run repeats only the tests that use a database: the others (the tariff
    engine, the simulator, the protocol's pure functions) ran in the SQLite run already and
    would run the same code again."""
    if PG_URL:
        kept = [item for item in items if "database" in getattr(item, "fixturenames", ())]
        if len(kept) < len(items):
            deselected = [item for item in items if item not in kept]
            config.hook.pytest_deselected(items=deselected)
            items[:] = kept
    items.sort(key=lambda item: item.get_closest_marker("scenario") is None)
