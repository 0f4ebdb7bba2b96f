"""Our interfaces as a 2.1.1 peer calls them: raw HTTP in 2.1.1 shapes against the edge
(versions/v2_1_1/edge.py), answers checked against the 2.1.1 spec (DIGEST §16-§17)."""

import copy
import re
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from evroam.errors import PartnerError
from evroam.modules.credentials.service import register, rotate, unregister
from evroam.modules.locations.enums import TokenType
from evroam.modules.locations.model import Location
from evroam.modules.locations.publish import save_locations
from evroam.modules.locations.repository import LocationRepository
from evroam.modules.sessions.repository import sessions
from evroam.modules.tokens.client import request_authorization, unknown_token
from evroam.modules.tokens.publish import NewToken, issue_token
from evroam.protocol.auth import TokenEncoding, encode_token
from evroam.protocol.routing import PartyRef
from evroam.settings import Settings
from evroam.storage.documents import ObjectKey
from evroam.sync.locations import LOCATIONS
from evroam.sync.pull import pull
from tests.support import Running, connect, invite, partner_named, platforms
from tests.unit.chargers.sites import site

STAMP = "2015-06-29T20:39:09Z"
# mod_locations.md §3.1 Example (2.1.1-d2), the second EVSE left out
LOCATION_2_1_1: dict[str, Any] = {
    "id": "LOC1",
    "type": "ON_STREET",
    "name": "Gent Zuid",
    "address": "F.Rooseveltlaan 3A",
    "city": "Gent",
    "postal_code": "9000",
    "country": "BEL",
    "coordinates": {"latitude": "51.047599", "longitude": "3.729944"},
    "evses": [
        {
            "uid": "3256",
            "evse_id": "BE-BEC-E041503001",
            "status": "AVAILABLE",
            "status_schedule": [],
            "capabilities": ["RESERVABLE"],
            "connectors": [
                {
                    "id": "1",
                    "standard": "IEC_62196_T2",
                    "format": "CABLE",
                    "power_type": "AC_3_PHASE",
                    "voltage": 220,
                    "amperage": 16,
                    "tariff_id": "11",
                    "last_updated": "2015-03-16T10:10:02Z",
                }
            ],
            "physical_reference": "1",
            "floor_level": "-1",
            "last_updated": "2015-06-28T08:12:01Z",
        }
    ],
    "operator": {"name": "BeCharged"},
    "last_updated": STAMP,
}
# mod_sessions.md §3.1 Example (2.1.1-d2), a session just started
SESSION_2_1_1 = {
    "id": "101",
    "start_datetime": "2015-06-29T22:39:09Z",
    "kwh": 0,
    "auth_id": "DE8ACC12E46L89",
    "auth_method": "WHITELIST",
    "location": LOCATION_2_1_1,
    "currency": "EUR",
    "status": "ACTIVE",
    "last_updated": "2015-06-29T22:39:09Z",
}
# mod_cdrs.md §3.1 Example (2.1.1-d2), with its Location, one period, as valid JSON
CDR_2_1_1 = {
    "id": "12345",
    "start_date_time": "2015-06-29T21:39:09Z",
    "stop_date_time": "2015-06-29T23:37:32Z",
    "auth_id": "DE8ACC12E46L89",
    "auth_method": "WHITELIST",
    "location": LOCATION_2_1_1,
    "currency": "EUR",
    "charging_periods": [
        {
            "start_date_time": "2015-06-29T21:39:09Z",
            "dimensions": [{"type": "TIME", "volume": 1.973}],
        }
    ],
    "total_cost": 4.00,
    "total_energy": 15.342,
    "total_time": 1.973,
    "last_updated": "2015-06-29T22:01:13Z",
}
# mod_tariffs.md §2.2.2 / §2.2.3 examples (2.1.1-d2)
TARIFF_2_1_1 = {
    "id": "12",
    "currency": "EUR",
    "elements": [{"price_components": [{"type": "TIME", "price": 2.00, "step_size": 300}]}],
}
TARIFF_PATCH_2_1_1 = {
    "elements": [{"price_components": [{"type": "TIME", "price": 2.50, "step_size": 300}]}]
}


