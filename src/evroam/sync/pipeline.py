"""The pages of one pull, fetched ahead along their `Link` headers and prepared meanwhile.

Which page comes next is `Crawl.advance`'s decision, and it needs the page read first (how
many objects it held). Waiting for that would leave the partner and the worker processes
idle, so pages are fetched ahead on a guess: the `Link` of the page before, which is what
`advance` follows whenever a partner pages properly. Each page is prepared as soon as it
arrives (in a worker process for a large pull, `workers.py`), and handed out in order. When
`advance` decides otherwise (no usable Link, a Link pointing back, a total that dropped),
everything fetched on the guess is dropped and fetching starts again where `advance` says.
At most `ahead` pages wait, fetched, to be handed out.
"""

import asyncio
from collections.abc import AsyncGenerator
from dataclasses import dataclass
from typing import Any

import httpx
from pydantic import BaseModel

from evroam.partners.client import PartnerClient, next_link
from evroam.sync.fetch import RawPage, general_page, get_page
from evroam.sync.paging import Crawl, read_headers
from evroam.sync.prepare import PreparedPage
from evroam.sync.workers import Preparer

SEND_STEPS = 5  # event-loop turns httpx takes to hand a request to the socket


def likely_next(headers: httpx.Headers) -> str | None:
    """The page `Crawl.advance` most likely asks after this one: its `Link`, if followable."""
    link = next_link(headers)
    if link is None:
        return None
    try:
        url = httpx.URL(link)
    except httpx.InvalidURL:
        return None
    return str(url) if url.scheme in ("http", "https") and url.host else None


async def let_requests_out() -> None:
    """Give requests under way the loop turns to reach the socket before blocking work."""
    for _ in range(SEND_STEPS):
        await asyncio.sleep(0)


@dataclass(frozen=True)
class Fetched:
    """A page received, the URL fetched after it, and its preparation if under way already."""

    raw: RawPage
    guess: str | None
    work: "asyncio.Future[PreparedPage | None] | None"


class PageStream:
    """Pages in crawl order, each with its objects prepared (see the module docstring)."""

    def __init__(
        self,
        client: PartnerClient,
        crawl: Crawl,
        preparer: Preparer,
        model: type[BaseModel],
        *,
        ahead: int = 1,
    ) -> None:
        self.client, self.crawl, self.preparer, self.model = client, crawl, preparer, model
        self.ahead = ahead
        self.queue: asyncio.Queue[asyncio.Task[Fetched]] = asyncio.Queue()
        self.room = asyncio.Semaphore(ahead)  # pages the producer may fetch before handed out
        self.producer: asyncio.Task[None] | None = None

    async def pages(self) -> AsyncGenerator[tuple[RawPage, PreparedPage], None]:
        """Every page with its prepared objects; PartnerError where one could not be read."""
        self._restart(self.crawl.first())
        try:
            while True:
                task = await self.queue.get()
                self.room.release()
                fetched = await task
                prepared = await self._prepared(fetched)
                url = self.crawl.advance(prepared.count, read_headers(fetched.raw.headers))
                if url is None:
                    await self._stop()
                elif url != fetched.guess:
                    await self._stop()
                    self._restart(url)
                yield fetched.raw, prepared
                if url is None:
                    return
        finally:
            await self._stop()

    async def _prepared(self, fetched: Fetched) -> PreparedPage:
        page = None
        if fetched.work is not None:
            page = await self.preparer.result(fetched.work, fetched.raw.content)
        elif fetched.raw.clean:
            await let_requests_out()
            page = self.preparer.here(fetched.raw.content)
        return page or general_page(fetched.raw, self.model, self.preparer.columns)

    def _restart(self, url: str) -> None:
        self.queue, self.room = asyncio.Queue(), asyncio.Semaphore(self.ahead)
        self.producer = asyncio.create_task(self._produce(url, self.queue, self.room))

    async def _produce(
        self,
        url: str | None,
        queue: "asyncio.Queue[asyncio.Task[Fetched]]",
        room: asyncio.Semaphore,
    ) -> None:
        """Fetch from `url` on, page after page along the guesses, while there is room."""
        while url is not None:
            await room.acquire()
            task = asyncio.create_task(self._fetch(url))
            queue.put_nowait(task)
            try:
                url = (await task).guess
            except Exception:  # a PartnerError: handed out in its turn, the stream ends there
                return

    async def _fetch(self, url: str) -> Fetched:
        raw = await get_page(self.client, url)
        work = self.preparer.start(raw.content, raw.headers) if raw.clean else None
        return Fetched(raw, likely_next(raw.headers), work)

    async def _stop(self) -> None:
        """Drop the producer and every page fetched ahead (their errors included)."""
        dropped: list[asyncio.Task[Any]] = []
        if self.producer is not None:
            self.producer.cancel()
            dropped.append(self.producer)
            self.producer = None
        while not self.queue.empty():
            dropped.append(self.queue.get_nowait())
        for task in dropped:
            task.cancel()
        await asyncio.gather(*dropped, return_exceptions=True)
        for task in dropped:
            _discard(task)


def _discard(task: "asyncio.Task[Any]") -> None:
    """A page fetched on a wrong guess: its preparation, if under way, is not waited for."""
    if task.cancelled() or task.exception() is not None:
        return
    result = task.result()
    if isinstance(result, Fetched) and result.work is not None:
        result.work.cancel()
