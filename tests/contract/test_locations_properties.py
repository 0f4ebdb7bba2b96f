"""Properties of the Locations Receiver PATCH and of the Sender lists, over HTTP (hypothesis).

PATCH: after any sequence of valid PATCHes at Location, EVSE or Connector level, the Receiver
GET equals the stored object with each PATCH's fields replaced whole and `last_updated`
cascaded to the parents (A.39, E.127–E.130, DIGEST §5.3). Pagination: following `Link` from
the first page of a Sender list yields each object of the date window exactly once, oldest
first, and every page counts the whole window (B.61–B.66).
"""

import copy
import string
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evroam.modules.locations.repository import LocationRepository
from evroam.modules.tariffs.repository import TariffRepository
from evroam.partners.client import next_link
from evroam.settings import Settings
from evroam.storage.documents import ObjectKey
from tests.contract.conftest import Pair
from tests.contract.locations_support import (
    LOCATIONS_RECEIVER,
    LOCATIONS_SENDER,
    TARIFFS_SENDER,
    Link,
    at,
    connector,
    data,
    emsp_at_cpo,
    evse,
    link,
    location,
    status,
    store_own_location,
    store_own_tariff,
    tariff,
)

LOC = f"{LOCATIONS_RECEIVER}/NL/CPO/LOC1"
T0 = datetime(2026, 3, 1, tzinfo=UTC)
SHARED_FIXTURES = settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def text(max_size: int, alphabet: str = string.ascii_letters + string.digits + " -*") -> Any:
    return st.text(alphabet=alphabet, min_size=1, max_size=max_size)


def some(*values: str) -> Any:
    return st.lists(st.sampled_from(values), max_size=3)


moments = st.integers(0, 10_000).map(lambda minutes: stamp(T0 + timedelta(minutes=minutes)))
ids36 = text(36, string.ascii_uppercase + string.digits)
coordinate = st.builds(
    lambda lat, lon: {"latitude": f"{lat:.6f}", "longitude": f"{lon:.5f}"},
    st.floats(-89, 89, allow_nan=False),
    st.floats(-179, 179, allow_nan=False),
)

# Valid values per field, from the field tables of DIGEST §5.4–§5.6.
LOCATION_FIELDS: dict[str, Any] = {
    "publish": st.booleans(),
    "name": text(255),
    "address": text(255),
    "city": text(45),
    "postal_code": text(10),
    "state": text(45),
    "coordinates": coordinate,
    "parking_type": st.sampled_from(["ALONG_MOTORWAY", "PARKING_GARAGE", "ON_STREET"]),
    "facilities": some("HOTEL", "CAFE", "WIFI", "BUS_STOP"),
    "time_zone": st.sampled_from(["Europe/Amsterdam", "Europe/Oslo", "UTC"]),
    "charging_when_closed": st.booleans(),
    "directions": st.lists(
        st.builds(lambda t: {"language": "en", "text": t}, text(60)), max_size=2
    ),
}
EVSE_FIELDS: dict[str, Any] = {
    "evse_id": text(48, string.ascii_uppercase + string.digits + "*"),
    "status": st.sampled_from(["AVAILABLE", "BLOCKED", "CHARGING", "OUTOFORDER", "REMOVED"]),
    "capabilities": some("RESERVABLE", "RFID_READER", "REMOTE_START_STOP_CAPABLE"),
    "floor_level": text(4),
    "physical_reference": text(16),
    "parking_restrictions": some("EV_ONLY", "PLUGGED", "DISABLED"),
    "coordinates": coordinate,
}
CONNECTOR_FIELDS: dict[str, Any] = {
    "standard": st.sampled_from(["IEC_62196_T2", "CHADEMO", "IEC_62196_T2_COMBO", "DOMESTIC_F"]),
    "format": st.sampled_from(["SOCKET", "CABLE"]),
    "power_type": st.sampled_from(["AC_1_PHASE", "AC_3_PHASE", "DC"]),
    "max_voltage": st.integers(100, 1000),
    "max_amperage": st.integers(6, 500),
    "max_electric_power": st.integers(1000, 350_000),
    "tariff_ids": st.lists(ids36, max_size=3),
    "terms_and_conditions": st.just("https://example.com/terms"),
}


@dataclass(frozen=True)
class Patch:
    """One PATCH: the object it addresses (EVSE index, connector index) and its body."""

    evse: int | None
    connector: int | None
    body: dict[str, Any]

    @property
    def path(self) -> str:
        if self.evse is None:
            return LOC
        evse_path = f"{LOC}/E{self.evse}"
        return evse_path if self.connector is None else f"{evse_path}/{self.connector + 1}"


def changes(fields: dict[str, Any]) -> Any:
    """A random non-empty subset of the fields with valid values, plus last_updated (A.38)."""
    keys = st.lists(st.sampled_from(sorted(fields)), min_size=1, max_size=4, unique=True)
    return keys.flatmap(
        lambda names: st.fixed_dictionaries(
            {**{name: fields[name] for name in names}, "last_updated": moments}
        )
    )


