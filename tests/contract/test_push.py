"""Push through the transactional outbox: our changes reach every partner's Receiver
(issue #3 item 5; CONFORMANCE A.41, E.120–E.122, H.214–H.215)."""

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select, update

from evroam.errors import EvroamError
from evroam.modules.locations.enums import Status
from evroam.modules.locations.model import Location
from evroam.modules.locations.publish import (
    StatusChange,
    save_locations,
    set_evse_status,
    set_evse_statuses,
)
from evroam.modules.locations.repository import LocationRepository
from evroam.modules.tariffs.model import Tariff
from evroam.modules.tariffs.publish import delete_tariff, save_tariffs
from evroam.modules.tariffs.repository import TariffRepository
from evroam.platform import Platform
from evroam.push import health
from evroam.push.outbox import Change, _pending_rows, _Plan, enqueue
from evroam.push.worker import DEGRADED_AFTER, MAX_BACKOFF, OutboxWorker, backoff, claim
from evroam.settings import Settings
from evroam.storage.documents import ObjectKey
from evroam.storage.tables import outbox
from tests.support import HostRouter, Running, auth, connect, partner_named, platforms

T0 = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)
Push = tuple[HostRouter, Running, Running]


def location(number: int, *, evses: int = 2, publish: bool = True) -> Location:
    stamp = T0.isoformat().replace("+00:00", "Z")
    return Location.model_validate(
        {
            "country_code": "NL",
            "party_id": "CPO",
            "id": f"LOC{number}",
            "publish": publish,
            "address": "Stationsplein 1",
            "city": "Utrecht",
            "country": "NLD",
            "coordinates": {"latitude": "52.08917", "longitude": "5.11044"},
            "time_zone": "Europe/Amsterdam",
            "last_updated": stamp,
            "evses": [
                {
                    "uid": f"E{number}-{e}",
                    "evse_id": f"NL*CPO*E{number}{e}",
                    "status": "AVAILABLE",
                    "last_updated": stamp,
                    "connectors": [
                        {
                            "id": "1",
                            "standard": "IEC_62196_T2",
                            "format": "SOCKET",
                            "power_type": "AC_3_PHASE",
                            "max_voltage": 230,
                            "max_amperage": 32,
                            "tariff_ids": ["AC"],
                            "last_updated": stamp,
                        }
                    ],
                }
                for e in range(evses)
            ],
        }
    )


def tariff(price: str = "0.25") -> Tariff:
    return Tariff.model_validate(
        {
            "country_code": "NL",
            "party_id": "CPO",
            "id": "AC",
            "currency": "EUR",
            "elements": [
                {
                    "price_components": [
                        {"type": "ENERGY", "price": price, "vat": 21, "step_size": 1}
                    ]
                }
            ],
            "last_updated": "2026-05-01T08:00:00Z",
        }
    )


@pytest.fixture
async def push(make_settings: Callable[..., Settings]) -> AsyncIterator[Push]:
    cpo = make_settings("cpo", "CPO:NL:CPO")
    emsp = make_settings("emsp", "EMSP:DE:MSP")
    async with platforms(cpo, emsp) as (router, (a, b)):
        await connect(a, b)
        router.requests.clear()
        yield router, a, b


def worker(running: Running) -> OutboxWorker:
    found = running.app.state.outbox
    assert isinstance(found, OutboxWorker)
    return found


async def received(emsp: Running, cpo: Running, path: str) -> httpx.Response:
    token = (await partner_named(cpo.platform, "emsp")).token_out
    assert token
    return await emsp.client.get(
        f"/ocpi/2.2.1/receiver/locations/NL/CPO/{path}", headers=auth(token)
    )


async def rows(running: Running) -> list[Any]:
    async with running.platform.sessions() as session:
        return list((await session.execute(select(outbox))).all())


async def make_due(running: Running) -> None:
    async with running.platform.unit_of_work() as session:
        await session.execute(update(outbox).values(due_at=datetime(2000, 1, 1, tzinfo=UTC)))


def sent(router: HostRouter, method: str) -> list[httpx.Request]:
    return [r for r in router.requests if r.method == method and r.url.host == "emsp.test"]


