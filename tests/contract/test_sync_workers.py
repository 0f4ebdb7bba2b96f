"""A large pull prepares its pages in worker processes (sync/workers.py): it stores exactly
what a pull in one process stores, skips and logs invalid objects the same way (B.70), and
removes what the partner no longer lists (B.71)."""

import logging
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from evroam.modules.locations.publish import save_locations
from evroam.modules.locations.repository import LocationRepository
from evroam.platform import Platform
from evroam.settings import Settings
from tests.contract.test_sync import (
    Linked,
    ListPeer,
    location,
    peer_locations,
    pull_from,
    stored_ids,
    with_peer,
)
from tests.support import HostRouter, Running, connect, platforms

IN_WORKERS = {"enabled": False, "workers": 2, "parallel_from": 0}


async def documents(platform: Platform) -> dict[str, dict[str, Any]]:
    async with platform.sessions() as session:
        found = await LocationRepository(session).find_documents(limit=10_000)
    return {d["id"]: d for d in found}


@pytest.fixture
async def linked_workers(make_settings: Callable[..., Settings]) -> AsyncIterator[Linked]:
    """A CPO (page cap 7) and an eMSP preparing every pull in two worker processes."""
    cpo = make_settings("cpo", "CPO:NL:CPO", http={"page_limit": 7})
    emsp = make_settings("emsp", "EMSP:DE:MSP", sync=IN_WORKERS)
    async with platforms(cpo, emsp) as (router, (a, b)):
        await connect(b, a)
        yield router, a, b


@pytest.fixture
async def emsp_workers(
    make_settings: Callable[..., Settings],
) -> AsyncIterator[tuple[HostRouter, Running]]:
    async with platforms(make_settings("emsp", "EMSP:DE:MSP", sync=IN_WORKERS)) as (
        router,
        (running,),
    ):
        yield router, running


class TestPullInWorkers:
    async def test_stores_the_partners_documents_and_removes_what_it_no_longer_lists(
        self, linked_workers: Linked
    ) -> None:
        """B.71 after a full pull, with the pages prepared in worker processes."""
        _, cpo, emsp = linked_workers
        await save_locations(cpo.platform, [location(n) for n in range(20)])
        report = await pull_from(emsp)
        assert (report.stored, report.pages) == (20, 3)
        assert await documents(emsp.platform) == await documents(cpo.platform)
        await save_locations(cpo.platform, [location(3, publish=False)])
        again = await pull_from(emsp, full=True)
        assert (again.stored, again.unchanged, again.removed) == (0, 19, 1)
        assert "LOC3" not in await stored_ids(emsp.platform)

    async def test_an_invalid_object_is_skipped_and_logged_the_rest_stored(
        self, emsp_workers: Any, caplog: pytest.LogCaptureFixture
    ) -> None:
        """B.70, the invalid object named without its values."""
        objects = peer_locations(7)
        objects[4] = {**objects[4], "coordinates": None, "publish_allowed_to": "s3cret-uid"}
        caplog.set_level(logging.WARNING, logger="evroam.sync")
        running = await with_peer(emsp_workers, ListPeer(objects))
        report = await pull_from(running, "peer")
        assert (report.stored, report.skipped, report.pages) == (6, 1, 3)
        assert "FR*AAA/LOC4" in caplog.text
        assert "s3cret-uid" not in caplog.text
        assert await stored_ids(running.platform) == {f"LOC{n}" for n in range(7)} - {"LOC4"}