class Peer:
    """A 2.1.1 partner's way into one of our platforms: `Token <raw token>`, no routing."""

    def __init__(self, server: Running, token: str) -> None:
        self.server, self.token = server, token

    async def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        encoding: TokenEncoding = TokenEncoding.RAW,
    ) -> httpx.Response:
        headers = {"Authorization": encode_token(self.token, encoding)}
        return await self.server.client.request(method, path, json=body, headers=headers)


@pytest.fixture
async def legacy(
    make_settings: Callable[..., Settings],
) -> AsyncIterator[tuple[Running, Running, Peer, Peer]]:
    """Our CPO and a 2.1.1-only eMSP, registered; each one's way into the other."""
    cpo = make_settings("cpo", "CPO:NL:CPO", admin_token="admin")
    emsp = make_settings("emsp", "EMSP:DE:MSP", versions=["2.1.1"])
    async with platforms(cpo, emsp) as (_, (a, b)):
        await connect(b, a)
        into_cpo = (await partner_named(b.platform, "cpo")).token_out
        into_emsp = (await partner_named(a.platform, "emsp")).token_out
        assert into_cpo
        assert into_emsp
        yield a, b, Peer(a, into_cpo), Peer(b, into_emsp)


def ok(response: httpx.Response) -> Any:
    body = response.json()
    assert body["status_code"] == 1000, response.text
    return body["data"]


class TestVersionsAndCredentials:
    async def test_version_details_list_each_module_once_without_role(self, legacy: Any) -> None:
        """C.80, O.375: 2.1.1 endpoints at their own version URL, no `role`."""
        _, _, to_cpo, _ = legacy
        details = ok(await to_cpo.call("GET", "/ocpi/2.1.1"))
        assert details["version"] == "2.1.1"
        identifiers = [e["identifier"] for e in details["endpoints"]]
        assert len(identifiers) == len(set(identifiers))
        assert set(identifiers) == {
            "credentials", "locations", "tariffs", "sessions", "cdrs", "tokens", "commands"
        }  # fmt: skip
        for endpoint in details["endpoints"]:
            assert set(endpoint) == {"identifier", "url"}
            assert endpoint["url"].startswith("http://cpo.test/ocpi/2.1.1/")

    async def test_credentials_are_flat(self, legacy: Any) -> None:
        """D.99, D.86: business_details, party_id, country_code; no roles."""
        _, _, to_cpo, _ = legacy
        data = ok(await to_cpo.call("GET", "/ocpi/2.1.1/credentials"))
        assert set(data) == {"token", "url", "business_details", "party_id", "country_code"}
        assert (data["country_code"], data["party_id"]) == ("NL", "CPO")

    async def test_raw_and_base64_tokens_both_work(self, legacy: Any) -> None:
        """A.7, and tolerant of a peer sending Base64."""
        _, _, to_cpo, _ = legacy
        for encoding in TokenEncoding:
            response = await to_cpo.call("GET", "/ocpi/2.1.1/cpo/locations", encoding=encoding)
            assert response.status_code == 200, encoding

    async def test_registration_on_a_chosen_version_below_the_highest(
        self, make_settings: Callable[..., Settings]
    ) -> None:
        """`evroam partner register --version 2.1.1`: both sides offer 2.2.1 as well."""
        cpo = make_settings("cpo", "CPO:NL:CPO")
        emsp = make_settings("emsp", "EMSP:DE:MSP")
        async with platforms(cpo, emsp) as (_, (a, b)):
            token_a = await invite(a.platform, "emsp")
            await register(b.platform, "cpo", a.versions_url, token_a, version="2.1.1")
            assert (await partner_named(b.platform, "cpo")).version == "2.1.1"
            assert (await partner_named(a.platform, "emsp")).version == "2.1.1"

    async def test_not_offered_by_a_platform_of_two_parties(
        self, make_settings: Callable[..., Settings]
    ) -> None:
        """A 2.1.1 connection carries one party: a platform hosting two does not offer it."""
        both = make_settings("both", "CPO:NL:CPO", "EMSP:NL:MSP")
        async with platforms(both) as (_, (running,)):
            token = await invite(running.platform, "peer")
            headers = {"Authorization": encode_token(token, TokenEncoding.RAW)}
            versions = (await running.client.get("/ocpi/versions", headers=headers)).json()
            assert [v["version"] for v in versions["data"]] == ["2.2.1"]
            details = await running.client.get("/ocpi/2.1.1", headers=headers)
            assert details.status_code == 404
            assert details.json()["status_code"] == 2000


