"""Tariffs over HTTP, both interfaces (CONFORMANCE H.214–H.226; A.32–A.40, A.46–A.49; B).

Receiver: the CPO (NL*CPO) pushes to the eMSP (DE*MSP) at
`/ocpi/2.2.1/receiver/tariffs/{cc}/{pid}/{tariff_id}` (GET, PUT, DELETE; no PATCH in 2.2.1).
Sender: the eMSP pulls our own Tariffs from the CPO at `/ocpi/2.2.1/sender/tariffs`.
"""

import re
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from evroam.errors import EvroamError
from evroam.partners.client import next_link
from evroam.settings import Settings
from tests.contract.conftest import Pair
from tests.contract.locations_support import (
    LATER,
    TARIFFS_RECEIVER,
    TARIFFS_SENDER,
    Link,
    as_party,
    at,
    cpo_and_emsp_platform,
    data,
    emsp_at_cpo,
    held,
    ids,
    link,
    routing,
    status,
    store_own_tariff,
    tariff,
    two_cpos_at_one_emsp,
    unauthenticated,
)
from tests.examples import EXAMPLES, example
from tests.support import auth, platforms

T1 = f"{TARIFFS_RECEIVER}/NL/CPO/T1"
OFFICIAL = sorted(
    p.name for p in EXAMPLES.glob("tariff_*.json") if p.name != "tariff_put_example.json"
)
TIME = re.compile(r"([0-1][0-9]|2[0-3]):[0-5][0-9]")
DATE = re.compile(r"([12][0-9]{3})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])")


@pytest.fixture
async def cpo_in(pair: Pair) -> Link:
    """The CPO's way into the eMSP's Receiver."""
    _, cpo, emsp = pair
    return await link(cpo, emsp)


@pytest.fixture
async def pushed(cpo_in: Link) -> Link:
    """The eMSP holds T1 as the CPO pushed it."""
    assert (await cpo_in.put(T1, tariff())).status_code == 201
    return cpo_in


async def stored(link_: Link, path: str = T1) -> Any:
    return await held(link_, path)


def component(**fields: Any) -> dict[str, Any]:
    return {"type": "ENERGY", "price": 0.25, "step_size": 1, **fields}


def with_elements(*elements: dict[str, Any]) -> dict[str, Any]:
    return tariff(elements=list(elements))


def priced(*components: dict[str, Any]) -> dict[str, Any]:
    """A Tariff of one unrestricted element with these components."""
    return with_elements({"price_components": list(components)})


def restricted(**restrictions: Any) -> dict[str, Any]:
    """A Tariff of one ENERGY element with these restrictions."""
    return with_elements({"price_components": [component()], "restrictions": restrictions})


# ── Receiver (eMSP side) ───────────────────────────────────────────────────────────────────


class TestGetReceivedTariff:
    async def test_401_when_no_or_unknown_token(self, pushed: Link) -> None:
        """A.1, A.2."""
        assert await unauthenticated(pushed, "GET", T1) == [401, 401]

    async def test_returned_as_stored_when_known(self, pushed: Link) -> None:
        """H.214."""
        assert await stored(pushed) == tariff()

    async def test_found_when_ids_differ_in_case(self, pushed: Link) -> None:
        """A.46."""
        assert await stored(pushed, f"{TARIFFS_RECEIVER}/nl/cpo/t1") == tariff()

    async def test_routing_headers_name_both_parties_when_answered(self, pushed: Link) -> None:
        """A.29."""
        assert routing(await pushed.get(T1)) == ["DE", "MSP", "NL", "CPO"]

    async def test_404_when_unknown(self, pushed: Link) -> None:
        """A.37."""
        response = await pushed.get(f"{T1}X")
        assert response.status_code == 404
        assert 2000 <= status(response) < 3000

    async def test_404_when_party_not_of_this_connection(self, pushed: Link) -> None:
        """A.35."""
        assert (await pushed.get(f"{TARIFFS_RECEIVER}/DE/ALL/T1")).status_code == 404


