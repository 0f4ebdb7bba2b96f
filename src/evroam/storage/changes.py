"""Write generations: what a per-process read cache compares to know it is still exact.

A generation is a number per (engine, table) that grows whenever the table may have changed.
Writes of this process are seen as they happen (SQLAlchemy events). Writes of other processes
(another server worker, a CLI command) are seen through a **change feed** while one runs:

- PostgreSQL: a statement trigger on every cached table sends `pg_notify('evroam_changes',
  'schema.table')` (migration 0004); delivered when the writing transaction commits. One
  LISTEN connection per platform bumps the named table's generation.
- SQLite: `PRAGMA data_version` on a connection of our own changes whenever another
  connection commits; it is read at generation checks at most once per POLL_SECONDS (one
  request checks three times). When it changed, the write counts of the cached tables
  (`change_counts`, kept by triggers, migration 0009) say which tables were written, and only
  those are bumped; a write of an uncounted table bumps the uncounted ones (OTHERS). Without
  the counts (a database not migrated yet) any change bumps every table, as SQLite does not
  say which. Our own pool's commits change data_version too: without the counts every Session
  PATCH made the callers' tokens look stale.

A cache keyed by generation is then exact across processes; `cache_ttl` bounds its life by
seconds only where no feed is live (a PostgreSQL listener not yet started, or lost and
reconnecting: every generation is bumped when it is lost and again when it is back).
"""

import asyncio
import contextlib
import itertools
import logging
import sqlite3
import time
import weakref
from functools import cache
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.engine.url import make_url
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import Pool

log = logging.getLogger("evroam.storage")

CHANNEL = "evroam_changes"
ALL = "*"  # a write whose table we cannot name (raw SQL, DDL): every table changed
OTHERS = "~"  # SQLite: a write of a table whose writes are not counted
COUNTS_TABLE = "change_counts"  # SQLite: writes per cached table, counted by triggers
SHORT_TTL = 5.0  # seconds a cached read may live while other processes' writes are unseen
LONG_TTL = 300.0  # with a live feed: only a safety net
RECONNECT_SECONDS = 1.0
POLL_SECONDS = 0.001  # SQLite: data_version read at most this often (as quick as a NOTIFY)

_generations: WeakKeyDictionary[Engine, dict[str, int]] = WeakKeyDictionary()
_feeds: WeakKeyDictionary[Engine, "ChangeFeed"] = WeakKeyDictionary()
_ticks = itertools.count(1)


def write_generation(engine: Engine, *tables: str) -> int:
    """A number that grows whenever one of `tables` may have changed: a write of this process
    through `engine` (on execute, on commit and once more when the connection is back in the
    pool, so a read racing the commit is not labelled with the final generation), or one of
    another process seen by the change feed. Read it before the read it labels."""
    _watch_writes()
    feed = _feeds.get(engine)
    names: tuple[str, ...] = (*tables, ALL)
    if feed is not None:
        feed.poll()
        names = feed.named(names)
    written = _generations.get(engine, {})
    return max(written.get(name, 0) for name in names)


def cache_ttl(engine: Engine, *tables: str) -> float:
    """How long a cached read of `tables` may be trusted: long while a feed shows other
    processes' writes of them all, short otherwise."""
    feed = _feeds.get(engine)
    return LONG_TTL if feed is not None and feed.covers(tables) else SHORT_TTL


def bump(engine: Engine, table: str) -> None:
    _generations.setdefault(engine, {})[table] = next(_ticks)


# ── this process's writes ───────────────────────────────────────────────────────────────────


@cache
def _watch_writes() -> None:
    """Listen to every engine of the process (once)."""
    event.listen(Engine, "after_cursor_execute", _on_execute)
    event.listen(Engine, "commit", _on_commit)
    event.listen(Pool, "checkin", _on_checkin)


_WRITTEN = "evroam_written"  # connection info: (engine, tables written) since the checkout


