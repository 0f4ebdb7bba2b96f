"""Locations over HTTP, both interfaces (CONFORMANCE E; A.32–A.40, A.46–A.49, A.52; B).

Receiver: the CPO (NL*CPO) pushes to the eMSP (DE*MSP) at
`/ocpi/2.2.1/receiver/locations/{cc}/{pid}/{location_id}[/{evse_uid}[/{connector_id}]]`.
Sender: the eMSP pulls our own published Locations from the CPO at
`/ocpi/2.2.1/sender/locations[/{location_id}[/{evse_uid}[/{connector_id}]]]`.
"""

import asyncio
import re
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from evroam.errors import EvroamError
from evroam.modules.locations.repository import LocationRepository
from evroam.partners.client import next_link
from evroam.settings import Settings
from evroam.storage.documents import ObjectKey
from tests.contract.conftest import Pair
from tests.contract.locations_support import (
    LATER,
    LOCATIONS_RECEIVER,
    LOCATIONS_SENDER,
    STAMP,
    Link,
    as_party,
    at,
    connector,
    cpo_and_emsp_platform,
    data,
    emsp_at_cpo,
    evse,
    held,
    ids,
    link,
    location,
    routing,
    status,
    store_own_location,
    two_cpos_at_one_emsp,
    unauthenticated,
)
from tests.examples import example
from tests.support import auth, platforms
from tests.unit.locations.official import FULL_LOCATIONS

LOC = f"{LOCATIONS_RECEIVER}/NL/CPO/LOC1"
EVSE1 = f"{LOC}/EVSE1"
CONN1 = f"{EVSE1}/1"


@pytest.fixture
async def cpo_in(pair: Pair) -> Link:
    """The CPO's way into the eMSP's Receiver (registered connection, the CPO's token)."""
    _, cpo, emsp = pair
    return await link(cpo, emsp)


@pytest.fixture
async def pushed(cpo_in: Link) -> Link:
    """The eMSP holds LOC1 (EVSE1 with connector 1) as the CPO pushed it at STAMP."""
    assert (await cpo_in.put(LOC, location())).status_code == 201
    return cpo_in


async def stored(link_: Link, path: str = LOC) -> Any:
    return await held(link_, path)


# ── Receiver (eMSP side) ───────────────────────────────────────────────────────────────────


class TestGetReceivedLocation:
    async def test_401_when_no_or_unknown_token(self, pushed: Link) -> None:
        """A.1, A.2."""
        for path in (LOC, EVSE1, CONN1):
            assert await unauthenticated(pushed, "GET", path) == [401, 401]

    async def test_routing_headers_name_both_parties_when_answered(self, pushed: Link) -> None:
        """A.29: from the answering eMSP DE*MSP to the requesting CPO NL*CPO."""
        assert routing(await pushed.get(LOC)) == ["DE", "MSP", "NL", "CPO"]

    async def test_returns_each_level_as_stored_when_known(self, pushed: Link) -> None:
        """E.137: Location, EVSE and Connector, each on its own."""
        assert await stored(pushed, LOC) == location()
        assert await stored(pushed, EVSE1) == evse()
        assert await stored(pushed, CONN1) == connector()

    async def test_found_when_ids_differ_in_case(self, pushed: Link) -> None:
        """A.46: CiString ids are compared case-insensitively, country and party included."""
        assert await stored(pushed, f"{LOCATIONS_RECEIVER}/nl/cpo/loc1") == location()
        assert await stored(pushed, f"{LOCATIONS_RECEIVER}/Nl/cPo/Loc1/evse1/1") == connector()

    @pytest.mark.parametrize("path", [f"{LOC}X", f"{LOC}/EVSE9", f"{EVSE1}/9"])
    async def test_404_when_object_unknown(self, pushed: Link, path: str) -> None:
        """A.37: unknown Location, EVSE or Connector."""
        response = await pushed.get(path)
        assert response.status_code == 404
        assert 2000 <= status(response) < 3000

    async def test_404_when_party_not_of_this_connection(self, pushed: Link) -> None:
        """A.35: the CPO connection carries NL*CPO only."""
        response = await pushed.get(f"{LOCATIONS_RECEIVER}/BE/BEC/LOC1")
        assert response.status_code == 404