class TestCpoInterfaces:
    async def test_locations_list_in_2_1_1_shape(self, legacy: Any) -> None:
        """E.157, E.152, E.148, E.144, A.45, O.373."""
        cpo, _, to_cpo, _ = legacy
        document = site().model_dump(mode="json", exclude_none=True)
        document["name"] = "Café Ünter den Linden"
        document["last_updated"] = "2026-03-01T10:00:00.123Z"
        document["opening_times"] = {
            "twentyfourseven": False,
            "regular_hours": [{"weekday": 1, "period_begin": "08:00", "period_end": "20:00"}],
        }
        document["evses"][0]["connectors"].append(
            {**document["evses"][0]["connectors"][0], "id": "9", "standard": "NEMA_5_20"}
        )
        await save_locations(cpo.platform, [Location.model_validate(document)])
        response = await to_cpo.call("GET", "/ocpi/2.1.1/cpo/locations?limit=1")
        [location] = ok(response)
        assert not {"country_code", "party_id", "publish", "parking_type"} & set(location)
        assert location["type"] in {"ON_STREET", "PARKING_GARAGE", "UNDERGROUND_GARAGE",
                                    "PARKING_LOT", "OTHER", "UNKNOWN"}  # fmt: skip
        assert location["name"] == "Cafe Unter den Linden"  # A.51
        assert location["last_updated"] == "2026-03-01T10:00:00Z"
        assert response.json()["timestamp"].count(".") == 0
        assert location["opening_times"] == {
            "regular_hours": [{"weekday": 1, "period_begin": "08:00", "period_end": "20:00"}]
        }
        for evse in location["evses"]:
            for connector in evse["connectors"]:
                assert {"voltage", "amperage"} <= set(connector)
                assert not {"max_voltage", "max_amperage", "tariff_ids"} & set(connector)
                assert connector["standard"] != "NEMA_5_20"
        latitude = location["coordinates"]["latitude"]
        assert len(latitude.split(".")[1]) == 6
        assert not any(h.lower().startswith("ocpi-") for h in response.headers)

    async def test_link_header_stays_on_2_1_1(self, legacy: Any) -> None:
        cpo, _, to_cpo, _ = legacy
        documents = []
        for number in range(3):
            document = site().model_dump(mode="json", exclude_none=True)
            documents.append(Location.model_validate({**document, "id": f"L{number}"}))
        await save_locations(cpo.platform, documents)
        response = await to_cpo.call("GET", "/ocpi/2.1.1/cpo/locations?limit=2")
        assert len(ok(response)) == 2
        link = response.headers["link"]
        assert "/ocpi/2.1.1/cpo/locations?" in link
        assert "2.2.1" not in link
        assert response.headers["x-total-count"] == "3"

    async def test_one_evse_and_connector(self, legacy: Any) -> None:
        cpo, _, to_cpo, _ = legacy
        await save_locations(cpo.platform, [site()])
        evse = ok(await to_cpo.call("GET", "/ocpi/2.1.1/cpo/locations/LOC1/AC"))
        assert evse["uid"] == "AC"
        connector = ok(await to_cpo.call("GET", "/ocpi/2.1.1/cpo/locations/LOC1/AC/1"))
        assert {"voltage", "amperage"} <= set(connector)

    async def test_token_put_with_auth_id(self, legacy: Any) -> None:
        """J.298, O.374: stored with contract_id and the peer's party."""
        _, _, to_cpo, _ = legacy
        token = {
            "uid": "012345678",
            "type": "RFID",
            "auth_id": "DE8ACC12E46L89",
            "visual_number": "DF000-2001-8999",
            "issuer": "TheNewMotion",
            "valid": True,
            "whitelist": "ALLOWED",
            "last_updated": STAMP,
        }
        response = await to_cpo.call("PUT", "/ocpi/2.1.1/cpo/tokens/DE/MSP/012345678", token)
        assert response.status_code in (200, 201), response.text
        back = ok(await to_cpo.call("GET", "/ocpi/2.1.1/cpo/tokens/DE/MSP/012345678"))
        assert back["auth_id"] == "DE8ACC12E46L89"
        assert not {"contract_id", "country_code", "party_id"} & set(back)
        patched = await to_cpo.call(
            "PATCH", "/ocpi/2.1.1/cpo/tokens/DE/MSP/012345678", {"valid": False}
        )
        assert patched.status_code == 200, patched.text  # no last_updated needed in 2.1.1
        assert (
            ok(await to_cpo.call("GET", "/ocpi/2.1.1/cpo/tokens/DE/MSP/012345678"))["valid"]
            is False
        )

    async def test_token_of_another_party_refused(self, legacy: Any) -> None:
        """A 2.1.1 peer writes only objects of the party its credentials carry."""
        _, _, to_cpo, _ = legacy
        token = {
            "uid": "X1",
            "type": "RFID",
            "auth_id": "X1",
            "issuer": "Other",
            "valid": True,
            "whitelist": "ALLOWED",
            "last_updated": STAMP,
        }
        response = await to_cpo.call("PUT", "/ocpi/2.1.1/cpo/tokens/NL/XXX/X1", token)
        assert response.json()["status_code"] != 1000
        assert response.status_code >= 400

    async def test_malformed_body_is_2001(self, legacy: Any) -> None:
        _, _, to_cpo, _ = legacy
        response = await to_cpo.server.client.request(
            "PUT",
            "/ocpi/2.1.1/cpo/tokens/DE/MSP/X1",
            content=b"{not json",
            headers={"Authorization": f"Token {to_cpo.token}"},
        )
        assert (response.status_code, response.json()["status_code"]) == (400, 2001)