class TestLocationsPush:
    async def test_saved_locations_reach_the_partner_as_put(self, push: Push) -> None:
        router, cpo, emsp = push
        result = await save_locations(cpo.platform, [location(1), location(2)])
        assert (result.created, result.updated) == (2, 0)
        assert len(await rows(cpo)) == 2  # written with the change, in the same transaction
        assert await worker(cpo).drain() == 2
        assert await rows(cpo) == []
        stored = (await received(emsp, cpo, "LOC1")).json()["data"]
        assert stored == location(1).model_dump(mode="json", exclude_none=True)
        assert sorted(r.url.path for r in sent(router, "PUT")) == [  # delivered concurrently
            "/ocpi/2.2.1/receiver/locations/NL/CPO/LOC1",
            "/ocpi/2.2.1/receiver/locations/NL/CPO/LOC2",
        ]
        request = sent(router, "PUT")[0]  # either one: both carry the routing headers
        assert request.headers["OCPI-from-party-id"] == "CPO"
        assert request.headers["OCPI-to-party-id"] == "MSP"

    async def test_status_change_travels_as_patch_and_cascades(self, push: Push) -> None:
        """E.120/E.127: the EVSE PATCH carries status and last_updated; parents follow."""
        router, cpo, emsp = push
        await save_locations(cpo.platform, [location(1)])
        await worker(cpo).drain()
        changed = await set_evse_status(cpo.platform, "loc1", "e1-0", Status.CHARGING)
        await worker(cpo).drain()
        [patch] = sent(router, "PATCH")
        assert patch.url.path.endswith("/NL/CPO/LOC1/E1-0")
        assert set(httpx.Response(200, content=patch.content).json()) == {"status", "last_updated"}
        evse = (await received(emsp, cpo, "LOC1/E1-0")).json()["data"]
        assert evse["status"] == "CHARGING"
        whole = (await received(emsp, cpo, "LOC1")).json()["data"]
        assert whole["last_updated"] == evse["last_updated"]
        assert changed.last_updated > T0

    async def test_changes_coalesce_and_the_current_state_is_sent(self, push: Push) -> None:
        router, cpo, emsp = push
        await save_locations(cpo.platform, [location(1)])
        await worker(cpo).drain()
        for status in (Status.CHARGING, Status.BLOCKED, Status.AVAILABLE, Status.OUTOFORDER):
            await set_evse_status(cpo.platform, "LOC1", "E1-0", status)
        assert len(await rows(cpo)) == 1
        await worker(cpo).drain()
        assert len(sent(router, "PATCH")) == 1
        assert (await received(emsp, cpo, "LOC1/E1-0")).json()["data"]["status"] == "OUTOFORDER"

    async def test_a_change_bumping_a_row_settled_meanwhile_is_queued_anew(
        self, push: Push
    ) -> None:
        """A worker delivered and deleted the row between the change's read of it and its
        bump (two transactions at PostgreSQL's READ COMMITTED): the change is not lost."""
        _, cpo, emsp = push
        await save_locations(cpo.platform, [location(1)])
        await worker(cpo).drain()
        await set_evse_status(cpo.platform, "LOC1", "E1-0", Status.CHARGING)
        partner = await partner_named(cpo.platform, "emsp")
        change = Change("locations", ObjectKey("NL", "CPO", "LOC1"), ("LOC1", "E1-0"), None)
        async with cpo.platform.sessions() as session:
            plan = _Plan(await _pending_rows(session, [(partner.id or 0, change)]), T0)
        assert plan.apply(partner.id or 0, change) == 1
        await worker(cpo).drain()  # delivered and settled: the row is gone
        assert await rows(cpo) == []
        async with cpo.platform.unit_of_work() as session:
            await plan.write(session)
        assert len(await rows(cpo)) == 1
        await set_evse_status(cpo.platform, "LOC1", "E1-0", Status.BLOCKED)
        await make_due(cpo)
        await worker(cpo).drain()
        assert (await received(emsp, cpo, "LOC1/E1-0")).json()["data"]["status"] == "BLOCKED"

    async def test_several_evse_changes_of_one_location_go_as_one_put(self, push: Push) -> None:
        """Several fields changed: the current Location is sent whole (PUT), once."""
        router, cpo, emsp = push
        await save_locations(cpo.platform, [location(1)])
        await worker(cpo).drain()
        changes = [
            StatusChange("LOC1", "E1-0", Status.CHARGING),
            StatusChange("LOC1", "E1-1", Status.BLOCKED),
        ]
        await set_evse_statuses(cpo.platform, changes)
        assert len(await rows(cpo)) == 2
        router.requests.clear()
        await worker(cpo).drain()
        assert [r.method for r in router.requests if r.url.host == "emsp.test"] == ["PUT"]
        assert await rows(cpo) == []
        evses = (await received(emsp, cpo, "LOC1")).json()["data"]["evses"]
        assert [e["status"] for e in evses] == ["CHARGING", "BLOCKED"]

    async def test_pending_whole_location_covers_later_evse_changes(self, push: Push) -> None:
        router, cpo, _ = push
        await save_locations(cpo.platform, [location(1)])
        await set_evse_status(cpo.platform, "LOC1", "E1-1", Status.CHARGING)
        [row] = await rows(cpo)
        assert row.path == "LOC1"
        assert row.fields is None
        await worker(cpo).drain()
        assert len(sent(router, "PUT")) == 1
        assert sent(router, "PATCH") == []

    async def test_unchanged_save_pushes_nothing(self, push: Push) -> None:
        _, cpo, _ = push
        await save_locations(cpo.platform, [location(1)])
        await worker(cpo).drain()
        result = await save_locations(cpo.platform, [location(1)])
        assert result.unchanged == 1
        assert await rows(cpo) == []

    async def test_unpublished_locations_are_not_pushed(self, push: Push) -> None:
        """E.154: publish=false is not shared with everybody."""
        router, cpo, _ = push
        await save_locations(cpo.platform, [location(1, publish=False)])
        await worker(cpo).drain()
        assert sent(router, "PUT") == []

    async def test_failed_patch_is_repaired_with_get_then_put(self, push: Push) -> None:
        """A.41: the receiver lost the Location; our PATCH fails, GET says 404, we PUT it all."""
        router, cpo, emsp = push
        await save_locations(cpo.platform, [location(1)])
        await worker(cpo).drain()
        async with emsp.platform.unit_of_work() as session:
            await LocationRepository(session).delete(ObjectKey("NL", "CPO", "LOC1"))
        router.requests.clear()
        await set_evse_status(cpo.platform, "LOC1", "E1-0", Status.CHARGING)
        await worker(cpo).drain()
        methods = [r.method for r in router.requests if r.url.host == "emsp.test"]
        assert methods == ["PATCH", "GET", "PUT"]
        assert (await received(emsp, cpo, "LOC1/E1-0")).json()["data"]["status"] == "CHARGING"