patches = st.one_of(
    st.builds(Patch, st.none(), st.none(), changes(LOCATION_FIELDS)),
    st.builds(Patch, st.integers(0, 1), st.none(), changes(EVSE_FIELDS)),
    st.builds(Patch, st.integers(0, 1), st.integers(0, 1), changes(CONNECTOR_FIELDS)),
)


def base() -> dict[str, Any]:
    """LOC1 with two EVSEs of two connectors each."""
    return location(
        evses=[evse(f"E{n}", connectors=[connector("1"), connector("2")]) for n in range(2)]
    )


def merged(current: dict[str, Any], patch: Patch) -> dict[str, Any]:
    """The Location after the PATCH as the spec describes it: given fields replaced whole
    (lists included, DIGEST §5.3 [interpretation]), the patch's last_updated set on the
    patched object's parents (DIGEST §5.1 cascade)."""
    result = copy.deepcopy(current)
    moment = patch.body["last_updated"]
    if patch.evse is None:
        return {**result, **patch.body}
    target = result["evses"][patch.evse]
    if patch.connector is None:
        target.update(patch.body)
    else:
        target["connectors"][patch.connector].update(patch.body)
        target["last_updated"] = moment
    result["last_updated"] = moment
    return result


@pytest.fixture
async def cpo_in(pair: Pair) -> Link:
    _, cpo, emsp = pair
    return await link(cpo, emsp)


class TestPatchProperty:
    @SHARED_FIXTURES
    @given(sequence=st.lists(patches, min_size=1, max_size=3))
    async def test_get_equals_merged_object_when_patches_applied(
        self, cpo_in: Link, sequence: list[Patch]
    ) -> None:
        """A.39, E.127–E.130 (PUT resets LOC1 for each example)."""
        expected = base()
        assert status(await cpo_in.put(LOC, expected)) == 1000
        for patch in sequence:
            assert status(await cpo_in.patch(patch.path, patch.body)) == 1000, patch
            expected = merged(expected, patch)
        assert data(await cpo_in.get(LOC)) == expected


@dataclass(frozen=True)
class Listing:
    """A Sender list and how to store and remove one of our own objects for it."""

    path: str
    build: Callable[[str, str], dict[str, Any]]
    store: Callable[..., Any]


LISTINGS = {
    "locations": Listing(LOCATIONS_SENDER, lambda i, m: location(i, m), store_own_location),
    "tariffs": Listing(TARIFFS_SENDER, lambda i, m: tariff(i, m), store_own_tariff),
}


@pytest.fixture
async def sender(make_settings: Callable[..., Settings]) -> AsyncIterator[Link]:
    """The eMSP's way into the CPO's Sender, pages capped at 4."""
    async with emsp_at_cpo(make_settings, page_limit=4) as link_:
        yield link_


async def forget_own(link_: Link) -> None:
    """Remove all our own objects from the CPO, so each example starts empty."""
    async with link_.server.platform.unit_of_work() as session:
        for repo in (LocationRepository(session), TariffRepository(session)):
            for document in await repo.find_documents(limit=1000):
                key = ObjectKey(document["country_code"], document["party_id"], document["id"])
                await repo.delete(key)


windows = st.tuples(st.none() | st.integers(0, 12), st.none() | st.integers(0, 12))


class TestPaginationProperty:
    @pytest.mark.parametrize("module", sorted(LISTINGS))
    @SHARED_FIXTURES
    @given(
        minutes=st.lists(st.integers(0, 11), max_size=11),
        limit=st.integers(1, 6),
        window=windows,
    )
    async def test_each_object_once_when_following_links(
        self,
        sender: Link,
        module: str,
        minutes: list[int],
        limit: int,
        window: tuple[int | None, int | None],
    ) -> None:
        """B.57, B.61, B.63–B.66, E.114, H.218: ties in last_updated included."""
        listing = LISTINGS[module]
        await forget_own(sender)
        for n, minute in enumerate(minutes):
            await listing.store(sender.server, listing.build(f"O{n:02d}", at(minute)))
        start, end = window
        expected = [
            f"O{n:02d}"
            for n, minute in enumerate(minutes)
            if (start is None or minute >= start) and (end is None or minute < end)
        ]
        query = [f"limit={limit}"]
        query += [f"date_from={at(start)}"] if start is not None else []
        query += [f"date_to={at(end)}"] if end is not None else []
        response = await sender.get(f"{listing.path}?{'&'.join(query)}")
        seen = [item["id"] for item in data(response)]
        while (following := next_link(response.headers)) is not None:
            response = await sender.get(following)
            assert response.headers["X-Total-Count"] == str(len(expected))
            seen += [item["id"] for item in data(response)]
        assert seen == expected
        assert response.headers["X-Total-Count"] == str(len(expected))
        assert response.headers["X-Limit"] == "4"
