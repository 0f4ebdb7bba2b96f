"""Unpublished Locations (publish=false) go only to partners holding a Token they name.

Locations §8.3.1: such a Location is shown only to owners of Tokens matching every set field of
one of its `publish_allowed_to` entries. The CPO knows its partners' Tokens (Tokens Receiver),
so its Sender lists and serves the Location, and its outbox pushes it, to exactly those
partners; any other partner never learns of it (CONFORMANCE E.154, and E.140: only such a
Location carries `publish_allowed_to`).
"""

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from sqlalchemy import select

from evroam.modules.locations.enums import Status
from evroam.modules.locations.model import Location
from evroam.modules.locations.publish import save_locations, set_evse_status
from evroam.modules.locations.repository import location_audiences
from evroam.partners.model import Partner
from evroam.push.worker import OutboxWorker
from evroam.settings import Settings
from evroam.storage.tables import outbox
from tests.contract.locations_support import (
    LOCATIONS_SENDER,
    Link,
    as_party,
    data,
    ids,
    location,
    store_own_location,
)
from tests.contract.tokens_support import TOKENS_RECEIVER, Roaming, roaming_of, token
from tests.examples import example
from tests.support import Running, connect, partner_named, platforms

UC4 = "location_example_uc4_limited_visibility.json"


def limited() -> dict[str, Any]:
    """The spec's uc4 example as one of our Locations: shown to three Tokens only."""
    return as_party(example(UC4), "NL", "CPO")


def staff_site(group: str = "staff-1") -> dict[str, Any]:
    return location("STAFF", publish=False, publish_allowed_to=[{"group_id": group}])


async def holds(link_: Link, uid: str, token_type: str = "RFID", **fields: Any) -> None:
    """The eMSP sends the CPO one of its Tokens (Tokens Receiver PUT)."""
    body = token(uid, token_type, **fields)
    response = await link_.put(f"{TOKENS_RECEIVER}/DE/MSP/{uid}?type={token_type}", body)
    assert response.json()["status_code"] == 1000, response.text


async def listed(link_: Link) -> list[str]:
    return ids(await link_.get(f"{LOCATIONS_SENDER}?limit=100"))


@pytest.fixture
async def roaming(make_settings: Callable[..., Settings]) -> AsyncIterator[Roaming]:
    cpo = make_settings("cpo", "CPO:NL:CPO")
    emsp = make_settings("emsp", "EMSP:DE:MSP")
    async with platforms(cpo, emsp) as (router, (a, b)):
        yield await roaming_of(router, a, b)


class TestSender:
    async def test_hidden_from_a_partner_without_a_matching_token_e154(
        self, roaming: Roaming
    ) -> None:
        await store_own_location(roaming.cpo, location("PUBLIC"))
        await store_own_location(roaming.cpo, limited())
        await holds(roaming.emsp_in, "OTHER-CARD")
        assert await listed(roaming.emsp_in) == ["PUBLIC"]
        response = await roaming.emsp_in.get(f"{LOCATIONS_SENDER}/{limited()['id']}")
        assert response.status_code == 404

    @pytest.mark.parametrize(
        ("uid", "token_type", "fields"),
        [
            ("CARD-1", "RFID", {"visual_number": "12345-67", "issuer": "NewMotion"}),
            ("12345678905880", "RFID", {}),
        ],
    )
    async def test_listed_and_served_to_the_holder_of_a_matching_token_e154_e140(
        self, roaming: Roaming, uid: str, token_type: str, fields: dict[str, Any]
    ) -> None:
        site = limited()
        await store_own_location(roaming.cpo, location("PUBLIC"))
        await store_own_location(roaming.cpo, site)
        assert await listed(roaming.emsp_in) == ["PUBLIC"]
        await holds(roaming.emsp_in, uid, token_type, **fields)

        assert sorted(await listed(roaming.emsp_in)) == sorted(["PUBLIC", site["id"]])
        one = data(await roaming.emsp_in.get(f"{LOCATIONS_SENDER}/{site['id']}"))
        assert one["publish"] is False
        assert one["publish_allowed_to"] == site["publish_allowed_to"]
        evse = site["evses"][0]
        path = f"{LOCATIONS_SENDER}/{site['id']}/{evse['uid']}"
        assert data(await roaming.emsp_in.get(path))["uid"] == evse["uid"]

    @pytest.mark.parametrize(
        ("uid", "token_type", "fields"),
        [
            ("CARD-1", "RFID", {"visual_number": "12345-67", "issuer": "Another"}),
            ("CARD-1", "RFID", {"visual_number": "12345-68", "issuer": "NewMotion"}),
            ("12345678905880", "APP_USER", {}),
        ],
    )
    async def test_every_set_field_must_match_e154(
        self, roaming: Roaming, uid: str, token_type: str, fields: dict[str, Any]
    ) -> None:
        await store_own_location(roaming.cpo, limited())
        await holds(roaming.emsp_in, uid, token_type, **fields)
        assert await listed(roaming.emsp_in) == []

    async def test_group_id_matches_case_insensitively_e154(self, roaming: Roaming) -> None:
        await store_own_location(roaming.cpo, staff_site("staff-1"))
        await holds(roaming.emsp_in, "CARD-1", group_id="STAFF-1")
        assert await listed(roaming.emsp_in) == ["STAFF"]

    async def test_unpublished_without_allowed_tokens_is_shown_to_no_one_e154(
        self, roaming: Roaming
    ) -> None:
        hidden = location("HIDDEN", publish=False)
        await store_own_location(roaming.cpo, hidden)
        await holds(roaming.emsp_in, "CARD-1", group_id="STAFF-1")
        assert await listed(roaming.emsp_in) == []

    async def test_a_change_of_the_allowed_tokens_shows_at_once_e154(
        self, roaming: Roaming
    ) -> None:
        await holds(roaming.emsp_in, "CARD-1", group_id="STAFF-1")
        await store_own_location(roaming.cpo, staff_site("STAFF-2"))
        assert await listed(roaming.emsp_in) == []
        await store_own_location(roaming.cpo, staff_site("STAFF-1"))
        assert await listed(roaming.emsp_in) == ["STAFF"]


