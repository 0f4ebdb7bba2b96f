"""Point reads for hot paths: one row by an indexed key, without SQLAlchemy's pool checkout.

Checking a connection out of SQLAlchemy's async pool and back costs ~150 µs of Python per
statement, more than the lookup itself. So a statement built once is compiled once per backend
and run on a reader of its own, one per engine:

- SQLite file: one sqlite3 connection (reads only), used inline on the event loop as
  `sqlite_inline` does for the engine's own connections (a lookup by index takes microseconds).
  Outside a transaction each SELECT reads the newest commit (WAL): writes of any process show
  at once.
- PostgreSQL: a small asyncpg pool on the engine's URL and search_path; asyncpg keeps the
  statement prepared per connection.
- Anything else (SQLite in memory): the engine's own pool.

Rows come back as tuples of the driver's values: JSON columns may be text (`json_value` decodes
either form). Readers close when their engine is disposed.
"""

import asyncio
import logging
import sqlite3
from collections.abc import Mapping
from functools import cache
from typing import Any, TypeAlias
from weakref import WeakKeyDictionary

import asyncpg
from pydantic_core import from_json
from sqlalchemy import Select, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import AsyncEngine

log = logging.getLogger("evroam.storage")

PG_READERS = 8  # connections of a PostgreSQL reader pool (a lookup holds one for ~1 ms)

# A reader: an sqlite3.Connection, an asyncpg.Pool (untyped), or None (use the engine's pool).
Reader: TypeAlias = Any
_readers: WeakKeyDictionary[Engine, "asyncio.Task[Reader]"] = WeakKeyDictionary()


async def read_one(
    engine: AsyncEngine, statement: Select[Any], params: Mapping[str, Any]
) -> tuple[Any, ...] | None:
    """The first row of `statement` with its bound parameters, or None."""
    reader = await _reader(engine)
    if reader is None:
        async with engine.connect() as connection:
            row = (await connection.execute(statement, dict(params))).first()
        return None if row is None else tuple(row)
    sql, names, defaults = _compiled(statement, engine.dialect.name)
    values = [params[n] if n in params else defaults[n] for n in names]
    if isinstance(reader, sqlite3.Connection):
        found: tuple[Any, ...] | None = reader.execute(sql, values).fetchone()
        return found
    record = await reader.fetchrow(sql, *values)
    return None if record is None else tuple(record)


def json_value(value: Any) -> Any:
    """A JSON column's value as read by `read_one`: text, or already decoded."""
    return from_json(value) if isinstance(value, str | bytes) else value


async def _reader(engine: AsyncEngine) -> Reader:
    """The engine's reader, opened on first use (one opening even when requests race)."""
    task = _readers.get(engine.sync_engine)
    if task is None:
        task = asyncio.ensure_future(_open(engine))
        _readers[engine.sync_engine] = task
        event.listen(engine.sync_engine, "engine_disposed", _close)
    return await asyncio.shield(task)


async def _open(engine: AsyncEngine) -> Reader:
    url = engine.url
    if engine.dialect.name == "sqlite":
        if not url.database or url.database == ":memory:":
            return None
        # autocommit (isolation_level None): every SELECT sees the newest commit
        return sqlite3.connect(url.database, check_same_thread=False, isolation_level=None)
    if engine.dialect.name != "postgresql":
        return None
    try:
        return await _pg_pool(engine)
    except Exception as exc:  # an unusual URL or server: the engine's pool still works
        log.warning("Point reads use the engine's pool (no reader pool: %s)", type(exc).__name__)
        return None


async def _pg_pool(engine: AsyncEngine) -> Reader:
    async with engine.connect() as connection:  # the schema the engine's connections use
        search_path = (await connection.execute(text("SHOW search_path"))).scalar_one()
    dsn = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    return await asyncpg.create_pool(
        dsn, min_size=1, max_size=PG_READERS, server_settings={"search_path": search_path}
    )


def _close(engine: Engine) -> None:
    task = _readers.pop(engine, None)
    if task is None or not task.done() or task.cancelled() or task.exception():
        return
    reader = task.result()
    if isinstance(reader, sqlite3.Connection):
        reader.close()
    elif reader is not None:
        reader.terminate()  # disposal is synchronous: no graceful close from here


@cache
def _compiled(statement: Select[Any], dialect: str) -> tuple[str, tuple[str, ...], dict[str, Any]]:
    """SQL text, parameter order and the statement's own values (LIMIT) of a statement built
    once at import, in the driver's placeholder style (`?` or `$1`)."""
    from sqlalchemy.dialects.postgresql import asyncpg as pg_asyncpg
    from sqlalchemy.dialects.sqlite import aiosqlite

    target = aiosqlite.dialect() if dialect == "sqlite" else pg_asyncpg.dialect()  # type: ignore[no-untyped-call]
    compiled = statement.compile(dialect=target)
    return compiled.string, tuple(compiled.positiontup or ()), dict(compiled.params)