class TestEmspInterfaces:
    async def test_location_put_patch_get(self, legacy: Any) -> None:
        """The 2.1.1 spec's Location, stored in 2.2.1 and served back in 2.1.1."""
        _, emsp, _, to_emsp = legacy
        path = "/ocpi/2.1.1/emsp/locations/NL/CPO/LOC1"
        response = await to_emsp.call("PUT", path, LOCATION_2_1_1)
        assert response.status_code in (200, 201), response.text
        patched = await to_emsp.call("PATCH", f"{path}/3256", {"status": "CHARGING"})
        assert patched.status_code == 200, patched.text
        back = ok(await to_emsp.call("GET", path))
        assert back["evses"][0]["status"] == "CHARGING"
        assert back["type"] == "ON_STREET"
        assert back["evses"][0]["connectors"][0]["tariff_id"] == "11"
        async with emsp.platform.sessions() as db:
            stored = await LocationRepository(db).get(ObjectKey("NL", "CPO", "LOC1"))
        assert stored is not None
        assert stored.time_zone == "UTC"  # the platform's legacy_time_zone

    async def test_location_of_another_party_refused_and_nothing_stored(self, legacy: Any) -> None:
        _, _, _, to_emsp = legacy
        path = "/ocpi/2.1.1/emsp/locations/BE/BEC/LOC1"
        response = await to_emsp.call("PUT", path, LOCATION_2_1_1)
        assert response.status_code >= 400
        async with legacy[1].platform.sessions() as db:
            assert await LocationRepository(db).get(ObjectKey("BE", "BEC", "LOC1")) is None

    async def test_tariff_patch_updates_only_the_given_fields(self, legacy: Any) -> None:
        """H.217: 2.1.1 Receivers take PATCH; the spec's own example changes the price."""
        _, _, _, to_emsp = legacy
        path = "/ocpi/2.1.1/emsp/tariffs/NL/CPO/12"
        tariff = {**TARIFF_2_1_1, "tariff_alt_url": "https://cpo.example/t12"}
        response = await to_emsp.call("PUT", path, tariff)
        assert response.status_code in (200, 201), response.text
        patched = await to_emsp.call("PATCH", path, TARIFF_PATCH_2_1_1)
        assert patched.status_code == 200, patched.text
        back = ok(await to_emsp.call("GET", path))
        assert back["elements"] == TARIFF_PATCH_2_1_1["elements"]
        assert (back["currency"], back["tariff_alt_url"]) == ("EUR", "https://cpo.example/t12")
        missing = await to_emsp.call("PATCH", "/ocpi/2.1.1/emsp/tariffs/NL/CPO/13", {})
        assert missing.status_code == 404

    async def test_session_patch_replaces_charging_periods(self, legacy: Any) -> None:
        """A 2.1.1 PATCH replaces the list (2.2.1's appends): the eMSP keeps the last list."""
        _, emsp, _, to_emsp = legacy
        await to_emsp.call("PUT", "/ocpi/2.1.1/emsp/locations/NL/CPO/LOC1", LOCATION_2_1_1)
        session = SESSION_2_1_1
        path = "/ocpi/2.1.1/emsp/sessions/NL/CPO/101"
        response = await to_emsp.call("PUT", path, session)
        assert response.status_code in (200, 201), response.text
        period = {
            "start_date_time": "2015-06-29T22:39:09Z",
            "dimensions": [{"type": "ENERGY", "volume": 1.2}],
        }
        later = {
            "start_date_time": "2015-06-29T22:54:09Z",
            "dimensions": [{"type": "ENERGY", "volume": 2.0}],
        }
        for periods in ([period], [period, later]):
            patch = {"kwh": 3.2, "charging_periods": periods}
            assert (await to_emsp.call("PATCH", path, patch)).status_code == 200
        back = ok(await to_emsp.call("GET", path))
        assert [p["start_date_time"] for p in back["charging_periods"]] == [
            "2015-06-29T22:39:09Z",
            "2015-06-29T22:54:09Z",
        ]
        assert back["auth_id"] == "DE8ACC12E46L89"
        assert back["location"]["id"] == "LOC1"
        async with emsp.platform.sessions() as db:
            row = (await db.execute(sessions.select())).one()
        assert row.document["cdr_token"]["contract_id"] == "DE8ACC12E46L89"
        assert (row.document["evse_uid"], row.document["connector_id"]) == ("3256", "1")

    async def test_cdr_post_answers_a_2_1_1_location(self, legacy: Any) -> None:
        """G.213: POSTed in 2.1.1, readable at the URL of the Location header."""
        _, _, _, to_emsp = legacy
        cdr = CDR_2_1_1
        response = await to_emsp.call("POST", "/ocpi/2.1.1/emsp/cdrs", cdr)
        assert response.status_code in (200, 201), response.text
        where = response.headers["location"]
        assert "/ocpi/2.1.1/emsp/cdrs/" in where
        back = ok(await to_emsp.call("GET", httpx.URL(where).path))
        assert (back["stop_date_time"], back["total_cost"]) == ("2015-06-29T23:37:32Z", 4.0)
        assert "cdr_location" not in back

    async def test_real_time_authorization_over_2_1_1(self, legacy: Any) -> None:
        """The CPO asks the 2.1.1 eMSP; an unknown token is still told apart (HTTP 404)."""
        cpo, emsp, _, _ = legacy
        issued = await issue_token(emsp.platform, NewToken(uid="CARD7"))
        await emsp.app.state.outbox.drain()  # the CPO holds it (2.1.1's answer does not carry it)
        partner = await partner_named(cpo.platform, "emsp")
        route = (PartyRef("NL", "CPO"), PartyRef("DE", "MSP"))
        info = await request_authorization(
            cpo.platform,
            partner,
            uid="CARD7",
            token_type=TokenType.RFID,
            location=None,
            route=route,
        )
        assert info.allowed.value == "ALLOWED"
        assert info.token.contract_id == issued.contract_id
        with pytest.raises(PartnerError) as caught:
            await request_authorization(
                cpo.platform, partner, uid="NOPE", token_type=TokenType.RFID, location=None,
                route=route,
            )  # fmt: skip
        assert unknown_token(caught.value)


