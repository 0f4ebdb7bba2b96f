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
from sqlalchemy.ext.asyncio import create_async_engine

from evroam.settings import DatabaseSettings, Settings
from evroam.storage import migrate
from evroam.storage.database import normalize_url
from tests.migrated import fast_upgrade
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


@pytest.fixture
def database(tmp_path: Path) -> Iterator[DatabaseFactory]:
    """Builds a fresh, empty database for each platform name; dropped after the test."""
    schemas: list[str] = []

    def make(name: str) -> DatabaseSettings:
        if PG_URL:
            schema = f"t_{name}_{uuid.uuid4().hex[:10]}".lower()
            schemas.append(schema)
            return DatabaseSettings(url=PG_URL, db_schema=schema)
        return DatabaseSettings(url=f"sqlite+aiosqlite:///{tmp_path / name}.db")

    yield make
    if PG_URL and schemas:
        asyncio.run(_drop_schemas(schemas))


async def _drop_schemas(schemas: list[str]) -> None:
    assert PG_URL
    engine = create_async_engine(normalize_url(PG_URL))
    async with engine.begin() as conn:
        for schema in schemas:
            await conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    await engine.dispose()


@pytest.fixture
def make_settings(database: DatabaseFactory) -> Callable[..., Settings]:
    """Settings for a platform named `name` with the given parties (see tests.support)."""

    def make(name: str, *parties: str, public_url: str | None = None, **extra: object) -> Settings:
        return platform_settings(
            name, *parties, database=database(name), public_url=public_url, **extra
        )

    return make


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The PostgreSQL run repeats only the tests that use a database: the others (the tariff
    engine, the simulator, the protocol's pure functions) ran in the SQLite run already and
    would run the same code again."""
    if not PG_URL:
        return
    kept = [item for item in items if "database" in getattr(item, "fixturenames", ())]
    if len(kept) < len(items):
        deselected = [item for item in items if item not in kept]
        config.hook.pytest_deselected(items=deselected)
        items[:] = kept