class TestPutLocation:
    async def test_401_when_no_or_unknown_token(self, cpo_in: Link) -> None:
        """A.1, A.2; nothing is stored."""
        assert await unauthenticated(cpo_in, "PUT", LOC, location()) == [401, 401]
        assert await stored(cpo_in) is None

    async def test_201_and_get_returns_equal_when_new(self, cpo_in: Link) -> None:
        """E.123, A.36; A.20: the answer carries no data."""
        response = await cpo_in.put(LOC, location())
        assert (response.status_code, status(response)) == (201, 1000)
        assert "data" not in response.json()
        assert await stored(cpo_in) == location()

    async def test_200_and_replaced_completely_when_existing(self, pushed: Link) -> None:
        """E.124, A.36, A.40: optional fields and EVSEs left out are gone afterwards."""
        replacement = location(last_updated=LATER, evses=[evse("EVSE2", LATER)])
        del replacement["name"], replacement["postal_code"]
        response = await pushed.put(LOC, replacement)
        assert (response.status_code, status(response)) == (200, 1000)
        assert await stored(pushed) == replacement
        assert (await pushed.get(EVSE1)).status_code == 404

    @pytest.mark.parametrize("name", FULL_LOCATIONS)
    async def test_get_returns_equal_when_official_example_put(
        self, cpo_in: Link, name: str
    ) -> None:
        """E.123: every official full Location, re-owned by NL*CPO."""
        body = as_party(example(name), "NL", "CPO")
        path = f"{LOCATIONS_RECEIVER}/NL/CPO/{body['id']}"
        assert status(await cpo_in.put(path, body)) == 1000
        assert await stored(cpo_in, path) == body

    async def test_unknown_field_ignored_when_present(self, cpo_in: Link) -> None:
        """Unknown fields are tolerated and not stored (the spec adds fields in minor versions)."""
        response = await cpo_in.put(LOC, {**location(), "x_vendor_field": {"a": 1}})
        assert status(response) == 1000
        assert await stored(cpo_in) == location()

    async def test_accepted_when_na_in_required_strings(self, cpo_in: Link) -> None:
        """A.52: `#NA` in required string fields."""
        body = location(address="#NA", city="#NA")
        assert status(await cpo_in.put(LOC, body)) == 1000
        assert await stored(cpo_in) == body

    async def test_accepted_when_address_255_and_state_45(self, cpo_in: Link) -> None:
        """E.146: the erratum lengths (d2 said 45 and 20)."""
        body = location(address="a" * 255, state="s" * 45)
        assert status(await cpo_in.put(LOC, body)) == 1000
        assert await stored(cpo_in) == body

    async def test_charging_when_closed_defaults_to_true_when_absent(
        self, cpo_in: Link, pair: Pair
    ) -> None:
        """E.153: absent means true; an explicit false is kept."""
        _, _, emsp = pair
        await cpo_in.put(LOC, location())
        await cpo_in.put(f"{LOC}2", location("LOC12", charging_when_closed=False))
        async with emsp.platform.sessions() as session:
            repo = LocationRepository(session)
            absent = await repo.get(ObjectKey("NL", "CPO", "LOC1"))
            explicit = await repo.get(ObjectKey("NL", "CPO", "LOC12"))
        assert absent is not None
        assert absent.charges_when_closed() is True
        assert explicit is not None
        assert explicit.charges_when_closed() is False

    @pytest.mark.parametrize(
        ("case", "body"),
        [
            ("A.32 id differs", location("LOC2")),
            ("A.33 country_code differs", location(country_code="BE")),
            ("A.34 party_id differs", location(party_id="CPX")),
            ("E.138 publish missing", {k: v for k, v in location().items() if k != "publish"}),
            ("E.139 time_zone missing", {k: v for k, v in location().items() if k != "time_zone"}),
            ("E.142 empty PublishTokenType", location(publish=False, publish_allowed_to=[{}])),
            ("E.142 type only", location(publish=False, publish_allowed_to=[{"type": "RFID"}])),
            ("A.47 enum case", location(evses=[evse(status="available")])),
            ("A.49 address 256", location(address="a" * 256)),
            ("A.49 state 46", location(state="s" * 46)),
            ("latitude as number", location(coordinates={"latitude": 52.1, "longitude": 5.1})),
            ("offset DateTime (A.44)", location(last_updated="2026-03-01T10:00:00+02:00")),
            ("EVSE without connectors (E.150)", location(evses=[evse(connectors=[])])),
            ("publish_allowed_to with publish", location(publish_allowed_to=[{"group_id": "G"}])),
            ("EVSE uid twice (Locations 8.3.2)", location(evses=[evse("E1"), evse("e1")])),
            (
                "connector id twice in one EVSE (8.3.3)",
                location(evses=[evse(connectors=[connector("1"), connector("1")])]),
            ),
        ],
    )
    async def test_2001_and_nothing_stored_when_invalid(
        self, cpo_in: Link, case: str, body: dict[str, Any]
    ) -> None:
        response = await cpo_in.put(LOC, body)
        assert (response.status_code, status(response)) == (200, 2001), case
        assert await stored(cpo_in) is None

    async def test_2001_and_unchanged_when_invalid_replacement(self, pushed: Link) -> None:
        """A rejected PUT leaves the stored Location as it was."""
        response = await pushed.put(LOC, location(last_updated=LATER, party_id="CPX"))
        assert status(response) == 2001
        assert await stored(pushed) == location()

    async def test_400_when_body_not_json(self, cpo_in: Link) -> None:
        """A.11."""
        response = await cpo_in.server.client.put(
            LOC,
            content=b"{not json",
            headers={**auth(cpo_in.token), "Content-Type": "application/json"},
        )
        assert response.status_code == 400
        assert await stored(cpo_in) is None

    async def test_refused_and_nothing_stored_when_party_not_of_this_connection(
        self, cpo_in: Link
    ) -> None:
        """A.35: the CPO may not write BE*BEC's Locations, even with a consistent body."""
        path = f"{LOCATIONS_RECEIVER}/BE/BEC/LOC1"
        response = await cpo_in.put(path, location(country_code="BE", party_id="BEC"))
        assert response.status_code == 404
        assert status(response) != 1000
        assert (await cpo_in.get(path)).status_code == 404