class TestPull:
    async def test_emsp_pulls_locations_from_the_2_1_1_cpo(self, legacy: Any) -> None:
        """Pull over 2.1.1: stored in 2.2.1, owned by the CPO's party (O.374)."""
        cpo, emsp, _, _ = legacy
        documents = [
            Location.model_validate(
                {**site().model_dump(mode="json", exclude_none=True), "id": f"P{n}"}
            )
            for n in range(5)
        ]
        await save_locations(cpo.platform, documents)
        partner = await partner_named(emsp.platform, "cpo")
        report = await pull(emsp.platform, partner, LOCATIONS, full=True, limit=2)
        assert report.error is None
        async with emsp.platform.sessions() as db:
            stored = await LocationRepository(db).get(ObjectKey("NL", "CPO", "P3"))
        assert stored is not None
        original = copy.deepcopy(documents[3])
        assert stored.time_zone == original.time_zone
        assert stored.evses is not None
        assert original.evses is not None
        assert [e.uid for e in stored.evses] == [e.uid for e in original.evses]


class TestStatusCodes:
    async def test_unknown_token_is_404_with_a_2_1_1_code(self, legacy: Any) -> None:
        """A.14: 2.1.1 has no 2004; the answer stays HTTP 404 with the generic 2000."""
        _, _, _, to_emsp = legacy
        response = await to_emsp.call("POST", "/ocpi/2.1.1/emsp/tokens/NOPE/authorize")
        assert (response.status_code, response.json()["status_code"]) == (404, 2000)

    async def test_cdr_without_stop_date_time_is_2001(self, legacy: Any) -> None:
        """G.192 (2.1.1: stop_date_time)."""
        _, _, _, to_emsp = legacy
        cdr = {k: v for k, v in CDR_2_1_1.items() if k != "stop_date_time"} | {"id": "X1"}
        response = await to_emsp.call("POST", "/ocpi/2.1.1/emsp/cdrs", cdr)
        assert response.json()["status_code"] == 2001
        assert "stop_date_time" in response.json()["status_message"]


