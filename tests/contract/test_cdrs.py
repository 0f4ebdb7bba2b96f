"""CDRs over HTTP, both interfaces (CONFORMANCE G.186–G.212, 2.2.1; A.1, A.2, A.35).

Receiver: the CPO (NL*CPO) POSTs to the eMSP (DE*MSP) at `/ocpi/2.2.1/receiver/cdrs` and the
CDR is read back at the URL of the answer's `Location` header. Sender: an eMSP pulls the
CPO's own CDRs at `/ocpi/2.2.1/sender/cdrs`. Our own CDRs: `issue_cdr`.
"""

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from sqlalchemy import func, select

from evroam.errors import EvroamError
from evroam.modules.cdrs.model import Cdr
from evroam.modules.cdrs.publish import credit_cdr, issue_cdr
from evroam.modules.cdrs.repository import cdrs
from evroam.protocol.timestamps import format_datetime
from evroam.settings import Settings
from evroam.storage.documents import ObjectKey
from tests.contract.conftest import Pair
from tests.contract.locations_support import (
    Link,
    as_party,
    data,
    held,
    ids,
    link,
    status,
    unauthenticated,
)
from tests.contract.sessions_support import (
    CDRS_RECEIVER,
    CDRS_SENDER,
    Roaming,
    cdr,
    period,
    roaming,
    token,
)
from tests.examples import example
from tests.support import Running

TOTALS = ("total_cost", "total_energy", "total_time", "start_date_time", "end_date_time")


@pytest.fixture
async def cpo_in(pair: Pair) -> Link:
    """The CPO's way into the eMSP's Receiver."""
    _, cpo, emsp = pair
    return await link(cpo, emsp)


async def post(link_: Link, body: dict[str, Any]) -> Any:
    return await link_.call("POST", CDRS_RECEIVER, body)


def location_path(response: Any) -> str:
    url = response.headers["Location"]
    assert isinstance(url, str)
    assert url.startswith("http://emsp.test/")
    return url.removeprefix("http://emsp.test")


async def stored_count(running: Running) -> int:
    async with running.platform.sessions() as db:
        return int((await db.execute(select(func.count()).select_from(cdrs))).scalar_one())


def signed(length: int) -> dict[str, Any]:
    """SignedData whose plain_data and signed_data are `length` characters long."""
    value = {"nature": "Start", "plain_data": "p" * length, "signed_data": "s" * length}
    return {"encoding_method": "OCMF", "signed_values": [value]}


# ── Receiver (eMSP side) ───────────────────────────────────────────────────────────────────