class TestPutEvse:
    async def test_401_when_no_or_unknown_token(self, pushed: Link) -> None:
        """A.1, A.2."""
        body = evse("EVSE2", LATER)
        assert await unauthenticated(pushed, "PUT", f"{LOC}/EVSE2", body) == [401, 401]
        assert (await pushed.get(f"{LOC}/EVSE2")).status_code == 404

    async def test_201_added_and_location_last_updated_when_new(self, pushed: Link) -> None:
        """E.125: a new EVSE is added; the Location takes the EVSE's last_updated."""
        response = await pushed.put(f"{LOC}/EVSE2", evse("EVSE2", LATER))
        assert (response.status_code, status(response)) == (201, 1000)
        held = await stored(pushed)
        assert [e["uid"] for e in held["evses"]] == ["EVSE1", "EVSE2"]
        assert held["last_updated"] == LATER
        assert await stored(pushed, f"{LOC}/EVSE2") == evse("EVSE2", LATER)

    async def test_200_replaced_when_existing(self, pushed: Link) -> None:
        """E.125, A.40: the EVSE is replaced whole (physical_reference left out is gone)."""
        body = evse(last_updated=LATER, status="BLOCKED")
        del body["physical_reference"]
        response = await pushed.put(EVSE1, body)
        assert (response.status_code, status(response)) == (200, 1000)
        assert await stored(pushed, EVSE1) == body
        assert (await stored(pushed))["last_updated"] == LATER

    async def test_found_when_url_case_differs(self, pushed: Link) -> None:
        """A.46: replacing via lower-case ids keeps one EVSE."""
        response = await pushed.put(
            f"{LOCATIONS_RECEIVER}/nl/cpo/loc1/evse1", evse(last_updated=LATER)
        )
        assert (response.status_code, status(response)) == (200, 1000)
        assert len((await stored(pushed))["evses"]) == 1

    async def test_2001_and_unchanged_when_uid_differs(self, pushed: Link) -> None:
        """E.133."""
        response = await pushed.put(f"{LOC}/EVSE2", evse("EVSE3", LATER))
        assert status(response) == 2001
        assert await stored(pushed) == location()

    async def test_2003_and_nothing_created_when_location_unknown(self, cpo_in: Link) -> None:
        """E.135."""
        response = await cpo_in.put(f"{LOC}/EVSE1", evse())
        assert status(response) == 2003
        assert await stored(cpo_in) is None

    async def test_2001_and_unchanged_when_official_add_evse_example(self, pushed: Link) -> None:
        """`location_put_example_add_evse.json` lacks the Connector's required power_type,
        max_voltage and max_amperage (DIGEST §5.6): a malformed body, refused with 2001."""
        response = await pushed.put(f"{LOC}/3256", example("location_put_example_add_evse.json"))
        assert status(response) == 2001
        assert await stored(pushed) == location()

    async def test_refused_when_party_not_of_this_connection(self, pushed: Link) -> None:
        """A.35."""
        response = await pushed.put(f"{LOCATIONS_RECEIVER}/BE/BEC/LOC1/EVSE1", evse())
        assert response.status_code == 404


class TestPutConnector:
    async def test_401_when_no_or_unknown_token(self, pushed: Link) -> None:
        """A.1, A.2."""
        body = connector("2", LATER)
        assert await unauthenticated(pushed, "PUT", f"{EVSE1}/2", body) == [401, 401]
        assert await stored(pushed) == location()

    async def test_201_added_and_parents_last_updated_when_new(self, pushed: Link) -> None:
        """E.126: the EVSE and the Location take the Connector's last_updated."""
        response = await pushed.put(f"{EVSE1}/2", connector("2", LATER))
        assert (response.status_code, status(response)) == (201, 1000)
        held = await stored(pushed)
        assert held["last_updated"] == LATER
        assert held["evses"][0]["last_updated"] == LATER
        assert held["evses"][0]["connectors"] == [connector(), connector("2", LATER)]

    async def test_200_replaced_when_existing(self, pushed: Link) -> None:
        """A.36, A.40: tariff_ids left out of the new Connector are gone."""
        body = connector(last_updated=LATER, max_amperage=32)
        del body["tariff_ids"]
        response = await pushed.put(CONN1, body)
        assert (response.status_code, status(response)) == (200, 1000)
        assert await stored(pushed, CONN1) == body

    async def test_2001_and_unchanged_when_id_differs(self, pushed: Link) -> None:
        """E.134."""
        response = await pushed.put(f"{EVSE1}/2", connector("3", LATER))
        assert status(response) == 2001
        assert await stored(pushed) == location()

    async def test_2003_when_location_unknown(self, cpo_in: Link) -> None:
        """E.135."""
        response = await cpo_in.put(CONN1, connector())
        assert status(response) == 2003
        assert await stored(cpo_in) is None

    async def test_2001_and_unchanged_when_evse_unknown(self, pushed: Link) -> None:
        """DIGEST §5.3 [recommendation]: an unknown parent other than the Location is 2001."""
        response = await pushed.put(f"{LOC}/EVSE9/1", connector(last_updated=LATER))
        assert status(response) == 2001
        assert await stored(pushed) == location()

    async def test_2001_when_required_field_missing(self, pushed: Link) -> None:
        """DIGEST §5.6: max_voltage is required."""
        body = {k: v for k, v in connector(last_updated=LATER).items() if k != "max_voltage"}
        assert status(await pushed.put(CONN1, body)) == 2001
        assert await stored(pushed) == location()


