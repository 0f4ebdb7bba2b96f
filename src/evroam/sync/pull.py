"""The pull engine: one module's objects from one partner's Sender (ARCHITECTURE, pull).

Incremental pulls ask for `date_from = watermark - overlap` (the overlap covers clock skew);
a full pull (on demand, and the first one) asks for everything and afterwards removes the
partner's objects it did not return (CONFORMANCE B.71). Pages are followed as `paging.py`
says; each page is stored in its own transaction, with its invalid objects skipped and logged
(B.70). The watermark is written only after the last page is stored, so a pull that fails
half-way is repeated from the old watermark next time (upserts are idempotent).

The new watermark is the newest `last_updated` stored, never beyond the time of the first
response: an object changed while we were paging may sit on a page read already, and it is
newer than that time, so the next pull fetches it.
"""

import email.utils
import time
from collections.abc import Callable
from contextlib import aclosing
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Generic

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from evroam.errors import EvroamError, PartnerError
from evroam.partners.model import InterfaceRole, Partner
from evroam.platform import Platform
from evroam.protocol.timestamps import format_datetime
from evroam.sync import state
from evroam.sync.collector import COLLECTOR
from evroam.sync.paging import Crawl
from evroam.sync.pipeline import PageStream, let_requests_out
from evroam.sync.prepare import PreparedPage
from evroam.sync.settings import sync_settings
from evroam.sync.store import M, PageOutcome, PageStore, PullModule, remove_missing
from evroam.sync.workers import Preparer


@dataclass
class SyncReport:
    """What one pull of one module from one partner did."""

    partner: str
    module: str
    full: bool = False
    pages: int = 0
    received: int = 0
    stored: int = 0
    unchanged: int = 0
    skipped: int = 0
    removed: int = 0
    total: int | None = None  # the partner's X-Total-Count on the last page
    date_from: datetime | None = None
    watermark_before: datetime | None = None
    watermark_after: datetime | None = None
    duration: timedelta = timedelta(0)
    error: str | None = None

    def add(self, outcome: PageOutcome, received: int) -> None:
        self.received += received
        self.stored += outcome.stored
        self.unchanged += outcome.unchanged
        self.skipped += outcome.skipped


OnPage = Callable[[SyncReport], None]


def sender_url(partner: Partner, module: str) -> str:
    """The partner's Sender URL for the module, or an EvroamError saying what to check."""
    if not partner.connected:
        raise EvroamError(f"Partner {partner.name} is {partner.state}: register with it first.")
    endpoint = partner.endpoint(module, InterfaceRole.SENDER)
    if endpoint is None:
        raise EvroamError(
            f"Partner {partner.name} publishes no {module} Sender interface;"
            f" `evroam partner show {partner.name}` lists its endpoints."
        )
    return endpoint.url


def response_time(headers: httpx.Headers, sent: datetime) -> datetime:
    """When the partner answered, by its own clock (`Date`), else when we asked."""
    try:
        moment = email.utils.parsedate_to_datetime(headers.get("date", ""))
    except (TypeError, ValueError):
        return sent
    return moment if moment.tzinfo is not None else sent


def next_watermark(
    before: datetime | None, newest: datetime | None, started: datetime
) -> datetime | None:
    """The newest object stored, capped at the first response's time; never moves back."""
    if newest is None:
        return before or started
    candidate = min(newest, started)
    return max(before, candidate) if before is not None else candidate


