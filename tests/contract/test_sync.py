"""Pull sync of Locations and Tariffs from a partner's Sender (issue #3 item 6; CONFORMANCE
B.68–B.71, E.114, H.218): against a real evroam CPO in process, and against scripted peers
that page the ways real partners do."""

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from evroam.errors import EvroamError, PartnerUnreachable
from evroam.modules.credentials import service
from evroam.modules.locations.model import Location
from evroam.modules.locations.publish import save_locations
from evroam.modules.locations.repository import LocationRepository, locations
from evroam.modules.tariffs.model import Tariff
from evroam.modules.tariffs.publish import delete_tariff, save_tariffs
from evroam.modules.tariffs.repository import TariffRepository
from evroam.platform import Platform
from evroam.protocol.timestamps import format_datetime, parse_datetime
from evroam.settings import Settings
from evroam.storage.documents import ObjectKey
from evroam.sync import schedule
from evroam.sync.locations import LOCATIONS
from evroam.sync.pull import SyncReport, pull
from evroam.sync.schedule import pull_all, run_round, run_scheduled
from evroam.sync.state import read_state
from evroam.sync.tariffs import TARIFFS
from tests.contract.locations_support import location as location_document
from tests.contract.locations_support import tariff as tariff_document
from tests.support import FakePeer, HostRouter, Running, connect, partner_named, platforms

T0 = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)
Linked = tuple[HostRouter, Running, Running]


def location_body(
    number: int, *, at: datetime = T0, party: tuple[str, str] = ("NL", "CPO"), **changes: Any
) -> dict[str, Any]:
    stamp = format_datetime(at)
    return location_document(
        f"LOC{number}", stamp, country_code=party[0], party_id=party[1], **changes
    )


def location(number: int, **kw: Any) -> Location:
    return Location.model_validate(location_body(number, **kw))


def tariff(tariff_id: str, *, at: datetime = T0) -> Tariff:
    return Tariff.model_validate(tariff_document(tariff_id, format_datetime(at)))


@pytest.fixture
async def linked(make_settings: Callable[..., Settings]) -> AsyncIterator[Linked]:
    """A CPO (page cap 7) and an eMSP that registered with it; nothing pushed (push is off)."""
    cpo = make_settings("cpo", "CPO:NL:CPO", http={"page_limit": 7})
    emsp = make_settings("emsp", "EMSP:DE:MSP")
    async with platforms(cpo, emsp) as (router, (a, b)):
        await connect(b, a)
        router.requests.clear()
        yield router, a, b


async def pull_from(emsp: Running, name: str = "cpo", **kw: Any) -> SyncReport:
    module = kw.pop("module", LOCATIONS)
    return await pull(emsp.platform, await partner_named(emsp.platform, name), module, **kw)


async def stored_ids(platform: Platform, repository: Any = LocationRepository) -> set[str]:
    async with platform.sessions() as session:
        documents = await repository(session).find_documents(limit=10_000)
    return {d["id"] for d in documents}


def list_requests(router: HostRouter, path: str = "/sender/locations") -> list[httpx.Request]:
    return [r for r in router.requests if r.url.path.rstrip("/").endswith(path)]