class TestPatchLocation:
    async def test_401_when_no_or_unknown_token(self, pushed: Link) -> None:
        """A.1, A.2."""
        body = {"name": "Other", "last_updated": LATER}
        assert await unauthenticated(pushed, "PATCH", LOC, body) == [401, 401]
        assert await stored(pushed) == location()

    async def test_only_name_changes_when_official_patch_example(self, pushed: Link) -> None:
        """E.129, A.39: `location_patch_example_location.json`."""
        patch = example("location_patch_example_location.json")
        response = await pushed.patch(LOC, patch)
        assert (response.status_code, status(response)) == (200, 1000)
        assert await stored(pushed) == {**location(), **patch}

    async def test_lists_replaced_whole_when_patched(self, pushed: Link) -> None:
        """DIGEST §5.3 [interpretation]: a list in a PATCH replaces the stored list."""
        patch = {"facilities": ["CAFE"], "last_updated": LATER}
        await pushed.patch(LOC, {"facilities": ["HOTEL", "WIFI"], "last_updated": STAMP})
        assert status(await pushed.patch(LOC, patch)) == 1000
        assert (await stored(pushed))["facilities"] == ["CAFE"]

    async def test_unknown_field_ignored_when_patched(self, pushed: Link) -> None:
        patch = {"name": "Renamed", "x_vendor": 1, "last_updated": LATER}
        assert status(await pushed.patch(LOC, patch)) == 1000
        assert await stored(pushed) == {**location(), "name": "Renamed", "last_updated": LATER}

    async def test_nothing_removed_when_optional_fields_null(self, pushed: Link) -> None:
        """DIGEST §1.7: a PATCH cannot remove data (use PUT). [interpretation] `?` fields "may
        be omitted or null" alike, so null changes nothing; EVSEs are never deleted (§5.1)."""
        patch = {"name": None, "evses": None, "postal_code": None, "last_updated": LATER}
        assert status(await pushed.patch(LOC, patch)) == 1000
        assert await stored(pushed) == {**location(), "last_updated": LATER}

    async def test_2001_and_unchanged_when_body_not_an_object(self, pushed: Link) -> None:
        for body in ([{"name": "Other"}], "name"):
            assert status(await pushed.patch(LOC, body)) == 2001
        assert await stored(pushed) == location()

    async def test_2001_and_unchanged_when_last_updated_missing(self, pushed: Link) -> None:
        """A.38."""
        response = await pushed.patch(LOC, {"name": "Other"})
        assert status(response) == 2001
        assert await stored(pushed) == location()

    @pytest.mark.parametrize(
        "patch",
        [
            {"parking_type": "on_street"},
            {"address": "a" * 256},
            {"publish": None},
            {"coordinates": {"latitude": "52.1", "longitude": "5.1"}},
            {"publish_allowed_to": [{"group_id": "G1"}]},
            {"id": "LOC2"},
            {"country_code": "BE"},
            {"evses": [evse("E1"), evse("E1")]},
        ],
    )
    async def test_2001_and_unchanged_when_invalid(
        self, pushed: Link, patch: dict[str, Any]
    ) -> None:
        """A.47, A.49, required fields stay set, coordinates need 5 decimals, publish_allowed_to
        only with publish=false, ids and owner cannot be changed by a PATCH (A.32–A.34)."""
        response = await pushed.patch(LOC, {**patch, "last_updated": LATER})
        assert status(response) == 2001
        assert await stored(pushed) == location()

    async def test_404_and_nothing_created_when_location_unknown(self, cpo_in: Link) -> None:
        """E.136."""
        response = await cpo_in.patch(LOC, {"name": "Other", "last_updated": LATER})
        assert response.status_code == 404
        assert 2000 <= status(response) < 3000
        assert await stored(cpo_in) is None

    async def test_refused_when_party_not_of_this_connection(self, pushed: Link) -> None:
        """A.35."""
        path = f"{LOCATIONS_RECEIVER}/BE/BEC/LOC1"
        response = await pushed.patch(path, {"name": "Other", "last_updated": LATER})
        assert response.status_code == 404


