"""Bulk saves of our own Locations and Tariffs, and bulk outbox writes (issue #3).

The same steps run on two twin CPOs (each with an eMSP receiving): on one every batch is
saved at once, on the other one object per call. Results, stored rows and outbox rows
(order, paths, fields, revisions, backoff) must be the same.
"""

import random
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select, update

from evroam.errors import EvroamError
from evroam.modules.locations.enums import Status
from evroam.modules.locations.model import Location
from evroam.modules.locations.publish import SaveResult, save_locations, set_evse_status
from evroam.modules.locations.repository import locations
from evroam.modules.tariffs.model import Tariff
from evroam.modules.tariffs.publish import save_tariffs
from evroam.modules.tariffs.repository import tariffs
from evroam.platform import Platform
from evroam.push.outbox import Change, enqueue, recipients
from evroam.settings import Settings
from evroam.storage.documents import ObjectKey
from evroam.storage.tables import outbox
from tests.contract.locations_support import at, evse
from tests.contract.locations_support import location as location_document
from tests.contract.locations_support import tariff as tariff_document
from tests.support import Running, connect, platforms

FAR = datetime(2030, 1, 1, tzinfo=UTC)


@dataclass
class Twins:
    bulk: Running
    single: Running


@pytest.fixture
async def twins(make_settings: Callable[..., Settings]) -> AsyncIterator[Twins]:
    """Two CPOs (NL*CPO) alike, each registered with its own eMSP (a push recipient)."""
    names = ("cpoa", "emspa", "cpob", "emspb")
    roles = ("CPO:NL:CPO", "EMSP:DE:MSP", "CPO:NL:CPO", "EMSP:DE:MSP")
    async with platforms(*(make_settings(n, r) for n, r in zip(names, roles, strict=True))) as (
        _,
        (cpo_a, emsp_a, cpo_b, emsp_b),
    ):
        await connect(cpo_a, emsp_a)
        await connect(cpo_b, emsp_b)
        yield Twins(cpo_a, cpo_b)


def loc(location_id: str, minute: int = 0, **changes: Any) -> Location:
    return Location.model_validate(location_document(location_id, at(minute), **changes))


def tar(tariff_id: str, minute: int = 0, **changes: Any) -> Tariff:
    return Tariff.model_validate(tariff_document(tariff_id, at(minute), **changes))


def copies(items: Sequence[Any]) -> list[Any]:
    return [item.model_copy(deep=True) for item in items]


Save = Callable[[Platform, list[Any]], Awaitable[SaveResult]]


async def both(twins: Twins, save: Save, items: Sequence[Any]) -> SaveResult:
    """The batch saved at once on one twin, one call per object on the other; same counts."""
    bulk = await save(twins.bulk.platform, copies(items))
    single = SaveResult()
    for item in copies(items):
        one = await save(twins.single.platform, [item])
        single.created += one.created
        single.updated += one.updated
        single.unchanged += one.unchanged
    assert (bulk.created, bulk.updated, bulk.unchanged) == (
        single.created,
        single.updated,
        single.unchanged,
    )
    return bulk


async def stored(platform: Platform, table: Any) -> list[tuple[Any, ...]]:
    c = table.c
    columns = [c.country_code, c.party_id, c.object_id, c.last_updated, c.partner_id, c.document]
    if "publish" in c:
        columns.append(c.publish)
    async with platform.sessions() as session:
        rows = (await session.execute(select(*columns).order_by(c.pk))).all()
    return [tuple(row) for row in rows]


async def pending(platform: Platform) -> list[tuple[Any, ...]]:
    """Outbox rows in delivery order; due_at only where a backoff keeps it (not `now`)."""
    c = outbox.c
    query = select(
        c.module, c.country_code, c.party_id, c.object_id, c.path, c.fields, c.revision
    ).add_columns(c.attempts, c.due_at)
    async with platform.sessions() as session:
        rows = (await session.execute(query.order_by(c.id))).all()
    return [(*row[:8], row.due_at if row.attempts else None) for row in rows]