class TestFullPull:
    async def test_first_pull_is_full_and_stores_every_published_location(
        self, linked: Linked
    ) -> None:
        """B.68, E.114: all pages followed, objects stored as the partner's."""
        _, cpo, emsp = linked
        hidden = location(9, publish=False)
        await save_locations(
            cpo.platform, [location(1), location(2, at=T0 + timedelta(hours=1)), hidden]
        )
        report = await pull_from(emsp)
        assert report.full
        assert (report.stored, report.skipped, report.removed) == (2, 0, 0)
        assert await stored_ids(emsp.platform) == {"LOC1", "LOC2"}
        assert report.watermark_after == T0 + timedelta(hours=1)
        partner = await partner_named(emsp.platform, "cpo")
        async with emsp.platform.sessions() as session:
            rows = (await session.execute(locations.select())).all()
        assert {row.partner_id for row in rows} == {partner.id}

    async def test_tariffs_are_pulled_the_same_way(self, linked: Linked) -> None:
        """H.218."""
        router, cpo, emsp = linked
        await save_tariffs(cpo.platform, [tariff("AC"), tariff("DC")])
        report = await pull_from(emsp, module=TARIFFS)
        assert report.stored == 2
        assert await stored_ids(emsp.platform, TariffRepository) == {"AC", "DC"}
        assert list_requests(router, "/sender/tariffs")

    async def test_pagination_follows_every_page_under_the_partners_cap(
        self, linked: Linked
    ) -> None:
        """B.68: 16 objects under a cap of 7 are three pages, each asked through Link."""
        router, cpo, emsp = linked
        await save_locations(cpo.platform, [location(n) for n in range(16)])
        report = await pull_from(emsp)
        assert (report.pages, report.stored, report.total) == (3, 16, 16)
        offsets = [r.url.params.get("offset") for r in list_requests(router)]
        assert offsets == [None, "7", "14"]
        assert await stored_ids(emsp.platform) == {f"LOC{n}" for n in range(16)}

    async def test_a_newer_object_pushed_meanwhile_is_not_replaced_by_an_older_one(
        self, linked: Linked
    ) -> None:
        _, cpo, emsp = linked
        await save_locations(cpo.platform, [location(1)])
        newer = location(1, at=T0 + timedelta(minutes=1), name="Pushed")
        async with emsp.platform.unit_of_work() as session:
            await LocationRepository(session).put(
                ObjectKey("NL", "CPO", "LOC1"),
                newer,
                last_updated=newer.last_updated,
                partner_id=await cpo_id(emsp),
                publish=True,
            )
        report = await pull_from(emsp)
        assert (report.stored, report.unchanged) == (0, 1)
        async with emsp.platform.sessions() as session:
            found = await LocationRepository(session).get(ObjectKey("NL", "CPO", "LOC1"))
        assert found is not None
        assert found.name == "Pushed"

    async def test_pulling_again_changes_nothing(self, linked: Linked) -> None:
        _, cpo, emsp = linked
        await save_locations(cpo.platform, [location(1), location(2)])
        await pull_from(emsp)
        again = await pull_from(emsp, full=True)
        assert (again.stored, again.unchanged, again.removed) == (0, 2, 0)


class TestIncrementalPull:
    async def test_asks_from_the_watermark_minus_the_overlap_and_stores_only_changes(
        self, linked: Linked
    ) -> None:
        """B.69: date_from = previous high mark - 5 minutes."""
        router, cpo, emsp = linked
        newest = T0 + timedelta(hours=2)
        await save_locations(cpo.platform, [location(1), location(2, at=newest)])
        await pull_from(emsp)
        changed = newest + timedelta(hours=1)
        await save_locations(cpo.platform, [location(1, at=changed, name="Renamed")])
        router.requests.clear()
        report = await pull_from(emsp)
        sent = list_requests(router)[0].url.params["date_from"]
        assert parse_datetime(sent) == newest - timedelta(minutes=5)
        assert not report.full
        assert (report.stored, report.unchanged) == (1, 1)
        assert report.watermark_after == changed
        async with emsp.platform.sessions() as session:
            found = await LocationRepository(session).get(ObjectKey("NL", "CPO", "LOC1"))
        assert found is not None
        assert found.name == "Renamed"

    async def test_the_overlap_comes_from_the_caller(self, linked: Linked) -> None:
        router, cpo, emsp = linked
        await save_locations(cpo.platform, [location(1)])
        await pull_from(emsp)
        router.requests.clear()
        await pull_from(emsp, overlap=timedelta(seconds=30))
        sent = list_requests(router)[0].url.params["date_from"]
        assert parse_datetime(sent) == T0 - timedelta(seconds=30)

    async def test_incremental_pull_removes_nothing(self, linked: Linked) -> None:
        _, cpo, emsp = linked
        await save_locations(cpo.platform, [location(1), location(2)])
        await pull_from(emsp)
        await save_locations(cpo.platform, [location(2, publish=False)])
        report = await pull_from(emsp)
        assert report.removed == 0
        assert await stored_ids(emsp.platform) == {"LOC1", "LOC2"}


class TestRemovalAfterFullPull:
    async def test_locations_the_partner_no_longer_lists_are_removed(self, linked: Linked) -> None:
        """B.71: after a full unfiltered pull, known objects not returned are no longer valid."""
        _, cpo, emsp = linked
        await save_locations(cpo.platform, [location(1), location(2), location(3)])
        await pull_from(emsp)
        await save_locations(cpo.platform, [location(2, publish=False)])
        report = await pull_from(emsp, full=True)
        assert report.removed == 1
        assert await stored_ids(emsp.platform) == {"LOC1", "LOC3"}

    async def test_a_deleted_tariff_is_removed(self, linked: Linked) -> None:
        _, cpo, emsp = linked
        await save_tariffs(cpo.platform, [tariff("AC"), tariff("DC")])
        await pull_from(emsp, module=TARIFFS)
        await delete_tariff(cpo.platform, ObjectKey("NL", "CPO", "DC"))
        report = await pull_from(emsp, module=TARIFFS, full=True)
        assert report.removed == 1
        assert await stored_ids(emsp.platform, TariffRepository) == {"AC"}

    async def test_our_own_and_other_partners_objects_stay(self, linked: Linked) -> None:
        _, cpo, emsp = linked
        await save_locations(cpo.platform, [location(1)])
        async with emsp.platform.unit_of_work() as session:
            repo = LocationRepository(session)
            mine = location(5, party=("DE", "MSP"))
            await repo.put(ObjectKey("DE", "MSP", "LOC5"), mine, last_updated=T0, publish=True)
        report = await pull_from(emsp, full=True)
        assert report.removed == 0
        assert await stored_ids(emsp.platform) == {"LOC1", "LOC5"}


