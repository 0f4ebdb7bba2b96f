"""SQLite for SQLAlchemy's async engine without a thread per connection.

aiosqlite runs every cursor call on a helper thread: each statement costs several thread
round trips (~1 ms on a loaded 2-core machine), which dominated our write paths. SQLite
statements themselves take microseconds, so this shim runs them inline on the event loop,
behind the same interface SQLAlchemy's aiosqlite adapter drives (passed as `async_creator`).
A writer blocked by another process waits at most `busy_timeout_ms` (kept short for that).
"""

import sqlite3
from collections.abc import Callable, Iterable, Sequence
from typing import Any


class InlineCursor:
    """The awaitable cursor API of aiosqlite over a plain sqlite3 cursor."""

    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self._cursor = cursor

    async def __aenter__(self) -> "InlineCursor":
        return self

    async def __aexit__(self, *_: object) -> None:
        self._cursor.close()

    async def execute(
        self, sql: str, parameters: Sequence[Any] | dict[str, Any] = ()
    ) -> "InlineCursor":
        self._cursor.execute(sql, parameters)
        return self

    async def executemany(self, sql: str, parameters: Iterable[Sequence[Any]]) -> "InlineCursor":
        self._cursor.executemany(sql, parameters)
        return self

    async def fetchall(self) -> list[Any]:
        return self._cursor.fetchall()

    async def fetchone(self) -> Any:
        return self._cursor.fetchone()

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        return self._cursor.fetchmany(size or self._cursor.arraysize)

    async def close(self) -> None:
        self._cursor.close()

    @property
    def description(self) -> Any:
        return self._cursor.description

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        return self._cursor.lastrowid

    @property
    def arraysize(self) -> int:
        return self._cursor.arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._cursor.arraysize = value


class _Immediate:
    """Stands in for aiosqlite's job queue, which SQLAlchemy uses to set the isolation level."""

    def put_nowait(self, job: tuple[Any, Callable[[], Any]]) -> None:
        future, function = job
        try:
            future.set_result(function())
        except Exception as exc:  # handed back to the awaiting caller
            future.set_exception(exc)


class InlineConnection:
    """The awaitable connection API of aiosqlite over a plain sqlite3 connection."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._conn: sqlite3.Connection | None = connection
        self._connection = connection
        self._tx = _Immediate()

    def _live(self) -> sqlite3.Connection:
        if self._conn is None:
            raise ValueError("Connection closed")
        return self._conn

    def execute_now(self, sql: str, parameters: Sequence[Any] = ()) -> None:
        """Run a statement at once in the current transaction (from a synchronous event hook)."""
        self._live().execute(sql, parameters)

    def cursor(self) -> InlineCursor:
        return InlineCursor(self._live().cursor())

    async def commit(self) -> None:
        self._live().commit()

    async def rollback(self) -> None:
        self._live().rollback()

    async def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
        self._conn = None

    def stop(self) -> None:
        if self._conn is not None:
            self._conn.close()
        self._conn = None

    async def create_function(self, *args: Any, **kwargs: Any) -> None:
        self._live().create_function(*args, **kwargs)

    @property
    def isolation_level(self) -> str | None:
        return self._live().isolation_level


def inline_creator(path: str, *, busy_timeout_ms: int) -> Callable[[], Any]:
    """An `async_creator` opening the SQLite file at `path` (":memory:" allowed)."""

    async def create() -> InlineConnection:
        connection = sqlite3.connect(path, timeout=busy_timeout_ms / 1000, check_same_thread=False)
        return InlineConnection(connection)

    return create