class TestPatchEvse:
    async def test_401_when_no_or_unknown_token(self, pushed: Link) -> None:
        """A.1, A.2."""
        body = {"status": "CHARGING", "last_updated": LATER}
        assert await unauthenticated(pushed, "PATCH", EVSE1, body) == [401, 401]
        assert await stored(pushed) == location()

    async def test_status_and_last_updated_change_when_official_status_patch(
        self, pushed: Link
    ) -> None:
        """E.127, A.39: only status and last_updated; the Location takes the new last_updated."""
        patch = example("location_patch_example_status.json")
        response = await pushed.patch(EVSE1, patch)
        assert (response.status_code, status(response)) == (200, 1000)
        assert await stored(pushed, EVSE1) == {**evse(), **patch}
        assert await stored(pushed) == {
            **location(),
            "evses": [{**evse(), **patch}],
            "last_updated": patch["last_updated"],
        }

    async def test_evse_kept_as_removed_when_official_remove_patch(self, pushed: Link) -> None:
        """E.131: `location_patch_example_remove_evse.json`; nothing is deleted."""
        patch = example("location_patch_example_remove_evse.json")
        assert status(await pushed.patch(EVSE1, patch)) == 1000
        assert await stored(pushed, EVSE1) == {**evse(), **patch}

    async def test_2001_and_unchanged_when_last_updated_missing(self, pushed: Link) -> None:
        """A.38."""
        assert status(await pushed.patch(EVSE1, {"status": "CHARGING"})) == 2001
        assert await stored(pushed) == location()

    @pytest.mark.parametrize(
        "patch",
        [
            {"status": "charging"},
            {"connectors": []},
            {"connectors": [connector("2"), connector("2")]},
            {"uid": "EVSE2"},
            {"floor_level": "12345"},
        ],
    )
    async def test_2001_and_unchanged_when_invalid(
        self, pushed: Link, patch: dict[str, Any]
    ) -> None:
        """A.47, E.150 (connectors is `+`), E.133 (uid), A.49."""
        assert status(await pushed.patch(EVSE1, {**patch, "last_updated": LATER})) == 2001
        assert await stored(pushed) == location()

    async def test_404_and_nothing_created_when_evse_unknown(self, pushed: Link) -> None:
        """E.136."""
        response = await pushed.patch(f"{LOC}/EVSE9", {"status": "CHARGING", "last_updated": LATER})
        assert response.status_code == 404
        assert 2000 <= status(response) < 3000
        assert await stored(pushed) == location()

    async def test_404_when_location_unknown(self, cpo_in: Link) -> None:
        """E.136."""
        response = await cpo_in.patch(EVSE1, {"status": "CHARGING", "last_updated": LATER})
        assert response.status_code == 404
        assert await stored(cpo_in) is None

    async def test_every_change_kept_when_patches_of_several_evses_overlap(
        self, cpo_in: Link
    ) -> None:
        """A.39, E.127: status bursts arrive concurrently; each PATCH answered 1000 must stick."""
        await cpo_in.put(LOC, location(evses=[evse(f"E{n}") for n in range(6)]))
        patch = {"status": "CHARGING", "last_updated": LATER}
        answers = await asyncio.gather(*(cpo_in.patch(f"{LOC}/E{n}", patch) for n in range(6)))
        assert [status(answer) for answer in answers] == [1000] * 6
        assert [e["status"] for e in (await stored(cpo_in))["evses"]] == ["CHARGING"] * 6


class TestPatchConnector:
    async def test_401_when_no_or_unknown_token(self, pushed: Link) -> None:
        """A.1, A.2."""
        body = {"tariff_ids": ["T2"], "last_updated": LATER}
        assert await unauthenticated(pushed, "PATCH", CONN1, body) == [401, 401]
        assert await stored(pushed) == location()

    async def test_tariff_ids_replaced_and_parents_updated_when_official_tariff_patch(
        self, pushed: Link
    ) -> None:
        """E.130, E.128: the list is replaced; EVSE and Location take the new last_updated."""
        patch = example("location_patch_example_tariff.json")
        assert status(await pushed.patch(CONN1, patch)) == 1000
        moment = patch["last_updated"]
        assert await stored(pushed) == {
            **location(),
            "evses": [{**evse(), "connectors": [{**connector(), **patch}], "last_updated": moment}],
            "last_updated": moment,
        }

    async def test_2001_and_unchanged_when_last_updated_missing(self, pushed: Link) -> None:
        """A.38."""
        assert status(await pushed.patch(CONN1, {"tariff_ids": ["T2"]})) == 2001
        assert await stored(pushed) == location()

    @pytest.mark.parametrize(
        "patch", [{"max_voltage": "high"}, {"power_type": "ac_3_phase"}, {"id": "2"}]
    )
    async def test_2001_and_unchanged_when_invalid(
        self, pushed: Link, patch: dict[str, Any]
    ) -> None:
        """A.47, types, E.134 (id)."""
        assert status(await pushed.patch(CONN1, {**patch, "last_updated": LATER})) == 2001
        assert await stored(pushed) == location()

    async def test_404_and_nothing_created_when_connector_unknown(self, pushed: Link) -> None:
        """E.136."""
        response = await pushed.patch(f"{EVSE1}/9", {"tariff_ids": ["T2"], "last_updated": LATER})
        assert response.status_code == 404
        assert await stored(pushed) == location()


class TestOtherReceiverMethods:
    @pytest.mark.parametrize("method", ["DELETE", "POST"])
    @pytest.mark.parametrize("path", [LOC, EVSE1, CONN1])
    async def test_405_and_unchanged_when_not_in_interface(
        self, pushed: Link, method: str, path: str
    ) -> None:
        """E.132."""
        response = await pushed.call(method, path, location() if method == "POST" else None)
        assert response.status_code == 405
        assert await stored(pushed) == location()


