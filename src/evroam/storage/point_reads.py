"""Point reads for hot paths: one row by an indexed key, without a pooled checkout.

Checking a connection out of SQLAlchemy's async pool and back costs ~150 µs of Python per
statement; an SQLite lookup by index takes under 10 µs. For SQLite files this module keeps one
sqlite3 connection per engine (reads only) and database file and runs the statement (compiled once)
inline on the event loop, as `sqlite_inline` does for the engine's own connections. Outside a
transaction each SELECT reads the newest committed state (WAL), so writes of any process show
at once. Other backends (PostgreSQL) use the engine's pool.

Rows come back as tuples of the driver's values: JSON columns are text on SQLite (`json_value`
decodes either form).
"""

import json
import sqlite3
from collections.abc import Mapping
from functools import cache
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import Select, event
from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import AsyncEngine

_readers: WeakKeyDictionary[Engine, sqlite3.Connection] = WeakKeyDictionary()


async def read_one(
    engine: AsyncEngine, statement: Select[Any], params: Mapping[str, Any]
) -> tuple[Any, ...] | None:
    """The first row of `statement` with its bound parameters, or None."""
    reader = _reader(engine.sync_engine)
    if reader is None:
        async with engine.connect() as connection:
            row = (await connection.execute(statement, dict(params))).first()
        return None if row is None else tuple(row)
    sql, names, defaults = _compiled(statement, engine.sync_engine.dialect.name)
    values = [params[n] if n in params else defaults[n] for n in names]
    found: tuple[Any, ...] | None = reader.execute(sql, values).fetchone()
    return found


def json_value(value: Any) -> Any:
    """A JSON column's value as read by `read_one`: text on SQLite, decoded elsewhere."""
    return json.loads(value) if isinstance(value, str | bytes) else value


def _reader(engine: Engine) -> sqlite3.Connection | None:
    """The read-only connection of an SQLite file engine (None for other backends)."""
    if engine.dialect.name != "sqlite":
        return None
    reader = _readers.get(engine)
    if reader is None:
        path = engine.url.database
        if not path or path == ":memory:":
            return None
        # autocommit (isolation_level None): every SELECT sees the newest commit
        reader = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        _readers[engine] = reader
        event.listen(engine, "engine_disposed", _close_reader)
    return reader


def _close_reader(engine: Engine) -> None:
    reader = _readers.pop(engine, None)
    if reader is not None:
        reader.close()


@cache
def _compiled(statement: Select[Any], dialect: str) -> tuple[str, tuple[str, ...], dict[str, Any]]:
    """SQL text, parameter order and the statement's own values (LIMIT) of a statement built
    once at import, in SQLite's qmark style."""
    from sqlalchemy.dialects import sqlite

    assert dialect == "sqlite"
    compiled = statement.compile(dialect=sqlite.dialect())
    return compiled.string, tuple(compiled.positiontup or ()), dict(compiled.params)