@pytest.fixture
async def two_emsps(
    make_settings: Callable[..., Settings],
) -> AsyncIterator[tuple[Roaming, Running]]:
    cpo = make_settings("cpo", "CPO:NL:CPO")
    emsp = make_settings("emsp", "EMSP:DE:MSP")
    other = make_settings("other", "EMSP:BE:OTH")
    async with platforms(cpo, emsp, other) as (router, (a, b, c)):
        await connect(c, a)
        yield await roaming_of(router, a, b), c


async def outbox_partners(cpo: Running) -> list[tuple[int, str]]:
    async with cpo.platform.sessions() as session:
        found = await session.execute(select(outbox.c.partner_id, outbox.c.object_id))
        return sorted((row[0], row[1]) for row in found)


async def partner_id(cpo: Running, name: str) -> int:
    found: Partner = await partner_named(cpo.platform, name)
    assert found.id is not None
    return found.id


class TestPush:
    async def test_pushed_only_to_the_partner_holding_a_matching_token_e154(
        self, two_emsps: tuple[Roaming, Running]
    ) -> None:
        roaming, _ = two_emsps
        cpo = roaming.cpo
        await holds(roaming.emsp_in, "CARD-1", group_id="STAFF-1")
        emsp, other = await partner_id(cpo, "emsp"), await partner_id(cpo, "other")
        site = Location.model_validate(staff_site("STAFF-1"))
        public = Location.model_validate(location("PUBLIC"))

        await save_locations(cpo.platform, [site, public])
        assert await outbox_partners(cpo) == sorted(
            [(emsp, "PUBLIC"), (emsp, "STAFF"), (other, "PUBLIC")]
        )

        worker = cpo.app.state.outbox
        assert isinstance(worker, OutboxWorker)
        await worker.drain()
        evse = site.evses[0].uid if site.evses else ""
        await set_evse_status(cpo.platform, "STAFF", evse, Status.CHARGING)
        assert await outbox_partners(cpo) == [(emsp, "STAFF")]
        await worker.drain()

        stored = await roaming.cpo_in.get(f"/ocpi/2.2.1/receiver/locations/NL/CPO/STAFF/{evse}")
        assert data(stored)["status"] == "CHARGING"


class TestAudiences:
    async def test_saving_keeps_the_audience_table_equal_to_our_locations(
        self, roaming: Roaming
    ) -> None:
        cpo = roaming.cpo.platform

        async def entries() -> list[tuple[str, Any]]:
            a = location_audiences.c
            async with cpo.sessions() as session:
                found = await session.execute(select(a.object_id, a.audience))
                return [(row[0], row[1]) for row in found]

        await save_locations(cpo, [Location.model_validate(staff_site("G1"))])
        assert await entries() == [("STAFF", [{"group_id": "G1"}])]
        await save_locations(cpo, [Location.model_validate(staff_site("G2"))])
        assert await entries() == [("STAFF", [{"group_id": "G2"}])]
        public = staff_site() | {"publish": True}
        del public["publish_allowed_to"]
        await save_locations(cpo, [Location.model_validate(public)])
        assert await entries() == []


class TestTokenAfterLocation:
    async def test_a_token_arriving_later_brings_the_location_to_its_partner_e154(
        self, roaming: Roaming
    ) -> None:
        cpo = roaming.cpo
        await save_locations(cpo.platform, [Location.model_validate(staff_site("STAFF-1"))])
        assert await outbox_partners(cpo) == []

        await holds(roaming.emsp_in, "OTHER", group_id="VISITORS")
        assert await outbox_partners(cpo) == []
        await holds(roaming.emsp_in, "CARD-1", group_id="staff-1")
        emsp = await partner_id(cpo, "emsp")
        assert await outbox_partners(cpo) == [(emsp, "STAFF")]

        worker = cpo.app.state.outbox
        assert isinstance(worker, OutboxWorker)
        await worker.drain()
        stored = await roaming.cpo_in.get("/ocpi/2.2.1/receiver/locations/NL/CPO/STAFF")
        assert data(stored)["publish_allowed_to"] == [{"group_id": "STAFF-1"}]