class TestReceiverOwnership:
    """A partner writes only the parties its credentials carry (A.35), never another's data."""

    @pytest.fixture
    async def trio(
        self, make_settings: Callable[..., Settings]
    ) -> AsyncIterator[tuple[Link, Link]]:
        """Two CPOs (NL*CPO and FR*OTH) registered at one eMSP; FR*OTH has pushed LOC1."""
        async with two_cpos_at_one_emsp(make_settings) as (ours, theirs):
            body = location(country_code="FR", party_id="OTH")
            assert status(await theirs.put(f"{LOCATIONS_RECEIVER}/FR/OTH/LOC1", body)) == 1000
            yield ours, theirs

    async def test_refused_and_unchanged_when_writing_another_partners_location(
        self, trio: tuple[Link, Link]
    ) -> None:
        ours, theirs = trio
        path = f"{LOCATIONS_RECEIVER}/FR/OTH/LOC1"
        takeover = location(last_updated=LATER, country_code="FR", party_id="OTH", name="Hijacked")
        patch = {"name": "Hijacked", "last_updated": LATER}
        for response in (
            await ours.put(path, takeover),
            await ours.put(f"{path}/EVSE1", evse(last_updated=LATER, status="BLOCKED")),
            await ours.patch(path, patch),
            await ours.patch(f"{path}/EVSE1", {"status": "BLOCKED", "last_updated": LATER}),
            await ours.get(path),
        ):
            assert response.status_code == 404
        assert await stored(theirs, path) == location(country_code="FR", party_id="OTH")

    async def test_own_location_unaffected_when_other_party_uses_same_id(
        self, trio: tuple[Link, Link]
    ) -> None:
        """Objects are keyed by owner and id: NL*CPO's LOC1 is not FR*OTH's LOC1."""
        ours, theirs = trio
        assert status(await ours.put(LOC, location())) == 1000
        assert await stored(ours) == location()
        assert await stored(theirs, f"{LOCATIONS_RECEIVER}/FR/OTH/LOC1") == location(
            country_code="FR", party_id="OTH"
        )


# ── Sender (CPO side) ──────────────────────────────────────────────────────────────────────

T0 = datetime(2026, 3, 1, 10, tzinfo=UTC)


PUBLISHED_EXAMPLES = (
    "location_example.json",
    "location_example_parking_garage_opening_hours.json",
    "location_example_uc2_destination_charger.json",
)
LATITUDE = re.compile(r"-?[0-9]{1,2}\.[0-9]{5,7}")
LONGITUDE = re.compile(r"-?[0-9]{1,3}\.[0-9]{5,7}")
REQUIRED = {
    "country_code",
    "party_id",
    "id",
    "publish",
    "address",
    "city",
    "country",
    "coordinates",
    "time_zone",
    "last_updated",
}


@pytest.fixture
async def sender(make_settings: Callable[..., Settings]) -> AsyncIterator[Link]:
    """The eMSP's way into the CPO's Sender; the CPO serves pages of at most 3 objects."""
    async with emsp_at_cpo(make_settings) as link_:
        yield link_


async def own(link_: Link, *documents: dict[str, Any]) -> None:
    for document in documents:
        await store_own_location(link_.server, document)


async def all_pages(link_: Link, query: str = "") -> list[dict[str, Any]]:
    """Every object of a Sender list, following Link rel="next" (B.68)."""
    response = await link_.get(f"{LOCATIONS_SENDER}{query}")
    found = list(data(response))
    while (following := next_link(response.headers)) is not None:
        response = await link_.get(following)
        found += data(response)
    return found


