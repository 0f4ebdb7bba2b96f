"""Sender lists served from memory: each list's total and its recently served pages.

Both caches live per engine and are keyed by the exact SQL conditions of the list (each
caller's visibility conditions are part of the key, so no caller ever sees what was read for
another) and checked against the table's write generation (storage/changes.py): a write of
this process shows at once, one of another process as soon as the change feed reports it.

- The **count** of a list is shared by concurrent requests (one COUNT under way per list) and
  renewed in the background once its TTL passed, the old value answered meanwhile, so no
  request waits for a full scan twice.
- A **page** (the JSON array of its documents, how it ended) is kept in a least-recently-used
  store bounded in bytes; pages larger than MAX_PAGE_BYTES (bulk pulls) are never kept. Many
  partners syncing the same network, retries and monitoring polls then cost no query.
"""

import asyncio
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import ColumnElement, Select, Table, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import AsyncEngine

from evroam.protocol.envelope import JsonText
from evroam.protocol.pagination import PageEnd
from evroam.storage.changes import cache_ttl, write_generation

COUNT_ENTRIES = 1024  # distinct lists whose count is kept per engine before starting afresh
MAX_PAGE_BYTES = 1 << 20  # a page larger than this is served, never kept
MAX_CACHED_BYTES = 32 << 20  # all kept pages of one engine


@dataclass(frozen=True)
class Listed:
    """A list: the query counting its rows and its identity, the table and exact conditions
    (`key` None when SQLAlchemy cannot key one of them: such a list is never cached)."""

    table: Table
    conditions: tuple[ColumnElement[bool], ...]
    count: Select[Any]
    key: Hashable | None


def listed(table: Table, conditions: Sequence[ColumnElement[bool]]) -> Listed:
    count = select(func.count()).select_from(table).where(*conditions)
    cache_key = count._generate_cache_key()
    key = None
    if cache_key is not None:
        key = (cache_key.key, tuple(_hashable(p.effective_value) for p in cache_key.bindparams))
    return Listed(table, tuple(conditions), count, key)


def _hashable(value: Any) -> Hashable:
    """A bound value as part of a key: an IN list becomes a tuple."""
    return tuple(value) if isinstance(value, list) else value


# ── the total ───────────────────────────────────────────────────────────────────────────────


@dataclass
class _Count:
    """The count of one list under one write generation."""

    generation: int
    value: int | None = None  # None until first counted
    expires: float = 0.0
    task: "asyncio.Task[int] | None" = None  # a count under way


_counts: WeakKeyDictionary[Engine, dict[Hashable, _Count]] = WeakKeyDictionary()


async def counted(engine: AsyncEngine, listed: Listed) -> int:
    """COUNT(*) of the list's rows, cached (module doc)."""
    if listed.key is None:
        async with engine.connect() as connection:
            return int((await connection.execute(listed.count)).scalar_one())
    generation = write_generation(engine.sync_engine, listed.table.name)
    cache = _counts.setdefault(engine.sync_engine, {})
    entry = cache.get(listed.key)
    if entry is None or entry.generation != generation:
        if len(cache) >= COUNT_ENTRIES:
            cache.clear()
        entry = cache[listed.key] = _Count(generation)
    if entry.task is None and entry.expires <= time.monotonic():
        entry.task = asyncio.create_task(_recount(engine, listed, entry))
    if entry.value is not None:
        return entry.value
    assert entry.task is not None
    return await asyncio.shield(entry.task)


async def _recount(engine: AsyncEngine, listed: Listed, entry: _Count) -> int:
    try:
        async with engine.connect() as connection:
            value = int((await connection.execute(listed.count)).scalar_one())
        ttl = cache_ttl(engine.sync_engine, listed.table.name)
        entry.value, entry.expires = value, time.monotonic() + ttl
        return value
    finally:
        entry.task = None


# ── the pages ───────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class PageRows:
    """One page of a list: its documents as one JSON array, how many, and how it ended."""

    data: JsonText
    returned: int
    end: PageEnd


@dataclass(frozen=True)
class _Kept:
    generation: int
    expires: float
    rows: PageRows


class _PageStore:
    """The kept pages of one engine, least recently used first."""

    def __init__(self) -> None:
        self.pages: OrderedDict[Hashable, _Kept] = OrderedDict()
        self.size = 0

    def get(self, key: Hashable, generation: int) -> PageRows | None:
        kept = self.pages.get(key)
        if kept is None:
            return None
        if kept.generation != generation or kept.expires <= time.monotonic():
            self._drop(key)
            return None
        self.pages.move_to_end(key)
        return kept.rows

    def keep(self, key: Hashable, kept: _Kept) -> None:
        if len(kept.rows.data) > MAX_PAGE_BYTES:
            return
        if key in self.pages:
            self._drop(key)
        self.pages[key] = kept
        self.size += len(kept.rows.data)
        while self.size > MAX_CACHED_BYTES:
            self._drop(next(iter(self.pages)))

    def _drop(self, key: Hashable) -> None:
        self.size -= len(self.pages.pop(key).rows.data)


_pages: WeakKeyDictionary[Engine, _PageStore] = WeakKeyDictionary()


async def cached_page(
    engine: Engine,
    table: Table,
    key: Hashable | None,
    read: Callable[[], Awaitable[PageRows]],
) -> PageRows:
    """The page `key` names (its list's key and window), read by `read` unless kept."""
    if key is None:
        return await read()
    generation = write_generation(engine, table.name)
    store = _pages.setdefault(engine, _PageStore())
    rows = store.get(key, generation)
    if rows is None:
        expires = time.monotonic() + cache_ttl(engine, table.name)
        rows = await read()
        store.keep(key, _Kept(generation, expires, rows))
    return rows