class TestPutTariff:
    async def test_401_and_nothing_stored_when_no_or_unknown_token(self, cpo_in: Link) -> None:
        """A.1, A.2."""
        assert await unauthenticated(cpo_in, "PUT", T1, tariff()) == [401, 401]
        assert await stored(cpo_in) is None

    async def test_201_and_get_returns_equal_when_new(self, cpo_in: Link) -> None:
        """H.214, A.36; A.20: no data in the answer."""
        response = await cpo_in.put(T1, tariff())
        assert (response.status_code, status(response)) == (201, 1000)
        assert "data" not in response.json()
        assert await stored(cpo_in) == tariff()

    async def test_200_and_replaced_completely_when_existing(self, cpo_in: Link) -> None:
        """A.36, A.40: type and alt text left out of the new PUT are gone."""
        first = tariff(type="REGULAR", tariff_alt_text=[{"language": "en", "text": "Cheap"}])
        await cpo_in.put(T1, first)
        replacement = tariff(last_updated=LATER, currency="CHF")
        response = await cpo_in.put(T1, replacement)
        assert (response.status_code, status(response)) == (200, 1000)
        assert await stored(cpo_in) == replacement

    @pytest.mark.parametrize("name", OFFICIAL)
    async def test_get_returns_equal_when_official_example_put(
        self, cpo_in: Link, name: str
    ) -> None:
        """H.214 for every official Tariff, re-owned by NL*CPO; H.221: tariff_5's FLAT has
        step_size 0; H.226: the reservation examples price FLAT and TIME only."""
        body = as_party(example(name), "NL", "CPO")
        path = f"{TARIFFS_RECEIVER}/NL/CPO/{body['id']}"
        assert status(await cpo_in.put(path, body)) == 1000
        assert await stored(cpo_in, path) == body

    async def test_no_vat_kept_apart_from_zero_vat_when_stored(self, cpo_in: Link) -> None:
        """H.222: an absent `vat` (no VAT applicable) is not turned into 0, nor 0 dropped."""
        body = with_elements(
            {"price_components": [component()]},
            {"price_components": [component(type="TIME", price=2, vat=0)]},
        )
        assert status(await cpo_in.put(T1, body)) == 1000
        first, second = [e["price_components"][0] for e in (await stored(cpo_in))["elements"]]
        assert "vat" not in first
        assert second["vat"] == 0

    async def test_unknown_field_ignored_when_present(self, cpo_in: Link) -> None:
        assert status(await cpo_in.put(T1, {**tariff(), "x_vendor": [1]})) == 1000
        assert await stored(cpo_in) == tariff()

    @pytest.mark.parametrize(
        ("case", "body"),
        [
            ("A.32 id differs", tariff("T2")),
            ("A.33 country_code differs", tariff(country_code="BE")),
            ("A.34 party_id differs", tariff(party_id="CPX")),
            ("H.219 empty elements", tariff(elements=[])),
            ("H.219 no elements", {k: v for k, v in tariff().items() if k != "elements"}),
            ("H.220 no step_size", priced({"type": "FLAT", "price": 1})),
            ("empty price_components", priced()),
            ("H.225 time 7:00", restricted(start_time="7:00")),
            ("H.225 time 24:00", restricted(end_time="24:00")),
            ("H.225 date 2026/01/01", restricted(start_date="2026/01/01")),
            ("H.226 ENERGY in reservation", restricted(reservation="RESERVATION")),
            ("A.47 enum case", priced(component(type="energy"))),
            ("A.47 day case", restricted(day_of_week=["monday"])),
            ("A.49 currency 4", tariff(currency="EURO")),
            ("A.49 id 37", {**tariff(), "id": "T" * 37}),
            ("last_updated missing", {k: v for k, v in tariff().items() if k != "last_updated"}),
        ],
    )
    async def test_2001_and_nothing_stored_when_invalid(
        self, cpo_in: Link, case: str, body: dict[str, Any]
    ) -> None:
        response = await cpo_in.put(T1, body)
        assert (response.status_code, status(response)) == (200, 2001), case
        assert await stored(cpo_in) is None

    async def test_2001_when_official_put_example_lacks_last_updated(self, cpo_in: Link) -> None:
        """`tariff_put_example.json` has no last_updated, a required field (DIGEST §8.2)."""
        body = as_party(example("tariff_put_example.json"), "NL", "CPO")
        path = f"{TARIFFS_RECEIVER}/NL/CPO/{body['id']}"
        assert status(await cpo_in.put(path, body)) == 2001
        assert await stored(cpo_in, path) is None

    async def test_2001_and_unchanged_when_invalid_replacement(self, pushed: Link) -> None:
        assert status(await pushed.put(T1, tariff(last_updated=LATER, elements=[]))) == 2001
        assert await stored(pushed) == tariff()

    async def test_400_when_body_not_json(self, cpo_in: Link) -> None:
        """A.11."""
        headers = {**auth(cpo_in.token), "Content-Type": "application/json"}
        response = await cpo_in.server.client.put(T1, content=b"[1,", headers=headers)
        assert response.status_code == 400
        assert await stored(cpo_in) is None

    async def test_refused_and_nothing_stored_when_party_not_of_this_connection(
        self, cpo_in: Link
    ) -> None:
        """A.35."""
        path = f"{TARIFFS_RECEIVER}/DE/ALL/12"
        response = await cpo_in.put(path, example("tariff_1_simple_2hour.json"))
        assert response.status_code == 404
        assert (await cpo_in.get(path)).status_code == 404