class TestOutage:
    async def test_partner_down_keeps_changes_until_it_answers_again(self, push: Push) -> None:
        router, cpo, emsp = push
        router.down.add("emsp.test")
        await save_locations(cpo.platform, [location(n) for n in range(1, 4)])
        await set_evse_status(cpo.platform, "LOC1", "E1-0", Status.CHARGING)
        failed_from = datetime.now(UTC)
        await worker(cpo).drain()
        pending = await rows(cpo)
        assert len(pending) == 3
        assert {r.attempts for r in pending} >= {1}
        # backed off, not hammered: nothing is due before the first backoff has passed
        assert all(r.due_at >= failed_from + backoff(1) for r in pending)
        router.down.clear()
        await make_due(cpo)
        await worker(cpo).drain()
        assert await rows(cpo) == []
        for n in range(1, 4):
            assert (await received(emsp, cpo, f"LOC{n}")).status_code == 200
        assert (await received(emsp, cpo, "LOC1/E1-0")).json()["data"]["status"] == "CHARGING"

    async def test_repeated_failures_mark_the_connection_degraded_until_success(
        self, push: Push
    ) -> None:
        router, cpo, _ = push
        partner = await partner_named(cpo.platform, "emsp")
        assert partner.id is not None
        router.down.add("emsp.test")
        await save_locations(cpo.platform, [location(1)])
        for _ in range(DEGRADED_AFTER):
            await make_due(cpo)
            await worker(cpo).drain()
        assert await health.degraded(cpo.platform, partner.id, "locations") is not None
        router.down.clear()
        await make_due(cpo)
        await worker(cpo).drain()
        assert await health.degraded(cpo.platform, partner.id, "locations") is None

    async def test_change_during_delivery_is_delivered_again(self, push: Push) -> None:
        _, cpo, _ = push
        await save_locations(cpo.platform, [location(1)])
        [claimed] = await claim(cpo.platform, 10)
        async with cpo.platform.unit_of_work() as session:
            change = Change("locations", ObjectKey("NL", "CPO", "LOC1"), ("LOC1",))
            await enqueue(session, [change], now=datetime.now(UTC))
        await worker(cpo)._settle([claimed])
        [row] = await rows(cpo)
        assert row.revision == claimed.revision + 1
        assert row.claimed_until is None

    async def test_claimed_rows_are_not_claimed_twice(self, push: Push) -> None:
        _, cpo, _ = push
        await save_locations(cpo.platform, [location(n) for n in range(5)])
        first = await claim(cpo.platform, 3)
        second = await claim(cpo.platform, 10)
        assert len(first) == 3
        assert len(second) == 2
        assert not {r.id for r in first} & {r.id for r in second}
        assert await claim(cpo.platform, 10) == []