class TestPostCdr:
    async def test_401_and_nothing_stored_when_no_or_unknown_token(self, cpo_in: Link) -> None:
        """A.1, A.2."""
        assert await unauthenticated(cpo_in, "POST", CDRS_RECEIVER, cdr()) == [401, 401]
        assert await stored_count(cpo_in.server) == 0

    async def test_1000_and_location_of_the_stored_cdr_when_new(self, cpo_in: Link) -> None:
        """G.186, G.187: GET at the Location URL returns the same CDR."""
        response = await post(cpo_in, cdr())
        assert (response.status_code, status(response)) == (201, 1000)
        assert location_path(response) == f"{CDRS_RECEIVER}/NL/CPO/CDR1"
        assert await held(cpo_in, location_path(response)) == cdr()

    async def test_get_returns_equal_when_official_example_posted(self, cpo_in: Link) -> None:
        """G.186, G.187 with the official CDR (its tariff and time-only period), as NL*CPO's."""
        body = as_party(example("cdr_example.json"), "NL", "CPO")
        response = await post(cpo_in, body)
        assert status(response) == 1000
        got = await held(cpo_in, location_path(response))
        assert Cdr.model_validate(got) == Cdr.model_validate(body)

    async def test_one_cdr_and_same_location_when_posted_twice(self, cpo_in: Link) -> None:
        """G.211: a repeated POST (same CDR, stamped anew) creates nothing; 1000 again."""
        first = await post(cpo_in, cdr())
        again = await post(cpo_in, cdr(last_updated="2026-03-02T00:00:00Z"))
        assert (again.status_code, status(again)) == (200, 1000)
        assert again.headers["Location"] == first.headers["Location"]
        assert await stored_count(cpo_in.server) == 1
        assert await held(cpo_in, location_path(first)) == cdr()

    async def test_2001_and_kept_when_other_data_under_a_stored_id(self, cpo_in: Link) -> None:
        """G.197, G.211: a CDR never changes; the first one stays."""
        first = await post(cpo_in, cdr())
        assert status(await post(cpo_in, cdr(total_cost={"excl_vat": 99}))) == 2001
        assert await held(cpo_in, location_path(first)) == cdr()

    async def test_stored_when_id_up_to_39_and_2001_when_over(self, cpo_in: Link) -> None:
        """G.189."""
        assert status(await post(cpo_in, cdr("C" * 40))) == 2001
        assert await stored_count(cpo_in.server) == 0
        for cdr_id in ("C" * 36, "D" * 39):
            response = await post(cpo_in, cdr(cdr_id))
            assert status(response) == 1000
            assert (await held(cpo_in, location_path(response)))["id"] == cdr_id

    async def test_2001_when_credit_without_reference(self, cpo_in: Link) -> None:
        """G.190."""
        assert status(await post(cpo_in, cdr("CDR1-C", credit=True))) == 2001
        assert await stored_count(cpo_in.server) == 0

    async def test_stored_when_credit_names_its_reference(self, cpo_in: Link) -> None:
        """G.198 (received)."""
        body = cdr("CDR1-C", credit=True, credit_reference_id="CDR1")
        body["total_cost"] = {"excl_vat": -0.375, "incl_vat": -0.45}
        assert status(await post(cpo_in, body)) == 1000

    async def test_2001_when_charging_periods_empty_or_missing(self, cpo_in: Link) -> None:
        """G.191."""
        without = cdr()
        del without["charging_periods"]
        for body in (without, cdr(charging_periods=[])):
            assert status(await post(cpo_in, body)) == 2001
        assert await stored_count(cpo_in.server) == 0

    async def test_2001_when_required_total_missing(self, cpo_in: Link) -> None:
        """G.192."""
        for field in TOTALS:
            body = cdr()
            del body[field]
            assert status(await post(cpo_in, body)) == 2001, field
        assert await stored_count(cpo_in.server) == 0

    async def test_signed_values_up_to_5000(self, cpo_in: Link) -> None:
        """G.210: plain_data and signed_data string(5000) (erratum), carried unchanged."""
        assert status(await post(cpo_in, cdr(signed_data=signed(5001)))) == 2001
        response = await post(cpo_in, cdr(signed_data=signed(5000)))
        assert status(response) == 1000
        assert (await held(cpo_in, location_path(response)))["signed_data"] == signed(5000)

    async def test_2001_and_nothing_stored_when_party_not_of_this_connection(
        self, cpo_in: Link
    ) -> None:
        """A.35: a CPO cannot deliver another CPO's CDRs."""
        assert status(await post(cpo_in, cdr(country_code="FR", party_id="OTH"))) == 2001
        assert await stored_count(cpo_in.server) == 0

    async def test_405_and_nothing_changed_when_not_post_or_get(self, cpo_in: Link) -> None:
        """G.188: PUT, PATCH and DELETE, on the list and on a CDR's URL."""
        first = await post(cpo_in, cdr())
        for path in (CDRS_RECEIVER, location_path(first)):
            for method in ("PUT", "PATCH", "DELETE"):
                response = await cpo_in.call(method, path, cdr(total_cost={"excl_vat": 1}))
                assert response.status_code == 405, (method, path)
        assert await held(cpo_in, location_path(first)) == cdr()


class TestGetReceivedCdr:
    async def test_404_when_unknown_or_party_not_of_this_connection(self, cpo_in: Link) -> None:
        """A.35: an unknown CDR, or another party's, is not found (2xxx)."""
        for path in (f"{CDRS_RECEIVER}/NL/CPO/NOPE", f"{CDRS_RECEIVER}/FR/OTH/CDR1"):
            response = await cpo_in.get(path)
            assert response.status_code == 404, path
            assert 2000 <= status(response) < 3000


# ── Sender (CPO side) and our own CDRs ─────────────────────────────────────────────────────


@pytest.fixture
async def net(make_settings: Callable[..., Settings]) -> AsyncIterator[Roaming]:
    async with roaming(make_settings, http={"page_limit": 2}) as found:
        yield found


async def issue(net: Roaming, *documents: dict[str, Any]) -> list[Cdr]:
    """Issue our CDRs one after the other, each at least a millisecond after the previous."""
    issued = []
    for document in documents:
        issued.append(await issue_cdr(net.cpo.platform, Cdr.model_validate(document)))
        await asyncio.sleep(0.002)
    return issued


