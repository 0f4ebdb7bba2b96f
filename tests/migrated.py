"""Fresh test databases at the migrations' head in one step instead of sixty.

Every in-process platform of a test starts on an empty database (a SQLite file, or a PostgreSQL
schema) and migrates it. Alembic sends each statement on its own and reads the catalog between
them: ~0.5 s a platform on PostgreSQL, most of a contract test. Here the real migrations run
once per test process against a scratch database while their statements are recorded; an empty
database is then brought to head by replaying that script in one call. A database that is not
empty (a platform reopened on its own data) migrates the real way. The migrations themselves
are tested the real way in tests/unit/storage/test_migrations.py and by every scenario test
(each server process migrates its own database).
"""

import sqlite3
import tempfile
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from evroam.settings import DatabaseSettings
from evroam.storage.database import create_engine, normalize_url

Upgrade = Callable[..., Awaitable[None]]

_scripts: dict[str, list[str]] = {}  # backend → the recorded statements, in order
READY: set[str] = set()  # PostgreSQL schemas this process brought to head (tests/conftest.py)


async def fast_upgrade(real: Upgrade, engine: AsyncEngine, *, db_schema: str | None = None) -> None:
    """`migrate.upgrade` for tests: the recorded script on an empty database, else `real`."""
    backend = engine.dialect.name
    if backend == "postgresql" and db_schema in READY:
        return  # built here, at head (emptied between tests, never downgraded)
    if backend not in _scripts:
        _scripts[backend] = await _record(real, engine, db_schema)
    if not await _is_empty(engine, db_schema):
        await real(engine, db_schema=db_schema)
        return
    if backend == "sqlite":
        _replay_sqlite(str(engine.url.database), _scripts[backend])
    else:
        await _replay_postgres(engine, db_schema, _scripts[backend])
        READY.add(db_schema or "public")


async def _record(real: Upgrade, engine: AsyncEngine, db_schema: str | None) -> list[str]:
    """The statements the real migrations send to a new database of the same backend."""
    statements: list[str] = []

    def keep(_conn: Any, _cursor: Any, statement: str, params: Any, *_: Any) -> None:
        head = " ".join(statement.split()[:2]).upper()
        if head.startswith(("SELECT", "PRAGMA")) or head == "CREATE SCHEMA":
            return  # catalog reads, the schema itself
        assert not params, f"a migration statement with parameters: {statement[:80]}"
        statements.append(statement)

    scratch, schema = _scratch(engine, db_schema)
    event.listen(scratch.sync_engine, "before_cursor_execute", keep)
    try:
        await real(scratch, db_schema=schema)
    finally:
        event.remove(scratch.sync_engine, "before_cursor_execute", keep)
        if schema is not None:
            async with scratch.begin() as conn:
                await conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        await scratch.dispose()
    return statements


def _scratch(engine: AsyncEngine, db_schema: str | None) -> tuple[AsyncEngine, str | None]:
    if engine.dialect.name == "sqlite":
        path = Path(tempfile.mkdtemp(prefix="evroam-migrated-")) / "scratch.db"
        return create_engine(DatabaseSettings(url=f"sqlite:///{path}")), None
    schema = f"t_scratch_{uuid.uuid4().hex[:10]}"
    url = normalize_url(engine.url.render_as_string(hide_password=False))
    settings = {"server_settings": {"search_path": schema}}
    return create_async_engine(url, connect_args=settings), schema


async def _is_empty(engine: AsyncEngine, db_schema: str | None) -> bool:
    async with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            query = "SELECT count(*) FROM sqlite_master WHERE name = 'alembic_version'"
            return int((await conn.execute(text(query))).scalar_one()) == 0
        query = "SELECT count(*) FROM information_schema.tables WHERE table_schema = :schema"
        found = await conn.execute(text(query), {"schema": db_schema or "public"})
        return int(found.scalar_one()) == 0


def _replay_sqlite(path: str, statements: list[str]) -> None:
    connection = sqlite3.connect(path)
    try:
        connection.executescript("BEGIN;\n" + ";\n".join(statements) + ";\nCOMMIT;")
    finally:
        connection.close()


async def _replay_postgres(
    engine: AsyncEngine, db_schema: str | None, statements: list[str]
) -> None:
    schema = db_schema or "public"
    script = ";\n".join(
        [
            "SET LOCAL synchronous_commit TO off",
            f'CREATE SCHEMA IF NOT EXISTS "{schema}"',
            *statements,
        ]
    )
    async with engine.begin() as conn:
        raw = (await conn.get_raw_connection()).driver_connection
        assert raw is not None
        await raw.execute(script)  # one round trip (simple query protocol)
