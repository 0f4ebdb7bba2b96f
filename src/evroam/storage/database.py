"""The async engine and session factory of one platform (SQLite file or PostgreSQL)."""

import logging
from typing import Any

from pydantic_core import from_json, to_json
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import NullPool

from evroam.errors import ConfigurationError
from evroam.settings import DatabaseSettings
from evroam.storage.sqlite_inline import inline_creator

# A writer waits this long for another process's write lock (statements run on the event loop).
SQLITE_BUSY_MS = 5000


def normalize_url(url: str) -> str:
    """Accept the plain URLs people type and pick the async driver we ship."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+asyncpg://" + url.split("://", 1)[1]
    if url.startswith("sqlite:///") or url == "sqlite://":
        return "sqlite+aiosqlite://" + url[len("sqlite:") + 2 :]
    return url


def is_sqlite(url: str) -> bool:
    return make_url(normalize_url(url)).get_backend_name() == "sqlite"


def create_engine(db: DatabaseSettings) -> AsyncEngine:
    """An engine tuned for the backend: WAL SQLite shared by processes, or pooled PostgreSQL."""
    url = normalize_url(db.url)
    backend = make_url(url).get_backend_name()
    # Statement parameters carry partners' tokens: never let a log line show them.
    kwargs: dict[str, Any] = {"echo": db.echo, "hide_parameters": True}
    kwargs.update(json_serializer=json_text, json_deserializer=from_json)
    logging.getLogger("aiosqlite").setLevel(max(logging.INFO, logging.getLogger("aiosqlite").level))
    if backend == "sqlite":
        path = make_url(url).database or ":memory:"
        if path == ":memory:":
            kwargs["poolclass"] = NullPool
        else:
            # Connections are cheap to keep and costly to reopen (PRAGMAs): size the pool for
            # the concurrency a server sees, so a burst never opens and closes them one by one.
            kwargs.update(pool_size=32, max_overflow=32)
        kwargs["async_creator"] = inline_creator(path, busy_timeout_ms=SQLITE_BUSY_MS)
        engine = create_async_engine(url, **kwargs)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    if backend == "postgresql":
        server_settings = dict(db.server_settings)
        if db.db_schema:
            server_settings["search_path"] = db.db_schema
        if server_settings:
            kwargs["connect_args"] = {"server_settings": server_settings}
        kwargs.update(pool_size=10, max_overflow=20, pool_pre_ping=True)
        return create_async_engine(url, **kwargs)
    raise ConfigurationError(f"Unsupported database {backend!r}: use sqlite or postgresql URLs.")


def json_text(value: Any) -> str:
    """A JSON column's value as text. pydantic's serializer writes a stored document (a Session
    with its charging periods, a Location with its EVSEs) about four times as fast as the
    json module, and its parser reads one twice as fast: every write of a growing document
    pays both. Non-ASCII characters are written as UTF-8, not escaped."""
    return to_json(value).decode()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_MS}")
    cursor.close()


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)