class TestFailedPull:
    async def test_watermark_stays_when_a_page_fails_half_way(self, linked: Linked) -> None:
        """A crash mid-run restarts from the old watermark; stored pages are kept."""
        router, cpo, emsp = linked
        await save_locations(cpo.platform, [location(n) for n in range(10)])
        await pull_from(emsp)
        before = (await read_state(emsp.platform, await cpo_id(emsp), "locations")).watermark
        later = T0 + timedelta(days=1)
        await save_locations(cpo.platform, [location(n, at=later) for n in range(10)])
        with cut_after_pages(router, cpo.host, 1), pytest.raises(PartnerUnreachable):
            await pull_from(emsp)
        state = await read_state(emsp.platform, await cpo_id(emsp), "locations")
        assert state.watermark == before == T0
        assert state.last_error is not None
        assert "Could not connect" in state.last_error
        report = await pull_from(emsp)
        assert parse_datetime(list_requests(router)[-1].url.params["date_from"]) < later
        assert (report.stored, report.unchanged) == (3, 7)
        assert report.watermark_after == later

    async def test_nothing_is_removed_when_a_full_pull_fails(self, linked: Linked) -> None:
        router, cpo, emsp = linked
        await save_locations(cpo.platform, [location(n) for n in range(10)])
        await pull_from(emsp)
        await save_locations(cpo.platform, [location(0, publish=False)])
        with cut_after_pages(router, cpo.host, 1), pytest.raises(PartnerUnreachable):
            await pull_from(emsp, full=True)
        assert len(await stored_ids(emsp.platform)) == 10

    async def test_a_page_failing_to_store_drops_the_page_asked_ahead(
        self, linked: Linked, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """The next page is asked while one is stored; a store failure ends the pull there."""
        router, cpo, emsp = linked
        await save_locations(cpo.platform, [location(n) for n in range(10)])

        def broken(*_: Any) -> None:
            raise RuntimeError("disk full")

        monkeypatch.setattr(emsp.platform, "unit_of_work", broken)
        with pytest.raises(RuntimeError, match="disk full"):
            await pull_from(emsp)
        assert [r.url.params.get("offset") for r in list_requests(router)] == [None, "7"]

    async def test_a_partner_without_the_sender_interface_is_refused(self, linked: Linked) -> None:
        _, cpo, _ = linked
        with pytest.raises(EvroamError, match="no locations Sender"):
            await pull_from(cpo, "emsp")


class CutAfter(httpx.AsyncBaseTransport):
    """The partner's list answers stop after `pages` of them (connection refused)."""

    def __init__(self, inner: httpx.AsyncBaseTransport, pages: int) -> None:
        self.inner, self.pages = inner, pages

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if "/sender/" in request.url.path:
            if self.pages <= 0:
                raise httpx.ConnectError("cut", request=request)
            self.pages -= 1
        return await self.inner.handle_async_request(request)


@contextlib.contextmanager
def cut_after_pages(router: HostRouter, host: str, pages: int) -> Iterator[None]:
    """While in the block, `host` answers `pages` list requests, then no more (the next page
    is asked while one is stored, so a cut in `on_page` would come too late)."""
    inner = router.apps[host]
    router.apps[host] = CutAfter(inner, pages)
    try:
        yield
    finally:
        router.apps[host] = inner


async def cpo_id(emsp: Running) -> int:
    partner = await partner_named(emsp.platform, "cpo")
    assert partner.id is not None
    return partner.id


# ── scripted peers: the ways real partners page ────────────────────────────────────────────

MODULES = ["credentials", "locations"]


@dataclass
class ListPeer:
    """A partner at peer.test (CPO FR*AAA) serving a list with scripted quirks."""

    objects: list[dict[str, Any]]
    cap: int = 3
    link: str = "proper"  # proper | none | broken | back
    total: bool = True
    slash: bool = False  # 307 to the URL with a trailing slash, as some servers do
    before_page: Callable[[int], None] | None = None
    requests: list[httpx.Request] = field(default_factory=list)
    handshake: FakePeer = field(default_factory=lambda: FakePeer(modules=MODULES))

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if "/locations" not in request.url.path:
            return self.handshake(request)
        if self.slash and not request.url.path.endswith("/"):
            return httpx.Response(
                307, headers={"Location": str(request.url.copy_with(path=request.url.path + "/"))}
            )
        self.requests.append(request)
        if self.before_page is not None:
            self.before_page(len(self.requests))
        return self.page(request)

    def page(self, request: httpx.Request) -> httpx.Response:
        offset = int(request.url.params.get("offset", 0))
        limit = min(int(request.url.params.get("limit", self.cap)), self.cap)
        served = self.objects[offset : offset + limit]
        headers = {"X-Limit": str(self.cap)}
        if self.total:
            headers["X-Total-Count"] = str(len(self.objects))
        if offset + len(served) < len(self.objects) and (
            link := self.next(request, offset + limit)
        ):
            headers["Link"] = link
        body = {"data": served, "status_code": 1000, "timestamp": "2026-11-01T00:00:00Z"}
        return httpx.Response(200, json=body, headers=headers)

    def next(self, request: httpx.Request, offset: int) -> str | None:
        url = request.url.copy_merge_params({"offset": str(offset), "limit": str(self.cap)})
        return {
            "proper": f'<{url}>; rel="next"',
            "broken": f"{url}; rel=next",
            "back": f'<{request.url.copy_merge_params({"offset": "0"})}>; rel="next"',
        }.get(self.link)


def peer_locations(count: int, **kw: Any) -> list[dict[str, Any]]:
    return [location_body(n, party=("FR", "AAA"), **kw) for n in range(count)]


@pytest.fixture
async def emsp(make_settings: Callable[..., Settings]) -> AsyncIterator[tuple[HostRouter, Running]]:
    async with platforms(make_settings("emsp", "EMSP:DE:MSP")) as (router, (running,)):
        yield router, running


async def with_peer(setup: tuple[HostRouter, Running], peer: ListPeer) -> Running:
    router, running = setup
    router.mock("peer.test", peer)
    await service.register(running.platform, "peer", "http://peer.test/versions", "token-a")
    return running


class TestTolerance:
    async def test_no_link_header_continues_with_offset_arithmetic(self, emsp: Any) -> None:
        peer = ListPeer(peer_locations(7), link="none")
        report = await pull_from(await with_peer(emsp, peer), "peer")
        assert report.stored == 7
        assert [r.url.params.get("offset") for r in peer.requests] == [None, "3", "6"]

    async def test_broken_link_header_continues_with_offset_arithmetic(self, emsp: Any) -> None:
        peer = ListPeer(peer_locations(7), link="broken")
        report = await pull_from(await with_peer(emsp, peer), "peer")
        assert (report.stored, report.pages) == (7, 3)

    async def test_link_pointing_back_does_not_loop(self, emsp: Any) -> None:
        peer = ListPeer(peer_locations(7), link="back")
        report = await pull_from(await with_peer(emsp, peer), "peer")
        assert (report.stored, report.pages) == (7, 3)

    async def test_no_link_and_no_total_ends_after_the_page(self, emsp: Any) -> None:
        peer = ListPeer(peer_locations(7), link="none", total=False)
        report = await pull_from(await with_peer(emsp, peer), "peer")
        assert (report.stored, report.pages) == (3, 1)

    async def test_trailing_slash_redirect_is_followed(self, emsp: Any) -> None:
        peer = ListPeer(peer_locations(5), slash=True)
        report = await pull_from(await with_peer(emsp, peer), "peer")
        assert report.stored == 5
        assert all(r.url.path == "/2.2.1/locations/" for r in peer.requests)

    async def test_lower_cased_ids_and_party_codes_are_the_same_objects(self, emsp: Any) -> None:
        objects = [
            location_body(1, party=("fr", "aaa"), id="loc-a"),
            location_body(2, party=("Fr", "Aaa"), id="loc-b"),
        ]
        running = await with_peer(emsp, ListPeer(objects))
        assert (await pull_from(running, "peer")).stored == 2
        async with running.platform.sessions() as session:
            found = await LocationRepository(session).get(ObjectKey("FR", "AAA", "LOC-A"))
        assert found is not None
        assert found.id == "loc-a"
        again = await pull_from(running, "peer", full=True)
        assert (again.stored, again.unchanged, again.removed) == (0, 2, 0)

    async def test_an_invalid_object_is_skipped_and_logged_the_rest_stored(
        self, emsp: Any, caplog: pytest.LogCaptureFixture
    ) -> None:
        """B.70: the valid objects of a page are processed, the invalid one logged."""
        objects = peer_locations(4)
        objects[1] = {**objects[1], "coordinates": None, "publish_allowed_to": "s3cret-uid"}
        caplog.set_level(logging.WARNING, logger="evroam.sync")
        report = await pull_from(await with_peer(emsp, ListPeer(objects)), "peer")
        assert (report.stored, report.skipped) == (3, 1)
        assert "FR*AAA/LOC1" in caplog.text
        assert "coordinates" in caplog.text
        assert "s3cret-uid" not in caplog.text

    async def test_an_object_of_a_party_the_partner_does_not_carry_is_skipped(
        self, emsp: Any
    ) -> None:
        objects = [*peer_locations(2), location_body(7, party=("DE", "MSP"))]
        running = await with_peer(emsp, ListPeer(objects))
        report = await pull_from(running, "peer")
        assert (report.stored, report.skipped) == (2, 1)
        assert await stored_ids(running.platform) == {"LOC0", "LOC1"}

    async def test_x_limit_below_the_requested_limit_sets_the_page_size(self, emsp: Any) -> None:
        peer = ListPeer(peer_locations(5), cap=2, link="none")
        report = await pull_from(await with_peer(emsp, peer), "peer", limit=50)
        assert report.stored == 5
        limits = [r.url.params.get("limit") for r in peer.requests]
        assert limits == ["50", "2", "2"]

    async def test_no_object_that_existed_for_the_whole_pull_is_skipped(self, emsp: Any) -> None:
        """X-Total-Count drops mid-pull (an object read already is deleted): the objects
        behind it shift left, and the pull re-reads the page from offset - 1 (DIGEST §1.6)."""
        objects = peer_locations(9)
        peer = ListPeer(objects)

        def delete_one(request_number: int) -> None:
            if request_number == 2:
                del objects[1]

        peer.before_page = delete_one
        running = await with_peer(emsp, peer)
        report = await pull_from(running, "peer")
        assert await stored_ids(running.platform) == {f"LOC{n}" for n in range(9)}
        assert report.stored == 9


# ── many partners, and the scheduled pull ──────────────────────────────────────────────────


class TestScheduledPull:
    async def test_a_round_pulls_both_modules_from_every_publishing_partner(
        self, linked: Linked
    ) -> None:
        _, cpo, emsp = linked
        await save_locations(cpo.platform, [location(1)])
        await save_tariffs(cpo.platform, [tariff("AC")])
        reports = await run_round(emsp.platform)
        assert [(r.partner, r.module, r.stored, r.error) for r in reports] == [
            ("cpo", "locations", 1, None),
            ("cpo", "tariffs", 1, None),
        ]
        assert await run_round(cpo.platform) == []  # the eMSP publishes no Sender interface

    async def test_a_failing_partner_is_recorded_and_reported_not_raised(
        self, linked: Linked
    ) -> None:
        router, cpo, emsp = linked
        router.down.add(cpo.host)
        reports = await run_round(emsp.platform)
        assert all(r.error and "Could not connect" in r.error for r in reports)
        state = await read_state(emsp.platform, await cpo_id(emsp), "tariffs")
        assert state.last_error is not None
        assert state.watermark is None

    async def test_the_loop_survives_a_failing_round_and_pulls_again(
        self, linked: Linked, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        _, cpo, emsp = linked
        await save_locations(cpo.platform, [location(1)])
        rounds: list[bool] = []
        real_round = schedule.run_round

        async def flaky(platform: Platform, *, full: bool = False) -> list[SyncReport]:
            rounds.append(full)
            if len(rounds) == 1:
                raise RuntimeError("database hiccup")
            return await real_round(platform, full=full)

        monkeypatch.setattr(schedule, "run_round", flaky)
        task = asyncio.create_task(run_scheduled(emsp.platform, 0.01, full_every=3))

        async def four_rounds() -> None:
            while len(rounds) < 4:
                await asyncio.sleep(0.01)

        await asyncio.wait_for(four_rounds(), timeout=20)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        assert rounds[:4] == [False, False, True, False]
        assert await stored_ids(emsp.platform) == {"LOC1"}

    async def test_pull_all_names_one_partner(self, linked: Linked) -> None:
        _, cpo, emsp = linked
        await save_locations(cpo.platform, [location(1)])
        reports = await pull_all(emsp.platform, LOCATIONS, partner="cpo", full=True)
        assert [(r.partner, r.full, r.stored) for r in reports] == [("cpo", True, 1)]
