"""Where a pull's pages are prepared: in the pulling process, or in worker processes.

Validating and writing out objects is almost all of a pull's CPU, and it holds the GIL. A
large pull (the partner's `X-Total-Count` at least `sync.parallel_from`) therefore prepares
its pages in `sync.workers` processes, several pages at once, while the pulling process
fetches and stores; small pulls, the usual incremental ones, never pay for starting them.
Workers are started fresh (`spawn`: nothing of the server is inherited, no fork of a process
with threads), import only `prepare.py` and the model, and end with the pull.
"""

import asyncio
import logging
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

import httpx
from pydantic import BaseModel

from evroam.sync.collector import relax_for_good
from evroam.sync.paging import read_headers
from evroam.sync.prepare import PreparedPage, prepare_page, ready

log = logging.getLogger("evroam.sync")


class Preparer:
    """Prepares the pages of one pull; `close` ends its worker processes, if any."""

    def __init__(
        self, model: type[BaseModel], columns: tuple[str, ...], *, workers: int, parallel_from: int
    ) -> None:
        self.model, self.columns = model, columns
        self.workers, self.parallel_from = workers, parallel_from
        self.pool: ProcessPoolExecutor | None = None
        self.lost = False  # a worker died: no more pages go to the workers

    def here(self, content: bytes) -> PreparedPage | None:
        """The page prepared in this process (None: not a clean success list, see prepare)."""
        return prepare_page(self.model, self.columns, content)

    def start(
        self, content: bytes, headers: httpx.Headers
    ) -> "asyncio.Future[PreparedPage | None] | None":
        """The page's preparation under way in a worker, when this pull is large; else None
        (then `here` prepares it in its turn: so is the page that shows the pull is large,
        while the workers start)."""
        if self.lost or (self.pool is None and not self._large(headers)):
            return None
        if self.pool is None:  # the workers start now; this page is prepared here meanwhile
            self.pool = self._start_pool()
            return None
        loop = asyncio.get_running_loop()
        try:
            return loop.run_in_executor(self.pool, prepare_page, self.model, self.columns, content)
        except BrokenProcessPool:
            self._lose()
            return None

    async def result(
        self, work: "asyncio.Future[PreparedPage | None]", content: bytes
    ) -> PreparedPage | None:
        """What `work` prepared; the page prepared here if the workers are lost meanwhile."""
        try:
            return await work
        except BrokenProcessPool:
            self._lose()
            return self.here(content)

    def _lose(self) -> None:
        """A worker died (killed, out of memory): the rest of the pull is prepared here."""
        if not self.lost:
            log.warning("Pull workers lost; preparing the remaining pages in this process")
        self.lost = True

    def _large(self, headers: httpx.Headers) -> bool:
        total = read_headers(headers).total
        return self.workers > 0 and total is not None and total >= self.parallel_from

    def _start_pool(self) -> ProcessPoolExecutor:
        context = multiprocessing.get_context("spawn")
        pool = ProcessPoolExecutor(self.workers, mp_context=context, initializer=relax_for_good)
        for _ in range(self.workers):  # all start at once, importing while pages arrive
            pool.submit(ready, self.model)
        return pool

    async def close(self) -> None:
        """End the workers (a page under way is dropped); waits for them off the event loop."""
        if self.pool is not None:
            pool, self.pool = self.pool, None
            await asyncio.to_thread(pool.shutdown, wait=True, cancel_futures=True)