def others(cdr_id: str) -> dict[str, Any]:
    """A CDR of ours whose token is FR*OTH's."""
    return cdr(cdr_id, cdr_token=token("FR", "OTH"))


class TestGetCdrs:
    async def test_401_when_no_or_unknown_token(self, net: Roaming) -> None:
        """A.1, A.2."""
        assert await unauthenticated(net.emsp_at_cpo, "GET", CDRS_SENDER) == [401, 401]

    async def test_only_the_callers_cdrs_when_listed(self, net: Roaming) -> None:
        """G.196: DE*MSP sees the CDRs of its tokens, FR*OTH those of its own."""
        await issue(net, cdr("C1"), others("O1"), cdr("C2"))
        mine = await net.emsp_at_cpo.get(CDRS_SENDER, params={"limit": 9})
        theirs = await net.other_at_cpo.get(CDRS_SENDER)
        assert (ids(mine), mine.headers["X-Total-Count"]) == (["C1", "C2"], "2")
        assert (ids(theirs), theirs.headers["X-Total-Count"]) == (["O1"], "1")

    async def test_last_updated_is_creation_time_when_filtered(self, net: Roaming) -> None:
        """G.195: the CDR's last_updated is when we issued it; date_from/date_to filter on it."""
        _, second, third = await issue(net, cdr("C1"), cdr("C2"), cdr("C3"))
        window = {
            "date_from": format_datetime(second.last_updated),
            "date_to": format_datetime(third.last_updated),
        }
        (listed,) = data(await net.emsp_at_cpo.get(CDRS_SENDER, params=window))
        assert (listed["id"], listed["last_updated"]) == ("C2", window["date_from"])

    async def test_paginated_when_more_than_a_page(self, net: Roaming) -> None:
        """G.195, B.63: pages of 2 with a Link to the next."""
        await issue(net, *(cdr(f"C{n}") for n in range(1, 4)))
        first = await net.emsp_at_cpo.get(CDRS_SENDER)
        assert (ids(first), first.headers["X-Total-Count"]) == (["C1", "C2"], "3")
        url = first.headers["Link"].split(";")[0].strip("<>").removeprefix("http://cpo.test")
        assert ids(await net.emsp_at_cpo.get(url)) == ["C3"]


class TestIssueCdr:
    async def test_refused_when_not_emittable(self, net: Roaming) -> None:
        """G.193: no Session-only dimension, even if the charger reported one; G.189: 37–39
        characters are for Credit CDRs; G.198: a Credit CDR names one of our CDRs."""
        for body, reason in (
            (cdr(charging_periods=[period(POWER=11)]), "Session-only"),
            (cdr("C" * 37), "36"),
            (cdr("X-C", credit=True, credit_reference_id="X"), "no CDR"),
        ):
            with pytest.raises(EvroamError, match=reason):
                await issue(net, body)
        assert ids(await net.emsp_at_cpo.get(CDRS_SENDER)) == []

    async def test_never_changed_when_issued_again(self, net: Roaming) -> None:
        """G.197."""
        await issue(net, cdr("C1"))
        with pytest.raises(EvroamError, match="never changes"):
            await issue(net, cdr("C1", total_cost={"excl_vat": 9}))
        (listed,) = data(await net.emsp_at_cpo.get(CDRS_SENDER))
        assert listed["total_cost"] == cdr()["total_cost"]

    async def test_corrected_cdr_follows_its_credit_when_issued(self, net: Roaming) -> None:
        """G.197–G.199: the original, its Credit CDR, then a corrected CDR with a new id and
        no credit fields; all three listed, none changed."""
        await issue(net, cdr("C1"))
        credit = await credit_cdr(net.cpo.platform, ObjectKey("NL", "CPO", "C1"))
        await issue(net, cdr("C2", total_cost={"excl_vat": 0.3}))
        first = await net.emsp_at_cpo.get(CDRS_SENDER)  # pages of 2
        url = first.headers["Link"].split(";")[0].strip("<>").removeprefix("http://cpo.test")
        listed = data(first) + data(await net.emsp_at_cpo.get(url))
        assert [c["id"] for c in listed] == ["C1", "C1-C", "C2"]
        assert (credit.credit, credit.credit_reference_id) == (True, "C1")
        assert "credit" not in listed[2]
        assert listed[0]["total_cost"] == cdr()["total_cost"]