def _on_execute(
    conn: Connection, _cursor: Any, statement: str, _params: Any, context: Any, _many: bool
) -> None:
    table = _written_table(statement, context)
    if table is not None:
        _, tables = conn.info.setdefault(_WRITTEN, (weakref.ref(conn.engine), set()))
        tables.add(table)
        bump(conn.engine, table)


def _on_commit(conn: Connection) -> None:
    for table in conn.info.get(_WRITTEN, (None, ()))[1]:
        bump(conn.engine, table)


def _on_checkin(_dbapi_connection: Any, record: Any) -> None:
    engine_ref, tables = record.info.pop(_WRITTEN, (None, ())) if record else (None, ())
    engine = engine_ref() if engine_ref else None
    if engine is not None:
        for table in tables:
            bump(engine, table)


def _written_table(statement: str, context: Any) -> str | None:
    """The table a statement writes, ALL when unknown, None for a read."""
    if context is not None and (context.isinsert or context.isupdate or context.isdelete):
        return str(context.compiled.statement.table.name)
    head = statement.lstrip()[:6].upper()
    if head == "SELECT" or head.startswith("PRAGMA"):
        return None
    return ALL


# ── other processes' writes: the change feed ───────────────────────────────────────────────


class ChangeFeed:
    """Shows this process the writes of others on one engine (see the module doc)."""

    live = False

    def covers(self, tables: tuple[str, ...]) -> bool:
        """Whether the feed, now, reports every write of these tables."""
        return self.live

    def poll(self) -> None:
        """Called at every generation check; a feed that pushes does nothing here."""

    def named(self, names: tuple[str, ...]) -> tuple[str, ...]:
        """The generation names that a read of `names` depends on."""
        return names

    async def close(self) -> None:
        _feeds.pop(self.engine, None)

    def __init__(self, engine: Engine) -> None:
        self.engine = engine


class SqliteFeed(ChangeFeed):
    """`PRAGMA data_version` of a private connection (it changes with every commit of another
    connection, this process's pool included), then the tables' write counts."""

    def __init__(self, engine: Engine, path: str) -> None:
        super().__init__(engine)
        self._connection = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._version = self._read()
        self._counts = self._read_counts()
        self._next_poll = 0.0
        self.live = True

    def _read(self) -> int:
        return int(self._connection.execute("PRAGMA data_version").fetchone()[0])

    def _read_counts(self) -> dict[str, int] | None:
        try:
            rows = self._connection.execute(f"SELECT table_name, writes FROM {COUNTS_TABLE}")
        except sqlite3.OperationalError:  # not migrated yet: every change bumps everything
            return None
        return dict(rows.fetchall())

    def named(self, names: tuple[str, ...]) -> tuple[str, ...]:
        counted = self._counts
        if counted is None or all(name in counted for name in names if name != ALL):
            return names
        return (*names, OTHERS)

    def poll(self) -> None:
        now = time.monotonic()
        if now < self._next_poll:
            return
        self._next_poll = now + POLL_SECONDS
        version = self._read()
        if version == self._version:
            return
        self._version = version
        counts = self._read_counts()
        if counts is None or self._counts is None:
            bump(self.engine, ALL)
        else:
            for table, writes in counts.items():
                if self._counts.get(table) != writes:
                    bump(self.engine, table)
            bump(self.engine, OTHERS)  # the commit may also have written uncounted tables
        self._counts = counts

    async def close(self) -> None:
        await super().close()
        self._connection.close()