async def same_state(twins: Twins) -> list[tuple[Any, ...]]:
    for table in (locations, tariffs):
        assert await stored(twins.bulk.platform, table) == await stored(
            twins.single.platform, table
        )
    found = await pending(twins.bulk.platform)
    assert found == await pending(twins.single.platform)
    return found


async def back_off(platform: Platform, object_id: str) -> None:
    """The object's pending rows wait in backoff (a failed delivery)."""
    async with platform.unit_of_work() as session:
        await session.execute(
            update(outbox).where(outbox.c.object_id == object_id).values(attempts=2, due_at=FAR)
        )


class TestSaveLocations:
    async def test_new_changed_unchanged_and_repeated_objects_as_one_by_one(
        self, twins: Twins
    ) -> None:
        first = [loc("LOC1"), loc("LOC2"), loc("LOC3", publish=False), loc("LOC4")]
        result = await both(twins, save_locations, first)
        assert (result.created, result.updated, result.unchanged) == (4, 0, 0)
        rows = await same_state(twins)
        assert [r[4] for r in rows] == ["LOC1", "LOC2", "LOC4"]  # unpublished: not pushed
        assert {r[6] for r in rows} == {1}

        again = [
            loc("LOC1"),  # unchanged
            loc("loc2", 5, name="Renamed"),  # changed, named in another case
            loc("LOC5"),  # new…
            loc("LOC5", 1),  # …and changed again in the same batch
            loc("LOC6"),  # new…
            loc("LOC6"),  # …and repeated unchanged
        ]
        result = await both(twins, save_locations, again)
        assert (result.created, result.updated, result.unchanged) == (2, 2, 2)
        rows = await same_state(twins)
        assert [(r[4], r[6]) for r in rows] == [
            ("LOC1", 1),
            ("LOC2", 2),
            ("LOC4", 1),
            ("LOC5", 2),
            ("LOC6", 1),
        ]

    async def test_pending_patches_backoff_and_the_cascade_as_one_by_one(
        self, twins: Twins
    ) -> None:
        await both(twins, save_locations, [loc("LOC1"), loc("LOC2"), loc("LOC3")])
        for twin in (twins.bulk, twins.single):
            async with twin.platform.unit_of_work() as session:
                await session.execute(outbox.delete())  # delivered
            await set_evse_status(twin.platform, "LOC1", "EVSE1", Status.CHARGING)
            await set_evse_status(twin.platform, "LOC2", "EVSE1", Status.CHARGING)
            await back_off(twin.platform, "LOC2")
        found = await pending(twins.bulk.platform)  # the stored statuses carry each one's clock
        assert found == await pending(twins.single.platform)
        assert [r[4] for r in found] == ["LOC1/EVSE1", "LOC2/EVSE1"]

        newer_evse = [evse(last_updated=at(30))]  # the Location's last_updated is raised to it
        batch = [loc("LOC1", 10, evses=newer_evse), loc("LOC2", 10), loc("LOC3", 10)]
        result = await both(twins, save_locations, batch)
        assert (result.created, result.updated, result.unchanged) == (0, 3, 0)
        rows = await same_state(twins)
        # the whole-Location PUT replaces the EVSE PATCH; LOC2's backoff is kept
        assert [(r[4], r[5], r[6], r[8]) for r in rows] == [
            ("LOC1", None, 1, None),
            ("LOC2", None, 1, None),
            ("LOC3", None, 1, None),
        ]
        async with twins.bulk.platform.sessions() as session:
            moment = (
                await session.execute(
                    select(locations.c.last_updated).where(locations.c.object_id == "LOC1")
                )
            ).scalar_one()
        assert moment == datetime(2026, 3, 1, 10, 30, tzinfo=UTC)

    async def test_a_pending_put_in_backoff_keeps_its_backoff(self, twins: Twins) -> None:
        await both(twins, save_locations, [loc("LOC1")])
        for twin in (twins.bulk, twins.single):
            await back_off(twin.platform, "LOC1")
        await both(twins, save_locations, [loc("LOC1", 1), loc("LOC1", 2)])
        [row] = await same_state(twins)
        assert (row[4], row[6], row[7], row[8]) == ("LOC1", 3, 2, FAR)

    async def test_one_location_not_ours_saves_nothing(self, twins: Twins) -> None:
        batch = [loc("LOC1"), loc("LOC2", country_code="DE", party_id="MSP")]
        with pytest.raises(EvroamError):
            await save_locations(twins.bulk.platform, batch)
        assert await stored(twins.bulk.platform, locations) == []
        assert await pending(twins.bulk.platform) == []

    async def test_a_large_batch_spans_several_chunks(self, twins: Twins) -> None:
        many = [loc(f"L{n}", n % 50) for n in range(2100)] + [loc("L7", 59)]
        result = await save_locations(twins.bulk.platform, many)
        assert (result.created, result.updated, result.unchanged) == (2100, 1, 0)
        rows = await pending(twins.bulk.platform)
        assert len(rows) == 2100
        assert [r[6] for r in rows if r[4] == "L7"] == [2]
        again = await save_locations(twins.bulk.platform, many[:2100])
        assert (again.created, again.updated, again.unchanged) == (0, 1, 2099)