class TestDeleteTariff:
    async def test_401_and_kept_when_no_or_unknown_token(self, pushed: Link) -> None:
        """A.1, A.2."""
        assert await unauthenticated(pushed, "DELETE", T1) == [401, 401]
        assert await stored(pushed) == tariff()

    async def test_gone_when_deleted(self, pushed: Link) -> None:
        """H.215; A.20: no data in the answer."""
        response = await pushed.call("DELETE", f"{TARIFFS_RECEIVER}/nl/cpo/t1")
        assert (response.status_code, status(response)) == (200, 1000)
        assert "data" not in response.json()
        assert (await pushed.get(T1)).status_code == 404

    async def test_404_when_unknown(self, pushed: Link) -> None:
        """A.37 (DELETE of an object that does not exist)."""
        response = await pushed.call("DELETE", f"{T1}X")
        assert response.status_code == 404
        assert await stored(pushed) == tariff()

    async def test_refused_and_kept_when_another_partners_tariff(
        self, make_settings: Callable[..., Settings]
    ) -> None:
        """A.35: NL*CPO cannot delete, overwrite or read FR*OTH's tariff at the same eMSP."""
        async with two_cpos_at_one_emsp(make_settings) as (ours, theirs):
            path = f"{TARIFFS_RECEIVER}/FR/OTH/T1"
            theirs_body = tariff(country_code="FR", party_id="OTH")
            assert status(await theirs.put(path, theirs_body)) == 1000
            takeover = tariff(last_updated=LATER, country_code="FR", party_id="OTH", currency="USD")
            for response in (
                await ours.call("DELETE", path),
                await ours.put(path, takeover),
                await ours.get(path),
            ):
                assert response.status_code == 404
            assert await stored(theirs, path) == theirs_body


class TestOtherTariffReceiverMethods:
    @pytest.mark.parametrize("method", ["PATCH", "POST"])
    async def test_405_and_unchanged_when_not_in_interface(self, pushed: Link, method: str) -> None:
        """H.216: no PATCH in 2.2.1; POST is not part of the interface either."""
        response = await pushed.call(method, T1, {"currency": "USD", "last_updated": LATER})
        assert response.status_code == 405
        assert await stored(pushed) == tariff()


# ── Sender (CPO side) ──────────────────────────────────────────────────────────────────────


@pytest.fixture
async def sender(make_settings: Callable[..., Settings]) -> AsyncIterator[Link]:
    """The eMSP's way into the CPO's Sender; the CPO serves pages of at most 3 objects."""
    async with emsp_at_cpo(make_settings) as link_:
        yield link_


async def own(link_: Link, *documents: dict[str, Any]) -> None:
    for document in documents:
        await store_own_tariff(link_.server, document)