class TestLifecycle:
    async def test_rotation_and_unregistration_over_2_1_1(self, legacy: Any) -> None:
        """Credentials PUT and DELETE in 2.1.1's flat shape: new tokens both ways, then none."""
        cpo, emsp, to_cpo, _ = legacy
        await rotate(emsp.platform, "cpo")
        rotated = (await partner_named(emsp.platform, "cpo")).token_out
        assert rotated
        assert rotated != to_cpo.token
        assert (await to_cpo.call("GET", "/ocpi/2.1.1/cpo/locations")).status_code == 401
        fresh = Peer(cpo, rotated)
        assert (await fresh.call("GET", "/ocpi/2.1.1/cpo/locations")).status_code == 200
        assert (await partner_named(cpo.platform, "emsp")).version == "2.1.1"
        await unregister(emsp.platform, "cpo")
        assert (await fresh.call("GET", "/ocpi/2.1.1/cpo/locations")).status_code == 401


class TestReviewFindings:
    async def test_a_token_of_type_other_is_read_and_patched_by_uid(self, legacy: Any) -> None:
        """2.1.1 names a Token by uid alone: GET and PATCH find it whatever its type."""
        _, _, to_cpo, _ = legacy
        token = {
            "uid": "T9",
            "type": "OTHER",
            "auth_id": "DE-MSP-T9",
            "issuer": "Drive Co",
            "valid": True,
            "whitelist": "ALLOWED",
            "last_updated": STAMP,
        }
        path = "/ocpi/2.1.1/cpo/tokens/DE/MSP/T9"
        assert (await to_cpo.call("PUT", path, token)).status_code in (200, 201)
        patched = await to_cpo.call("PATCH", path, {"valid": False})
        assert patched.status_code == 200, patched.text
        back = ok(await to_cpo.call("GET", path))
        assert (back["type"], back["valid"]) == ("OTHER", False)

    async def test_a_malformed_patch_served_as_a_put_is_2001(self, legacy: Any) -> None:
        _, _, _, to_emsp = legacy
        await to_emsp.call("PUT", "/ocpi/2.1.1/emsp/locations/NL/CPO/LOC1", LOCATION_2_1_1)
        session = SESSION_2_1_1
        path = "/ocpi/2.1.1/emsp/sessions/NL/CPO/101"
        assert (await to_emsp.call("PUT", path, session)).status_code in (200, 201)
        bad = {"charging_periods": [{"dimensions": [{"type": "ENERGY", "volume": 1}]}]}
        response = await to_emsp.call("PATCH", path, bad)
        assert response.json()["status_code"] == 2001, response.text
        assert "start_date_time" in response.json()["status_message"]

    async def test_versions_credentials_and_errors_have_whole_second_timestamps(
        self, legacy: Any
    ) -> None:
        """A.45 on every answer a 2.1.1 peer reads, errors included."""
        _, _, to_cpo, _ = legacy
        for method, path in [
            ("GET", "/ocpi/versions"),
            ("GET", "/ocpi/2.1.1"),
            ("GET", "/ocpi/2.1.1/credentials"),
            ("GET", "/ocpi/2.1.1/cpo/locations/NOPE"),
        ]:
            response = await to_cpo.call(method, path)
            stamp = response.json()["timestamp"]
            assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", stamp), (path, stamp)
        refused = await Peer(to_cpo.server, "wrong").call("GET", "/ocpi/2.1.1/cpo/locations")
        assert refused.status_code == 401
        assert "." not in refused.json()["timestamp"]

    async def test_unpublished_locations_are_not_shown_to_2_1_1_peers(self, legacy: Any) -> None:
        """2.1.1 cannot say a Location is for some drivers only: its peers get none, even
        one a Token they hold may see (E.154 holds for 2.2.1 peers)."""
        cpo, emsp, to_cpo, _ = legacy
        await issue_token(emsp.platform, NewToken(uid="CARD5"))
        await emsp.app.state.outbox.drain()
        document = site().model_dump(mode="json", exclude_none=True)
        document |= {"id": "PRIV", "publish": False}
        document["publish_allowed_to"] = [{"uid": "CARD5", "type": "RFID"}]
        await save_locations(cpo.platform, [Location.model_validate(document)])
        await cpo.app.state.outbox.drain()
        listed = ok(await to_cpo.call("GET", "/ocpi/2.1.1/cpo/locations"))
        assert "PRIV" not in [location["id"] for location in listed]
        assert (await to_cpo.call("GET", "/ocpi/2.1.1/cpo/locations/PRIV")).status_code == 404
        async with emsp.platform.sessions() as db:
            assert await LocationRepository(db).get(ObjectKey("NL", "CPO", "PRIV")) is None