class TestSaveTariffs:
    async def test_as_one_by_one(self, twins: Twins) -> None:
        result = await both(twins, save_tariffs, [tar("AC"), tar("DC"), tar("ac"), tar("ac")])
        assert (result.created, result.updated, result.unchanged) == (2, 1, 1)
        await same_state(twins)
        result = await both(twins, save_tariffs, [tar("ac"), tar("DC", 5, currency="CHF")])
        assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
        rows = await same_state(twins)
        assert [(r[4], r[6]) for r in rows] == [("AC", 2), ("DC", 2)]


def random_changes(rng: random.Random, count: int) -> list[Change]:
    """Changes of a few Locations at every level, whole or some fields."""
    found = []
    for _ in range(count):
        location_id = rng.choice(["L1", "L2", "l3"])
        path: tuple[str, ...] = (location_id,)
        for _level in range(rng.randrange(3)):
            path += (rng.choice(["E1", "E2"]),)
        fields = None if rng.random() < 0.3 else frozenset(rng.sample(["status", "a", "b"], 2))
        found.append(Change("locations", ObjectKey("NL", "CPO", location_id), path, fields))
    return found


class TestBulkEnqueue:
    @pytest.mark.parametrize("seed", range(6))
    async def test_many_changes_at_once_leave_the_rows_of_one_by_one(
        self, twins: Twins, seed: int
    ) -> None:
        rng = random.Random(seed)
        start = datetime(2026, 5, 1, tzinfo=UTC)
        for step in range(4):
            changes = random_changes(rng, rng.randrange(1, 25))
            now = start + timedelta(minutes=step)
            async with twins.bulk.platform.unit_of_work() as session:
                partners = await recipients(session, "locations")
                written = await enqueue(session, changes, now=now, partners=partners)
            one_by_one = 0
            for change in changes:
                async with twins.single.platform.unit_of_work() as session:
                    one_by_one += await enqueue(session, [change], now=now)
            assert written == one_by_one
            if step == 1:
                for twin in (twins.bulk, twins.single):
                    await back_off(twin.platform, "L1")
            found = await same_state(twins)
            assert found
            c = outbox.c
            async with twins.bulk.platform.sessions() as session:
                due = (await session.execute(select(c.path, c.due_at).order_by(c.id))).all()
            async with twins.single.platform.sessions() as session:
                assert due == (await session.execute(select(c.path, c.due_at).order_by(c.id))).all()