class TestGetTariffs:
    async def test_401_when_no_or_unknown_token(self, sender: Link) -> None:
        """A.1, A.2."""
        assert await unauthenticated(sender, "GET", TARIFFS_SENDER) == [401, 401]

    async def test_first_page_and_headers_when_more_than_a_page(self, sender: Link) -> None:
        """H.218, B.55, B.56, B.65."""
        await own(sender, *(tariff(f"T{n}", at(n)) for n in range(4)))
        response = await sender.get(TARIFFS_SENDER)
        assert ids(response) == ["T0", "T1", "T2"]
        assert data(response)[0] == tariff("T0", at(0))
        assert (response.headers["X-Total-Count"], response.headers["X-Limit"]) == ("4", "3")
        expected = f"{sender.server.url(TARIFFS_SENDER)}?offset=3&limit=3"
        assert next_link(response.headers) == expected

    async def test_routing_headers_name_both_parties_when_answered(self, sender: Link) -> None:
        """A.29."""
        assert routing(await sender.get(TARIFFS_SENDER)) == ["NL", "CPO", "DE", "MSP"]

    async def test_rest_and_no_link_when_last_page(self, sender: Link) -> None:
        """B.58, B.60."""
        await own(sender, *(tariff(f"T{n}", at(n)) for n in range(4)))
        response = await sender.get(f"{TARIFFS_SENDER}?offset=3&limit=3")
        assert ids(response) == ["T3"]
        assert next_link(response.headers) is None
        assert response.headers["X-Limit"] == "3"

    async def test_from_inclusive_to_exclusive_when_date_window(self, sender: Link) -> None:
        """H.218, B.61, B.63, B.64; B.57: the next link keeps the window."""
        await own(sender, *(tariff(f"T{n}", at(n)) for n in range(6)))
        response = await sender.get(f"{TARIFFS_SENDER}?date_from={at(1)}&date_to={at(5)}")
        assert ids(response) == ["T1", "T2", "T3"]
        assert response.headers["X-Total-Count"] == "4"
        following = next_link(response.headers)
        assert following is not None
        assert ids(await sender.get(following)) == ["T4"]

    async def test_restrictions_in_spec_formats_when_emitted(self, sender: Link) -> None:
        """H.225 (times HH:MM, dates YYYY-MM-DD) and H.226 (reservation elements FLAT/TIME)."""
        for n, name in enumerate(
            ("tariff_4_complex.json", "tariff_18_reservation_with_expire_time.json")
        ):
            await own(sender, {**as_party(example(name), "NL", "CPO"), "id": f"X{n}"})
        emitted = data(await sender.get(TARIFFS_SENDER))
        restrictions = [
            (e.get("restrictions") or {}, e["price_components"])
            for item in emitted
            for e in item["elements"]
        ]
        assert any(r.get("reservation") for r, _ in restrictions)
        for restriction, components in restrictions:
            for name in ("start_time", "end_time"):
                assert name not in restriction or TIME.fullmatch(restriction[name])
            for name in ("start_date", "end_date"):
                assert name not in restriction or DATE.fullmatch(restriction[name])
            if restriction.get("reservation"):
                assert {c["type"] for c in components} <= {"FLAT", "TIME"}

    async def test_only_own_tariffs_when_partners_stored_here(
        self, make_settings: Callable[..., Settings]
    ) -> None:
        """B.62: a CPO+eMSP platform never emits the Tariffs partners pushed to it."""
        async with cpo_and_emsp_platform(make_settings) as (pushing, pulling):
            await store_own_tariff(pushing.server, tariff())
            body = tariff("T9", LATER, country_code="FR", party_id="OTH")
            assert status(await pushing.put(f"{TARIFFS_RECEIVER}/FR/OTH/T9", body)) == 1000
            for caller in (pushing, pulling):
                response = await caller.get(TARIFFS_SENDER)
                assert data(response) == [tariff()]
                assert response.headers["X-Total-Count"] == "1"

    async def test_own_tariff_untouched_when_partner_claims_our_party(
        self, make_settings: Callable[..., Settings]
    ) -> None:
        """A partner claiming our own party id is refused at registration, so it never gets a way
        to delete or replace our Tariffs; a Hub (which writes for the parties behind it) is
        refused for our parties with 404 and nothing changes."""
        hybrid = make_settings("hybrid", "CPO:NL:CPO", "EMSP:NL:MSP")
        twin = make_settings("twin", "CPO:NL:CPO")
        hub = make_settings("hub", "HUB:DE:HUB")
        async with platforms(hybrid, twin, hub) as (_, (h, t, b)):
            await store_own_tariff(h, tariff())
            with pytest.raises(EvroamError, match="hosted on this platform"):
                await link(t, h)
            hub_in = await link(b, h)
            assert (
                await hub_in.put(T1, tariff(last_updated=LATER, currency="USD"))
            ).status_code == 404
            assert (await hub_in.call("DELETE", T1)).status_code == 404
            assert data(await hub_in.get(TARIFFS_SENDER)) == [tariff()]
