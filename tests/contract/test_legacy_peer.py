"""Our eMSP against a scripted 2.1.1 CPO written from the 2.1.1 spec text, not by us: its
URLs in the `/ocpi/cpo/2.1.1/…` style many 2.1.1 platforms use, its objects the spec's own
examples (DIGEST §16; A.6, C.80, D.99, E.148, O.374). Two evroam platforms could agree on a
mistake; this peer cannot."""

import copy
import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from evroam.modules.credentials.service import get_partner, register
from evroam.modules.locations.repository import LocationRepository
from evroam.modules.tariffs.repository import TariffRepository
from evroam.modules.tokens.publish import NewToken, issue_token
from evroam.settings import Settings
from evroam.storage.documents import ObjectKey
from evroam.sync.locations import LOCATIONS
from evroam.sync.pull import pull
from evroam.sync.tariffs import TARIFFS
from tests.contract.test_legacy_interfaces import LOCATION_2_1_1
from tests.support import Running, platforms
from tests.unit.versions.test_v2_1_1_tariffs import TARIFF_COMPLEX_2_1_1

BASE = "http://legacy.test/ocpi/cpo/2.1.1"
MODULES = ("credentials", "locations", "tariffs", "tokens", "sessions", "cdrs", "commands")


class LegacyCpo:
    """NL*TNM, a 2.1.1 CPO: versions, details without roles, flat credentials, the spec's
    Location (no time_zone, a 24:00 period end) and complex Tariff, a Tokens interface."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        location = copy.deepcopy(LOCATION_2_1_1)
        location["type"] = "PARKING_GARAGE"
        location["opening_times"] = {
            "regular_hours": [
                {"weekday": day, "period_begin": "07:00", "period_end": "24:00"}
                for day in range(1, 8)
            ]
        }
        self.location = location

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path = request.url.path
        if path == "/ocpi/versions":
            return answer([{"version": "2.1.1", "url": BASE}])
        if path == "/ocpi/cpo/2.1.1":
            endpoints = [{"identifier": m, "url": f"{BASE}/{m}/"} for m in MODULES]
            return answer({"version": "2.1.1", "endpoints": endpoints})
        if path == "/ocpi/cpo/2.1.1/credentials/" and request.method == "POST":
            return answer(
                {
                    "token": "legacy-token-c",
                    "url": "http://legacy.test/ocpi/versions",
                    "business_details": {"name": "The New Motion"},
                    "party_id": "TNM",
                    "country_code": "NL",
                }
            )
        if path == "/ocpi/cpo/2.1.1/locations/":
            return answer([self.location], total=1)
        if path == "/ocpi/cpo/2.1.1/tariffs/":
            return answer([TARIFF_COMPLEX_2_1_1], total=1)
        if path.startswith("/ocpi/cpo/2.1.1/tokens/") and request.method in ("PUT", "PATCH"):
            return answer(None)
        return httpx.Response(404, json={"status_code": 2000, "timestamp": "2015-06-30T00:00:00Z"})


def answer(data: Any, total: int | None = None) -> httpx.Response:
    headers = {} if total is None else {"X-Total-Count": str(total), "X-Limit": "100"}
    body = {"data": data, "status_code": 1000, "timestamp": "2015-06-30T21:59:59Z"}
    return httpx.Response(200, json=body, headers=headers)


@pytest.fixture
async def connected(
    make_settings: Callable[..., Settings],
) -> AsyncIterator[tuple[Running, LegacyCpo]]:
    emsp = make_settings("emsp", "EMSP:DE:MSP", legacy_time_zone="Europe/Amsterdam")
    async with platforms(emsp) as (router, (running,)):
        peer = LegacyCpo()
        router.mock("legacy.test", peer)
        await register(running.platform, "tnm", "http://legacy.test/ocpi/versions", "token-a")
        yield running, peer


async def test_registration_speaks_2_1_1(connected: tuple[Running, LegacyCpo]) -> None:
    """A.6: raw token; D.99: flat credentials both ways; C.80: details without roles."""
    emsp, peer = connected
    partner = await get_partner(emsp.platform, "tnm")
    assert partner.version == "2.1.1"
    assert [(r.role, r.country_code, r.party_id) for r in partner.roles] == [("CPO", "NL", "TNM")]
    assert partner.endpoint("tokens") is not None
    assert partner.token_encoding is None  # raw because of 2.1.1, not as a quirk kept
    [post] = [r for r in peer.requests if r.method == "POST"]
    assert post.headers["authorization"] == "Token token-a"
    body = json.loads(post.content)
    assert set(body) == {"token", "url", "business_details", "party_id", "country_code"}
    assert (body["country_code"], body["party_id"]) == ("DE", "MSP")
    assert not any(h.lower().startswith("ocpi-") for h in post.headers)


async def test_pulled_location_and_tariff_are_stored_as_2_2_1(
    connected: tuple[Running, LegacyCpo],
) -> None:
    """O.374: owned by the party of the credentials; the platform's zone where 2.1.1 names
    none; 24:00 read as the end of the day (E.148)."""
    emsp, peer = connected
    partner = await get_partner(emsp.platform, "tnm")
    located = await pull(emsp.platform, partner, LOCATIONS, full=True)
    priced = await pull(emsp.platform, partner, TARIFFS, full=True)
    assert (located.error, priced.error) == (None, None)
    assert all(r.headers["authorization"] == "Token legacy-token-c" for r in peer.requests[-2:])
    async with emsp.platform.sessions() as db:
        location = await LocationRepository(db).get(ObjectKey("NL", "TNM", "LOC1"))
        tariff = await TariffRepository(db).get(ObjectKey("NL", "TNM", "11"))
    assert location is not None
    assert (location.time_zone, location.parking_type, location.publish) == (
        "Europe/Amsterdam",
        "PARKING_GARAGE",
        True,
    )
    assert location.opening_times is not None
    assert location.opening_times.regular_hours is not None
    assert location.opening_times.regular_hours[0].period_end == "23:59"
    assert location.evses is not None
    assert location.evses[0].connectors[0].max_voltage == 220
    assert tariff is not None
    assert (tariff.country_code, tariff.party_id) == ("NL", "TNM")


async def test_issued_token_is_put_in_2_1_1_shape(connected: tuple[Running, LegacyCpo]) -> None:
    emsp, peer = connected
    issued = await issue_token(emsp.platform, NewToken(uid="CARD3"))
    await emsp.app.state.outbox.drain()
    [put] = [r for r in peer.requests if r.method == "PUT"]
    assert put.url.path == "/ocpi/cpo/2.1.1/tokens/DE/MSP/CARD3"
    assert "type" not in put.url.params
    body = json.loads(put.content)
    assert body["auth_id"] == issued.contract_id
    assert not {"contract_id", "country_code", "party_id"} & set(body)