class Pull(Generic[M]):
    """One pull: fetch pages, store each, then remove the stale and move the watermark."""

    def __init__(
        self,
        platform: Platform,
        partner: Partner,
        module: PullModule[M],
        *,
        overlap: timedelta,
        limit: int | None = None,
        on_page: OnPage | None = None,
    ) -> None:
        if partner.id is None:
            raise EvroamError(f"Partner {partner.name} is not stored yet.")
        self.platform, self.partner, self.module = platform, partner, module
        self.partner_id: int = partner.id
        self.overlap, self.limit, self.on_page = overlap, limit, on_page
        self.report = SyncReport(partner.name, module.name)
        self.store = PageStore(module, partner)
        self.newest: datetime | None = None

    async def run(self, *, full: bool = False) -> SyncReport:
        """Pull, recording the outcome in sync_state; PartnerError when a page failed."""
        url = sender_url(self.partner, self.module.name)
        before = (
            await state.read_state(self.platform, self.partner_id, self.module.name)
        ).watermark
        self.report.watermark_before, self.report.full = before, full or before is None
        clock = time.monotonic()
        try:
            started = await self._fetch(self._crawl(url, before))
            await self._finish(started)
            self._notify()
        except PartnerError as exc:
            self.report.error = str(exc)
            await state.record_error(self.platform, self.partner_id, self.module.name, str(exc))
            raise
        finally:
            self.report.duration = timedelta(seconds=time.monotonic() - clock)
        return self.report

    def _crawl(self, url: str, before: datetime | None) -> Crawl:
        if self.report.full or before is None:
            return Crawl(url, {}, self.limit)
        self.report.date_from = before - self.overlap
        return Crawl(url, {"date_from": format_datetime(self.report.date_from)}, self.limit)

    async def _fetch(self, crawl: Crawl) -> datetime:
        """Every page in order, each stored in its own transaction; the first response's time.

        Pages are fetched ahead and prepared while earlier ones are stored (pipeline.py),
        enough of them to keep every worker busy; memory holds a few, never the whole list.
        """
        started: datetime | None = None
        preparer = self._preparer()
        async with self.platform.client_for(self.partner) as client:
            model, ahead = self.module.model, preparer.workers + 2
            stream = PageStream(client, crawl, preparer, model, ahead=ahead)
            try:
                async with aclosing(stream.pages()) as pages:
                    async for raw, page in pages:
                        started = started or response_time(raw.headers, raw.sent)
                        await self._store(page, crawl)
            finally:
                await preparer.close()
        assert started is not None
        return started

    def _preparer(self) -> Preparer:
        settings = sync_settings(self.platform.settings)
        return Preparer(
            self.module.model,
            self.module.columns,
            workers=settings.workers,
            parallel_from=settings.parallel_from,
        )

    def _notify(self) -> None:
        if self.on_page is not None:
            self.on_page(self.report)

    async def _store(self, page: PreparedPage, crawl: Crawl) -> None:
        await let_requests_out()  # SQLite writes run inline: let the requests out first
        async with self.platform.unit_of_work() as session:
            await unflushed(session, self.platform)
            outcome = await self.store.store(session, page)
        self.report.add(outcome, page.count)
        if outcome.newest is not None:
            self.newest = max(self.newest or outcome.newest, outcome.newest)
        self.report.pages, self.report.total = crawl.pages, crawl.total
        self._notify()

    async def _finish(self, started: datetime) -> None:
        if self.report.full:
            async with self.platform.unit_of_work() as session:
                repo = self.module.repository(session)
                self.report.removed = await remove_missing(
                    repo, self.partner_id, self.store.seen, started
                )
        after = next_watermark(self.report.watermark_before, self.newest, started)
        self.report.watermark_after = after
        await state.record_success(self.platform, self.partner_id, self.module.name, after)


async def unflushed(session: AsyncSession, platform: Platform) -> None:
    """PostgreSQL: this page's commit does not wait for its WAL to reach the disk (a pull of
    100,000 Locations waited ~1.6 s for a hundred flushes). A crash may lose the last pages
    committed so, never a part of one, and with them the watermark's later commit, which does
    wait and flushes everything before it: the next pull fetches them again."""
    if platform.engine.dialect.name == "postgresql":
        await session.execute(text("SET LOCAL synchronous_commit = off"))


async def pull(
    platform: Platform,
    partner: Partner,
    module: PullModule[Any],
    *,
    full: bool = False,
    overlap: timedelta = timedelta(minutes=5),
    limit: int | None = None,
    on_page: OnPage | None = None,
) -> SyncReport:
    """Pull one module from one partner: incremental from the watermark, or full."""
    job = Pull(platform, partner, module, overlap=overlap, limit=limit, on_page=on_page)
    with COLLECTOR.relaxed():
        return await job.run(full=full)