class PostgresFeed(ChangeFeed):
    """LISTEN on the notifications of the cached tables' triggers, reconnecting when lost."""

    def __init__(self, engine: Engine, dsn: str, schema: str) -> None:
        super().__init__(engine)
        self._dsn, self._schema = dsn, schema
        self._connection: Any = None
        self._task: asyncio.Task[None] | None = None
        self._lost = asyncio.Event()
        self.tables: frozenset[str] = frozenset()  # the tables whose trigger notifies

    def covers(self, tables: tuple[str, ...]) -> bool:
        return self.live and self.tables.issuperset(tables)

    async def start(self) -> None:
        """Listen now; if the database refuses, keep trying in the background."""
        try:
            await self._connect()
        except Exception as exc:
            log.warning("Change feed not started (%s); caches use short TTLs", exc)
            self._lost.set()
        self._task = asyncio.create_task(self._keep_alive())

    async def _connect(self) -> None:
        import asyncpg

        connection = await asyncpg.connect(self._dsn)
        rows = await connection.fetch(TRIGGERED_TABLES, self._schema)
        self.tables = frozenset(row["relname"] for row in rows)
        await connection.add_listener(CHANNEL, self._notified)
        connection.add_termination_listener(lambda _: self._on_lost())
        self._connection, self.live = connection, True
        self._lost.clear()
        bump(self.engine, ALL)  # whatever happened while we were not listening

    def _notified(self, _connection: Any, _pid: int, _channel: str, payload: str) -> None:
        schema, _, table = payload.partition(".")
        if schema == self._schema:
            bump(self.engine, table or ALL)

    def _on_lost(self) -> None:
        self.live = False
        bump(self.engine, ALL)
        self._lost.set()

    async def _keep_alive(self) -> None:
        while True:
            await self._lost.wait()
            try:
                await self._connect()
            except Exception as exc:  # the database is away: try again shortly
                log.warning("Change feed: reconnect failed (%s); caches use short TTLs", exc)
                await asyncio.sleep(RECONNECT_SECONDS)

    async def close(self) -> None:
        await super().close()
        self.live = False
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._connection is not None:
            with contextlib.suppress(Exception):
                await self._connection.close()


async def start_feed(engine: AsyncEngine, *, db_schema: str | None) -> ChangeFeed | None:
    """Start the change feed of a platform's engine (None for an in-memory SQLite database,
    which no other process can write). A PostgreSQL feed that cannot connect leaves the
    caches on short TTLs and keeps trying."""
    url, sync = engine.url, engine.sync_engine
    feed: ChangeFeed
    if url.get_backend_name() == "sqlite":
        path = url.database or ":memory:"
        if path == ":memory:":
            return None
        feed = SqliteFeed(sync, path)
    else:
        dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        postgres = PostgresFeed(sync, dsn, db_schema or "public")
        await postgres.start()
        feed = postgres
    _feeds[sync] = feed
    return feed


# ── the PostgreSQL side of the feed, installed by migrations ────────────────────────────────

NOTIFY_FUNCTION = f"""
CREATE OR REPLACE FUNCTION evroam_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('{CHANNEL}', TG_TABLE_SCHEMA || '.' || TG_TABLE_NAME);
    RETURN NULL;
END $$
"""


TRIGGERED_TABLES = """
SELECT c.relname FROM pg_trigger t
JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE t.tgname = c.relname || '_changes' AND n.nspname = $1
"""


def count_triggers(table: str) -> list[str]:
    """The SQLite triggers that count the writes of `table` in COUNTS_TABLE (one per kind of
    write; SQLite triggers run for each row)."""
    count = f"UPDATE {COUNTS_TABLE} SET writes = writes + 1 WHERE table_name = '{table}'"
    return [
        f"CREATE TRIGGER {table}_counts_{action} AFTER {action.upper()} ON {table}"
        f" BEGIN {count}; END"
        for action in ("insert", "update", "delete")
    ]


def notify_trigger(table: str) -> str:
    """The statement trigger that reports writes of `table` on the change feed (PostgreSQL
    sends one notification per table and transaction, however many statements wrote)."""
    return (
        f"CREATE TRIGGER {table}_changes AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE"
        f" ON {table} FOR EACH STATEMENT EXECUTE FUNCTION evroam_notify_change()"
    )