class TestGetLocations:
    async def test_401_when_no_or_unknown_token(self, sender: Link) -> None:
        """A.1, A.2."""
        assert await unauthenticated(sender, "GET", LOCATIONS_SENDER) == [401, 401]

    async def test_first_page_and_headers_when_more_than_a_page(self, sender: Link) -> None:
        """E.114, B.55, B.56, B.65: oldest first, offset 0, total and cap, a next link."""
        await own(sender, *(location(f"L{n}", at(n)) for n in range(5)))
        response = await sender.get(LOCATIONS_SENDER)
        assert ids(response) == ["L0", "L1", "L2"]
        assert response.headers["X-Total-Count"] == "5"
        assert response.headers["X-Limit"] == "3"
        assert (
            next_link(response.headers) == f"{sender.server.url(LOCATIONS_SENDER)}?offset=3&limit=3"
        )
        assert data(response)[0] == location("L0", at(0))

    async def test_no_link_and_cap_kept_when_last_page(self, sender: Link) -> None:
        """B.58, B.60."""
        await own(sender, *(location(f"L{n}", at(n)) for n in range(5)))
        response = await sender.get(f"{LOCATIONS_SENDER}?offset=3")
        assert ids(response) == ["L3", "L4"]
        assert next_link(response.headers) is None
        assert response.headers["X-Limit"] == "3"

    async def test_from_inclusive_to_exclusive_when_date_window(self, sender: Link) -> None:
        """B.61, B.63, B.64: last_updated at date_from is in, at date_to is out."""
        await own(sender, *(location(f"L{n}", at(n)) for n in range(5)))
        response = await sender.get(f"{LOCATIONS_SENDER}?date_from={at(1)}&date_to={at(3)}")
        assert ids(response) == ["L1", "L2"]
        assert response.headers["X-Total-Count"] == "2"

    async def test_2001_when_paging_parameters_invalid(self, sender: Link) -> None:
        """B.72."""
        for query in ("?offset=-1", "?limit=0", "?date_from=2026-03-01T10:00:00+01:00"):
            response = await sender.get(f"{LOCATIONS_SENDER}{query}")
            assert (response.status_code, status(response)) == (200, 2001), query

    async def test_unpublished_neither_listed_nor_served_when_publish_false(
        self, sender: Link
    ) -> None:
        """E.154: a publish=false Location is not listed to a caller holding no Token it names
        (test_location_visibility.py has the callers that do), so nothing emitted here carries
        publish_allowed_to (E.140). uc4 is publish=false with a list."""
        hidden = as_party(example("location_example_uc4_limited_visibility.json"), "NL", "CPO")
        await own(sender, location(), hidden)
        found = await all_pages(sender)
        assert [item["id"] for item in found] == ["LOC1"]
        assert not [item for item in found if "publish_allowed_to" in item]
        response = await sender.get(f"{LOCATIONS_SENDER}/{hidden['id']}")
        assert response.status_code == 404

    @pytest.mark.parametrize("name", PUBLISHED_EXAMPLES)
    async def test_emitted_as_the_spec_requires_when_official_example(
        self, sender: Link, name: str
    ) -> None:
        """E.115 required fields, E.120 last_updated order, E.143 coordinates as strings,
        E.147 Hours, E.150 at least one connector, E.151 2.2.1 connector field names."""
        document = as_party(example(name), "NL", "CPO")
        await own(sender, document)
        [emitted] = await all_pages(sender)
        assert emitted == document
        assert emitted.keys() >= REQUIRED
        coordinates = emitted["coordinates"]
        assert LATITUDE.fullmatch(coordinates["latitude"])
        assert LONGITUDE.fullmatch(coordinates["longitude"])
        hours = emitted.get("opening_times")
        if hours is not None:
            assert "twentyfourseven" in hours
            assert hours["twentyfourseven"] or hours["regular_hours"]
        for item in emitted.get("evses", []):
            assert emitted["last_updated"] >= item["last_updated"]
            assert item["connectors"]
            for plug in item["connectors"]:
                assert item["last_updated"] >= plug["last_updated"]
                assert {"max_voltage", "max_amperage"} <= plug.keys()
                assert not {"voltage", "amperage", "tariff_id"} & plug.keys()

    async def test_parent_listed_when_connector_changed_after_date_from(self, sender: Link) -> None:
        """E.121: the owner cascades a Connector change up; date_from just before finds it."""
        await own(sender, location("L0", at(0)), location("L1", at(1)))
        changed = connector(last_updated=at(30), max_amperage=32)
        await own(
            sender,
            location("L0", at(30), evses=[evse(last_updated=at(30), connectors=[changed])]),
        )
        response = await sender.get(f"{LOCATIONS_SENDER}?date_from=2026-03-01T10:29:59Z")
        assert ids(response) == ["L0"]
        assert data(response)[0]["evses"][0]["connectors"] == [changed]

    async def test_removed_evses_still_emitted_when_all_removed(self, sender: Link) -> None:
        """E.155 where applicable: such a Location is expired for display, but a Sender that
        left it out would hide the REMOVED status from receivers syncing by date_from (B.69;
        DIGEST §1.8 resync): nothing is deleted (§5.1), so the change is emitted."""
        removed = location(last_updated=at(5), evses=[evse(last_updated=at(5), status="REMOVED")])
        await own(sender, removed)
        response = await sender.get(f"{LOCATIONS_SENDER}?date_from={at(5)}")
        assert data(response) == [removed]


class TestGetLocationObject:
    async def test_routing_headers_name_both_parties_when_answered(self, sender: Link) -> None:
        """A.29: from the answering CPO NL*CPO to the requesting eMSP DE*MSP."""
        await own(sender, location())
        assert routing(await sender.get(f"{LOCATIONS_SENDER}/LOC1")) == ["NL", "CPO", "DE", "MSP"]

    async def test_401_when_no_or_unknown_token(self, sender: Link) -> None:
        """A.1, A.2."""
        await own(sender, location())
        for path in ("/LOC1", "/LOC1/EVSE1", "/LOC1/EVSE1/1"):
            assert await unauthenticated(sender, "GET", f"{LOCATIONS_SENDER}{path}") == [401, 401]

    async def test_each_level_returned_alone_when_known(self, sender: Link) -> None:
        """E.116, E.117, E.118."""
        await own(sender, location())
        assert data(await sender.get(f"{LOCATIONS_SENDER}/LOC1")) == location()
        assert data(await sender.get(f"{LOCATIONS_SENDER}/LOC1/EVSE1")) == evse()
        assert data(await sender.get(f"{LOCATIONS_SENDER}/LOC1/EVSE1/1")) == connector()

    async def test_found_when_ids_differ_in_case(self, sender: Link) -> None:
        """A.46."""
        await own(sender, location())
        assert data(await sender.get(f"{LOCATIONS_SENDER}/loc1/evse1/1")) == connector()

    @pytest.mark.parametrize("path", ["/LOC9", "/LOC1/EVSE9", "/LOC1/EVSE1/9"])
    async def test_404_when_unknown(self, sender: Link, path: str) -> None:
        """E.119, A.37."""
        await own(sender, location())
        response = await sender.get(f"{LOCATIONS_SENDER}{path}")
        assert response.status_code == 404
        assert 2000 <= status(response) < 3000

    @pytest.mark.parametrize("method", ["PUT", "PATCH", "POST", "DELETE"])
    async def test_405_when_method_not_in_interface(self, sender: Link, method: str) -> None:
        """DIGEST §5.2: the Sender has GET only."""
        await own(sender, location())
        body = None if method == "DELETE" else location(name="Changed")
        response = await sender.call(method, f"{LOCATIONS_SENDER}/LOC1", body)
        assert response.status_code == 405
        assert data(await sender.get(f"{LOCATIONS_SENDER}/LOC1")) == location()