class TestWakeUp:
    async def test_a_change_queued_by_another_process_is_delivered_without_the_poll_wait(
        self, push: Push
    ) -> None:
        """An idle worker sleeps up to push.poll_seconds; another process's outbox write (CLI,
        another server) wakes it through the change feed."""
        _, cpo, emsp = push
        other = await Platform.open(cpo.platform.settings, migrate_now=False)
        running = asyncio.create_task(worker(cpo).run_forever(poll_seconds=60))
        try:
            await asyncio.sleep(0.2)  # idle now
            await save_locations(other, [location(1)])
            deadline = time.monotonic() + 10
            while (await received(emsp, cpo, "LOC1")).status_code != 200:
                assert time.monotonic() < deadline, "the worker slept through the change"
                await asyncio.sleep(0.05)
        finally:
            running.cancel()
            await asyncio.gather(running, return_exceptions=True)
            await other.close()


class TestTariffsPush:
    async def test_tariff_put_then_delete_reach_the_partner(self, push: Push) -> None:
        """H.214, H.215 from our side."""
        router, cpo, emsp = push
        token = (await partner_named(cpo.platform, "emsp")).token_out
        assert token
        await save_tariffs(cpo.platform, [tariff()])
        await worker(cpo).drain()
        url = "/ocpi/2.2.1/receiver/tariffs/NL/CPO/AC"
        assert (await emsp.client.get(url, headers=auth(token))).json()["data"]["currency"] == "EUR"
        await save_tariffs(cpo.platform, [tariff("0.30")])
        await worker(cpo).drain()
        data = (await emsp.client.get(url, headers=auth(token))).json()["data"]
        assert data["elements"][0]["price_components"][0]["price"] == 0.3
        await delete_tariff(cpo.platform, ObjectKey("NL", "CPO", "AC"))
        await worker(cpo).drain()
        assert (await emsp.client.get(url, headers=auth(token))).status_code == 404
        pushed = [
            r.method for r in router.requests if r.url.host == "emsp.test" and r.method != "GET"
        ]
        assert pushed == ["PUT", "PUT", "DELETE"]


class TestOwnTariffs:
    async def test_deleting_never_touches_a_partners_tariff_with_the_same_key(
        self, push: Push
    ) -> None:
        _, cpo, _ = push
        partner = await partner_named(cpo.platform, "emsp")
        async with cpo.platform.unit_of_work() as session:
            foreign = tariff().model_copy(update={"country_code": "DE", "party_id": "MSP"})
            await TariffRepository(session).put(
                ObjectKey("DE", "MSP", "AC"),
                foreign,
                last_updated=foreign.last_updated,
                partner_id=partner.id,
            )
        with pytest.raises(EvroamError, match="No Tariff"):
            await delete_tariff(cpo.platform, ObjectKey("DE", "MSP", "AC"))
        async with cpo.platform.sessions() as session:
            assert await TariffRepository(session).get(ObjectKey("DE", "MSP", "AC")) is not None
        assert await rows(cpo) == []


class TestScope:
    async def test_partners_without_receiver_interface_get_nothing(
        self, make_settings: Callable[..., Settings]
    ) -> None:
        """Two CPOs: neither publishes a locations Receiver, so nothing is queued."""
        left, right = make_settings("left", "CPO:NL:CPO"), make_settings("right", "CPO:BE:CPO")
        async with platforms(left, right) as (_, (a, b)):
            await connect(a, b)
            await save_locations(a.platform, [location(1)])
            assert await rows(a) == []

    async def test_nothing_is_stored_or_queued_when_a_batch_fails(self, push: Push) -> None:
        _, cpo, _ = push
        foreign = location(2)
        foreign.party_id = "XXX"
        with pytest.raises(Exception, match="not one of this platform's CPO parties"):
            await save_locations(cpo.platform, [location(1), foreign])
        assert await rows(cpo) == []


def test_backoff_grows_and_is_capped() -> None:
    assert backoff(1) < backoff(2) < backoff(3)
    assert backoff(50) == MAX_BACKOFF
    assert backoff(1) >= timedelta(seconds=1)
