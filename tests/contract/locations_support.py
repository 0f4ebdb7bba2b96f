"""Helpers for the Locations and Tariffs contract tests: URLs, bodies and our own stored data.

Bodies are built from the spec's field tables (DIGEST §5.4–§5.6, §8.2); official examples are
adapted in code to the party that pushes them (the files stay untouched).
"""

import copy
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx

from evroam.modules.locations.model import Location
from evroam.modules.locations.publish import own_columns
from evroam.modules.locations.repository import LocationRepository
from evroam.modules.locations.visibility import store_audiences
from evroam.modules.tariffs.model import Tariff
from evroam.modules.tariffs.repository import TariffRepository
from evroam.settings import Settings
from evroam.storage.documents import ObjectKey
from tests.support import Running, auth, connect, partner_named, platforms

LOCATIONS_RECEIVER = "/ocpi/2.2.1/receiver/locations"
LOCATIONS_SENDER = "/ocpi/2.2.1/sender/locations"
TARIFFS_RECEIVER = "/ocpi/2.2.1/receiver/tariffs"
TARIFFS_SENDER = "/ocpi/2.2.1/sender/tariffs"
STAMP = "2026-03-01T10:00:00Z"
LATER = "2026-03-01T11:00:00Z"


@dataclass
class Link:
    """A registered connection seen from the caller: the platform called and the token used."""

    server: Running
    token: str

    async def call(self, method: str, path: str, body: Any = None, **kw: Any) -> httpx.Response:
        headers = {**auth(self.token), **kw.pop("headers", {})}
        return await self.server.client.request(method, path, json=body, headers=headers, **kw)

    async def get(self, path: str, **kw: Any) -> httpx.Response:
        return await self.call("GET", path, **kw)

    async def put(self, path: str, body: Any) -> httpx.Response:
        return await self.call("PUT", path, body)

    async def patch(self, path: str, body: Any) -> httpx.Response:
        return await self.call("PATCH", path, body)


async def link(caller: Running, server: Running) -> Link:
    """Register `caller` at `server` (caller initiates) and return caller's way in."""
    await connect(caller, server)
    token = (await partner_named(caller.platform, server.host.split(".")[0])).token_out
    assert token
    return Link(server, token)


def as_party(document: dict[str, Any], country_code: str, party_id: str) -> dict[str, Any]:
    """A copy of an official object re-owned by another party (the example files stay as is)."""
    adapted = copy.deepcopy(document)
    adapted["country_code"], adapted["party_id"] = country_code, party_id
    return adapted


def status(response: httpx.Response) -> int:
    """The OCPI status_code of a response."""
    code = response.json()["status_code"]
    assert isinstance(code, int)
    return code


def data(response: httpx.Response) -> Any:
    assert status(response) == 1000, response.text
    return response.json()["data"]


async def held(link_: Link, path: str) -> Any:
    """What the Receiver holds at `path`, through its own GET (E.137); None when 404."""
    response = await link_.get(path)
    return None if response.status_code == 404 else data(response)


async def unauthenticated(link_: Link, method: str, path: str, body: Any = None) -> list[int]:
    """HTTP statuses without a token and with an unknown one (A.1, A.2)."""
    client = link_.server.client
    bare = await client.request(method, path, json=body)
    unknown = await client.request(method, path, json=body, headers=auth("no-such-token"))
    return [bare.status_code, unknown.status_code]


def routing(response: httpx.Response) -> list[str]:
    """OCPI-from-country-code, -party-id, OCPI-to-country-code, -party-id of an answer."""
    return [
        response.headers[f"OCPI-{d}-{p}"]
        for d in ("from", "to")
        for p in ("country-code", "party-id")
    ]


def ids(response: httpx.Response) -> list[str]:
    """The ids of the objects of a list answer, in order."""
    return [item["id"] for item in data(response)]


def at(minute: int) -> str:
    """10:00 UTC on 2026-03-01 plus `minute` minutes, as an OCPI DateTime."""
    return f"2026-03-01T10:{minute:02d}:00Z"


def connector(connector_id: str = "1", last_updated: str = STAMP, **extra: Any) -> dict[str, Any]:
    """A Connector with every required field (DIGEST §5.6)."""
    return {
        "id": connector_id,
        "standard": "IEC_62196_T2",
        "format": "SOCKET",
        "power_type": "AC_3_PHASE",
        "max_voltage": 230,
        "max_amperage": 16,
        "tariff_ids": ["T1"],
        "last_updated": last_updated,
        **extra,
    }