class TestSenderOnCpoAndEmspPlatform:
    """A platform that is CPO and eMSP stores partners' Locations beside its own: only its own
    (partner_id NULL) published ones are ever emitted by its Sender (B.62)."""

    @pytest.fixture
    async def hybrid(
        self, make_settings: Callable[..., Settings]
    ) -> AsyncIterator[tuple[Link, Link]]:
        """NL*CPO+NL*MSP holds its own LOC1 and FR*OTH's pushed LOC1 and LOC9."""
        async with cpo_and_emsp_platform(make_settings) as (pushing, pulling):
            await store_own_location(pushing.server, location())
            for location_id in ("LOC1", "LOC9"):
                body = location(location_id, LATER, country_code="FR", party_id="OTH")
                path = f"{LOCATIONS_RECEIVER}/FR/OTH/{location_id}"
                assert status(await pushing.put(path, body)) == 1000
            yield pushing, pulling

    async def test_partners_locations_not_listed_when_stored_here(
        self, hybrid: tuple[Link, Link]
    ) -> None:
        pushing, pulling = hybrid
        for caller in (pushing, pulling):
            found = await all_pages(caller)
            assert found == [location()]
            response = await caller.get(LOCATIONS_SENDER)
            assert response.headers["X-Total-Count"] == "1"

    async def test_partners_location_not_served_by_id_when_stored_here(
        self, hybrid: tuple[Link, Link]
    ) -> None:
        _, pulling = hybrid
        assert (await pulling.get(f"{LOCATIONS_SENDER}/LOC9")).status_code == 404
        assert data(await pulling.get(f"{LOCATIONS_SENDER}/LOC1")) == location()

    async def test_own_location_untouched_when_partner_claims_our_party(
        self, make_settings: Callable[..., Settings]
    ) -> None:
        """A partner claiming our own party id (NL*CPO) is not our data owner: its registration
        is refused, so it never gets a way to overwrite our Locations (A.35)."""
        hybrid = make_settings("hybrid", "CPO:NL:CPO", "EMSP:NL:MSP")
        twin = make_settings("twin", "CPO:NL:CPO")
        async with platforms(hybrid, twin) as (_, (h, t)):
            await store_own_location(h, location())
            with pytest.raises(EvroamError, match="NL\\*CPO is hosted on this platform"):
                await link(t, h)
            async with h.platform.sessions() as session:
                stored = await LocationRepository(session).get_document(
                    ObjectKey("NL", "CPO", "LOC1")
                )
            assert stored == location()

    async def test_own_location_untouched_when_a_hub_writes_for_our_party(
        self, make_settings: Callable[..., Settings]
    ) -> None:
        """A Hub may write for the parties behind it, never for ours: 404 and nothing changes."""
        hybrid = make_settings("hybrid", "CPO:NL:CPO", "EMSP:NL:MSP")
        hub = make_settings("hub", "HUB:DE:HUB")
        async with platforms(hybrid, hub) as (_, (h, b)):
            await store_own_location(h, location())
            hub_in = await link(b, h)
            hijack = location(last_updated=LATER, name="Hijacked")
            for response in (
                await hub_in.put(LOC, hijack),
                await hub_in.patch(LOC, {"name": "Hijacked", "last_updated": LATER}),
                await hub_in.put(EVSE1, evse(last_updated=LATER, status="BLOCKED")),
                await hub_in.get(LOC),
            ):
                assert response.status_code == 404
            assert await all_pages(hub_in) == [location()]


class TestSenderOfTwoCpoParties:
    """A platform speaking for two CPOs (N.371): OCPI-to-* picks the party whose Locations
    are listed or fetched; without it the list holds both, each object naming its owner."""

    @pytest.fixture
    async def two(self, make_settings: Callable[..., Settings]) -> AsyncIterator[Link]:
        cpos = make_settings("cpo", "CPO:NL:CPO", "CPO:NL:CP2")
        emsp = make_settings("emsp", "EMSP:DE:MSP")
        async with platforms(cpos, emsp) as (_, (a, b)):
            await store_own_location(a, location("A1", at(1)))
            await store_own_location(a, location("B1", at(2), party_id="CP2"))
            yield await link(b, a)

    @staticmethod
    def to(party_id: str) -> dict[str, str]:
        return {"OCPI-to-country-code": "nl", "OCPI-to-party-id": party_id.lower()}

    async def test_only_addressed_party_when_ocpi_to_given(self, two: Link) -> None:
        for party_id, expected in (("CPO", ["A1"]), ("CP2", ["B1"])):
            response = await two.get(LOCATIONS_SENDER, headers=self.to(party_id))
            assert ids(response) == expected
            assert response.headers["X-Total-Count"] == "1"
            assert response.headers["OCPI-from-party-id"] == party_id

    async def test_both_parties_listed_when_not_addressed(self, two: Link) -> None:
        response = await two.get(LOCATIONS_SENDER)
        assert [(o["party_id"], o["id"]) for o in data(response)] == [("CPO", "A1"), ("CP2", "B1")]

    async def test_404_when_object_of_the_other_party_addressed(self, two: Link) -> None:
        response = await two.get(f"{LOCATIONS_SENDER}/B1", headers=self.to("CPO"))
        assert response.status_code == 404
        found = await two.get(f"{LOCATIONS_SENDER}/B1", headers=self.to("CP2"))
        assert data(found) == location("B1", at(2), party_id="CP2")