def evse(
    uid: str = "EVSE1", last_updated: str = STAMP, *, connectors: Any = None, **extra: Any
) -> dict[str, Any]:
    """An EVSE with every required field (DIGEST §5.5)."""
    return {
        "uid": uid,
        "evse_id": f"NL*CPO*E{uid}",
        "status": "AVAILABLE",
        "connectors": [connector(last_updated=last_updated)] if connectors is None else connectors,
        "physical_reference": "A1",
        "last_updated": last_updated,
        **extra,
    }


def location(
    location_id: str = "LOC1",
    last_updated: str = STAMP,
    *,
    country_code: str = "NL",
    party_id: str = "CPO",
    evses: Any = None,
    **extra: Any,
) -> dict[str, Any]:
    """A Location with every required field and some optional ones (DIGEST §5.4)."""
    return {
        "country_code": country_code,
        "party_id": party_id,
        "id": location_id,
        "publish": True,
        "name": "Station Centraal",
        "address": "Stationsplein 1",
        "city": "Utrecht",
        "postal_code": "3511 CE",
        "country": "NLD",
        "coordinates": {"latitude": "52.08940", "longitude": "5.10980"},
        "evses": [evse(last_updated=last_updated)] if evses is None else evses,
        "time_zone": "Europe/Amsterdam",
        "last_updated": last_updated,
        **extra,
    }


def tariff(
    tariff_id: str = "T1",
    last_updated: str = STAMP,
    *,
    country_code: str = "NL",
    party_id: str = "CPO",
    **extra: Any,
) -> dict[str, Any]:
    """A Tariff with every required field (DIGEST §8.2): €0.25/kWh, 21 % VAT."""
    return {
        "country_code": country_code,
        "party_id": party_id,
        "id": tariff_id,
        "currency": "EUR",
        "elements": [
            {"price_components": [{"type": "ENERGY", "price": 0.25, "vat": 21.0, "step_size": 1}]}
        ],
        "last_updated": last_updated,
        **extra,
    }


async def store_own_location(
    platform_owner: Running, document: dict[str, Any], *, last_updated: datetime | None = None
) -> None:
    """Write one of our own Locations (partner_id NULL, its columns as saving sets them)."""
    item = Location.model_validate(document)
    key = ObjectKey(item.country_code, item.party_id, item.id)
    async with platform_owner.platform.unit_of_work() as session:
        await LocationRepository(session).put(
            key,
            item,
            last_updated=last_updated or item.last_updated,
            partner_id=None,
            **own_columns(item),
        )
        await store_audiences(session, [item])


async def store_own_tariff(platform_owner: Running, document: dict[str, Any]) -> None:
    """Write one of our own Tariffs (partner_id NULL)."""
    item = Tariff.model_validate(document)
    key = ObjectKey(item.country_code, item.party_id, item.id)
    async with platform_owner.platform.unit_of_work() as session:
        await TariffRepository(session).put(
            key, item, last_updated=item.last_updated, partner_id=None
        )


@asynccontextmanager
async def emsp_at_cpo(make: Callable[..., Settings], page_limit: int = 3) -> AsyncIterator[Link]:
    """The eMSP DE*MSP's way into the Sender of the CPO NL*CPO, which caps pages."""
    cpo = make("cpo", "CPO:NL:CPO", http={"page_limit": page_limit})
    emsp = make("emsp", "EMSP:DE:MSP")
    async with platforms(cpo, emsp) as (_, (a, b)):
        yield await link(b, a)


@asynccontextmanager
async def two_cpos_at_one_emsp(make: Callable[..., Settings]) -> AsyncIterator[tuple[Link, Link]]:
    """NL*CPO's and FR*OTH's ways into one eMSP (DE*MSP), both registered there."""
    cpo = make("cpo", "CPO:NL:CPO")
    other = make("other", "CPO:FR:OTH")
    emsp = make("emsp", "EMSP:DE:MSP")
    async with platforms(cpo, other, emsp) as (_, (a, b, c)):
        yield await link(a, c), await link(b, c)


@asynccontextmanager
async def cpo_and_emsp_platform(
    make: Callable[..., Settings],
) -> AsyncIterator[tuple[Link, Link]]:
    """A platform that is CPO NL*CPO and eMSP NL*MSP: FR*OTH's way in (a CPO pushing to its
    Receiver) and DE*MSP's way in (an eMSP pulling from its Sender)."""
    hybrid = make("hybrid", "CPO:NL:CPO", "EMSP:NL:MSP")
    other = make("other", "CPO:FR:OTH")
    emsp = make("emsp", "EMSP:DE:MSP")
    async with platforms(hybrid, other, emsp) as (_, (h, o, e)):
        yield await link(o, h), await link(e, h)
