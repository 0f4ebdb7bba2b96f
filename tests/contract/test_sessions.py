"""Sessions over HTTP, both interfaces (CONFORMANCE F.158–F.184, 2.2.1; A.1, A.2, A.35–A.38).

Receiver: the CPO (NL*CPO) pushes to the eMSP (DE*MSP) at
`/ocpi/2.2.1/receiver/sessions/{cc}/{pid}/{session_id}` (GET, PUT, PATCH).
Sender: an eMSP pulls the CPO's own Sessions at `/ocpi/2.2.1/sender/sessions` and sets
charging preferences at `/{session_id}/charging_preferences`.
"""

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from evroam.modules.sessions.model import Session
from evroam.modules.sessions.repository import SessionRepository
from evroam.settings import Settings
from tests.contract.conftest import Pair
from tests.contract.locations_support import (
    Link,
    as_party,
    data,
    held,
    ids,
    link,
    routing,
    status,
    store_own_location,
    store_own_tariff,
    tariff,
    unauthenticated,
)
from tests.contract.sessions_support import (
    SESSIONS_RECEIVER,
    SESSIONS_SENDER,
    STAMP,
    Roaming,
    capable_location,
    period,
    roaming,
    session,
    token,
)
from tests.examples import example

S1 = f"{SESSIONS_RECEIVER}/NL/CPO/S1"
LATER = "2026-03-01T10:30:00Z"
REQUIRED = (
    "country_code",
    "party_id",
    "id",
    "start_date_time",
    "kwh",
    "cdr_token",
    "auth_method",
    "location_id",
    "evse_uid",
    "connector_id",
    "currency",
    "status",
    "last_updated",
)
TOKEN_FIELDS = ("country_code", "party_id", "uid", "type", "contract_id")
STATUSES = ("ACTIVE", "COMPLETED", "INVALID", "PENDING", "RESERVATION")
OFFICIAL = ("session_example_1_simple_start.json", "session_example_2_short_finished.json")


@pytest.fixture
async def cpo_in(pair: Pair) -> Link:
    """The CPO's way into the eMSP's Receiver."""
    _, cpo, emsp = pair
    return await link(cpo, emsp)


@pytest.fixture
async def pushed(cpo_in: Link) -> Link:
    """The eMSP holds S1 (ACTIVE, one period) as the CPO pushed it."""
    response = await cpo_in.put(S1, session(charging_periods=[period()]))
    assert response.status_code == 201, response.text
    return cpo_in


async def stored(link_: Link, path: str = S1) -> Any:
    return await held(link_, path)


def periods_of(document: dict[str, Any]) -> list[dict[str, Any]]:
    return list(document.get("charging_periods") or [])


def without(body: dict[str, Any], field: str, inside: str | None = None) -> dict[str, Any]:
    """A copy of `body` without `field` (of its `inside` object, if given)."""
    copy = {**body, **({inside: dict(body[inside])} if inside else {})}
    del (copy[inside] if inside else copy)[field]
    return copy


# ── Receiver (eMSP side) ───────────────────────────────────────────────────────────────────


class TestGetReceivedSession:
    async def test_401_when_no_or_unknown_token(self, pushed: Link) -> None:
        """A.1, A.2."""
        assert await unauthenticated(pushed, "GET", S1) == [401, 401]

    async def test_returned_as_stored_with_routing_headers_when_known(self, pushed: Link) -> None:
        """F.166, A.29."""
        assert await stored(pushed) == session(charging_periods=[period()])
        assert routing(await pushed.get(S1)) == ["DE", "MSP", "NL", "CPO"]

    async def test_404_when_unknown_or_party_not_of_this_connection(self, pushed: Link) -> None:
        """A.35."""
        for path in (f"{S1}X", f"{SESSIONS_RECEIVER}/FR/OTH/S1"):
            response = await pushed.get(path)
            assert response.status_code == 404, path
            assert 2000 <= status(response) < 3000


class TestPutSession:
    async def test_401_and_nothing_stored_when_no_or_unknown_token(self, cpo_in: Link) -> None:
        """A.1, A.2."""
        assert await unauthenticated(cpo_in, "PUT", S1, session()) == [401, 401]
        assert await stored(cpo_in) is None

    async def test_201_and_get_returns_equal_when_new(self, cpo_in: Link) -> None:
        """F.166, A.36; no data in the answer."""
        response = await cpo_in.put(S1, session())
        assert (response.status_code, status(response)) == (201, 1000)
        assert "data" not in response.json()
        assert await stored(cpo_in) == session()

    async def test_get_returns_equal_when_official_example_put(self, cpo_in: Link) -> None:
        """F.166 for the official Sessions, re-owned by NL*CPO."""
        for name in OFFICIAL:
            body = as_party(example(name), "NL", "CPO")
            path = f"{SESSIONS_RECEIVER}/NL/CPO/{body['id']}"
            assert status(await cpo_in.put(path, body)) == 1000, name
            got = Session.model_validate(await stored(cpo_in, path))
            assert got == Session.model_validate(body), name

    async def test_periods_replaced_when_existing(self, pushed: Link) -> None:
        """F.167: the new list replaces the stored one."""
        new = [period("2026-03-01T10:20:00Z", 4), period("2026-03-01T10:25:00Z", 2)]
        response = await pushed.put(S1, session("S1", LATER, charging_periods=new))
        assert (response.status_code, status(response)) == (200, 1000)
        assert periods_of(await stored(pushed)) == new

    async def test_periods_cleared_when_absent_or_empty(self, pushed: Link) -> None:
        """F.168: a PUT without charging_periods, or with [], leaves none stored."""
        for body in (session("S1", LATER), session("S1", LATER, charging_periods=[])):
            assert status(await pushed.put(S1, body)) == 1000
            assert periods_of(await stored(pushed)) == []
            await pushed.put(S1, session(charging_periods=[period()]))

    async def test_session_only_dimensions_accepted_when_in_periods(self, cpo_in: Link) -> None:
        """F.184: CURRENT, ENERGY_EXPORT, ENERGY_IMPORT, POWER, STATE_OF_CHARGE."""
        rich = period(CURRENT=16, ENERGY_EXPORT=0, ENERGY_IMPORT=1.5, POWER=11, STATE_OF_CHARGE=42)
        assert status(await cpo_in.put(S1, session(charging_periods=[rich]))) == 1000
        assert periods_of(await stored(cpo_in)) == [rich]

    async def test_2001_and_nothing_stored_when_status_not_a_spec_value(self, cpo_in: Link) -> None:
        """F.175 (the spec's text once wrote RESERVED; the enum is RESERVATION)."""
        for value in ("RESERVED", "STOPPED", "active"):
            assert status(await cpo_in.put(S1, session(status=value))) == 2001, value
        assert await stored(cpo_in) is None
        for value in STATUSES:  # each its own session: COMPLETED and INVALID are final
            path = f"{SESSIONS_RECEIVER}/NL/CPO/S-{value}"
            assert status(await cpo_in.put(path, session(f"S-{value}", status=value))) == 1000

    async def test_2001_and_nothing_stored_when_required_field_missing(self, cpo_in: Link) -> None:
        """F.173 (what we accept, we would emit), F.174 (each CdrToken field)."""
        for field in REQUIRED:
            assert status(await cpo_in.put(S1, without(session(), field))) == 2001, field
        for field in TOKEN_FIELDS:
            body = without(session(), field, inside="cdr_token")
            assert status(await cpo_in.put(S1, body)) == 2001, field
        assert await stored(cpo_in) is None

    async def test_total_cost_is_a_price_and_absent_stays_absent(self, cpo_in: Link) -> None:
        """F.180: a Price needs excl_vat; a Session without total_cost keeps none (not 0)."""
        assert status(await cpo_in.put(S1, session(total_cost={"incl_vat": 1}))) == 2001
        assert status(await cpo_in.put(S1, session())) == 1000
        assert "total_cost" not in await stored(cpo_in)
        patched = {"total_cost": {"excl_vat": 0}, "last_updated": LATER}
        assert status(await cpo_in.patch(S1, patched)) == 1000
        assert (await stored(cpo_in))["total_cost"] == {"excl_vat": 0}

    async def test_2001_and_nothing_stored_when_url_and_body_differ(self, cpo_in: Link) -> None:
        """A.37, DIGEST §1.7: id, country_code or party_id."""
        for path, body in (
            (f"{SESSIONS_RECEIVER}/NL/CPO/S2", session()),
            (S1, session(country_code="FR")),
            (S1, session(party_id="OTH")),
        ):
            assert status(await cpo_in.put(path, body)) == 2001, body
            assert await stored(cpo_in, path) is None

    async def test_404_and_nothing_stored_when_party_not_of_this_connection(
        self, cpo_in: Link
    ) -> None:
        """A.35: a CPO cannot write another CPO's Sessions."""
        path = f"{SESSIONS_RECEIVER}/FR/OTH/S1"
        response = await cpo_in.put(path, session(country_code="FR", party_id="OTH"))
        assert response.status_code == 404
        assert await stored(cpo_in, path) is None

    async def test_2001_and_kept_when_completed_session_changed(self, pushed: Link) -> None:
        """F.176: a COMPLETED session is final; our receiver refuses a different one, and
        answers 1000 to the same final state sent again."""
        final = session("S1", LATER, status="COMPLETED", end_date_time=LATER, kwh=5)
        assert status(await pushed.put(S1, final)) == 1000
        changed = session("S1", "2026-03-01T10:40:00Z", status="ACTIVE", kwh=7)
        assert status(await pushed.put(S1, changed)) == 2001
        assert await stored(pushed) == final
        again = await pushed.put(S1, final)
        assert (again.status_code, status(again)) == (200, 1000)


class TestPatchSession:
    async def test_401_when_no_or_unknown_token(self, pushed: Link) -> None:
        """A.1, A.2."""
        assert await unauthenticated(pushed, "PATCH", S1, {"last_updated": LATER}) == [401, 401]

    async def test_periods_appended_when_given(self, pushed: Link) -> None:
        """F.169 with the official PATCH example: its period follows the stored one."""
        body = example("session_patch_example_charging_period.json")
        response = await pushed.patch(S1, body)
        assert (response.status_code, status(response)) == (200, 1000)
        held_now = await stored(pushed)
        assert periods_of(held_now) == [period(), *body["charging_periods"]]
        cost = {"excl_vat": 0.8, "incl_vat": 0.88}
        assert (held_now["kwh"], held_now["total_cost"]) == (15, cost)

    async def test_periods_unchanged_when_absent_or_empty(self, pushed: Link) -> None:
        """F.170 with the official total_cost PATCH: only total_cost and last_updated change."""
        extras: list[dict[str, Any]] = [{}, {"charging_periods": []}]
        for extra in extras:
            body = example("session_patch_example_total_cost.json") | extra
            assert status(await pushed.patch(S1, body)) == 1000
            expected = session(
                "S1",
                body["last_updated"],
                charging_periods=[period()],
                total_cost=body["total_cost"],
            )
            assert await stored(pushed) == expected, extra

    async def test_only_given_fields_change_when_patched(self, pushed: Link) -> None:
        """DIGEST §1.7: omitted fields stay."""
        assert status(await pushed.patch(S1, {"kwh": 3.25, "last_updated": LATER})) == 1000
        assert await stored(pushed) == session("S1", LATER, kwh=3.25, charging_periods=[period()])

    async def test_2001_and_nothing_changed_when_last_updated_missing(self, pushed: Link) -> None:
        """F.171."""
        body = {"kwh": 9, "charging_periods": [period(LATER)]}
        assert status(await pushed.patch(S1, body)) == 2001
        assert await stored(pushed) == session(charging_periods=[period()])

    async def test_not_supported_when_sub_path(self, pushed: Link) -> None:
        """F.172: only the whole Session URL takes a PATCH."""
        body = {"charging_periods": [period(LATER)], "last_updated": LATER}
        for suffix in ("/charging_periods", "/cdr_token", "/EVSE1"):
            response = await pushed.patch(S1 + suffix, body)
            assert response.status_code in (404, 405), suffix
            assert status(response) != 1000
        assert await stored(pushed) == session(charging_periods=[period()])

    async def test_404_and_nothing_created_when_unknown(self, cpo_in: Link) -> None:
        response = await cpo_in.patch(S1, {"kwh": 1, "last_updated": LATER})
        assert response.status_code == 404
        assert await stored(cpo_in) is None

    async def test_2001_and_nothing_changed_when_invalid(self, pushed: Link) -> None:
        """A.37: a body id other than the URL's; F.175: a status not of the spec."""
        for body in (
            {"id": "S2", "last_updated": LATER},
            {"status": "RESERVED", "last_updated": LATER},
        ):
            assert status(await pushed.patch(S1, body)) == 2001, body
        assert await stored(pushed) == session(charging_periods=[period()])

    async def test_2001_and_nothing_changed_when_completed(self, pushed: Link) -> None:
        """F.176: no change after COMPLETED, not even an appended period; the same final
        state again is answered 1000."""
        await pushed.patch(S1, {"status": "COMPLETED", "last_updated": LATER})
        final = await stored(pushed)
        appended = {"charging_periods": [period(LATER)], "last_updated": "2026-03-01T11:00:00Z"}
        assert status(await pushed.patch(S1, appended)) == 2001
        assert status(await pushed.patch(S1, {"status": "ACTIVE", "last_updated": LATER})) == 2001
        assert await stored(pushed) == final
        same = await pushed.patch(S1, {"status": "COMPLETED", "last_updated": LATER})
        assert status(same) == 1000

    async def test_each_answered_on_its_own_when_sent_together(self, pushed: Link) -> None:
        """F.169, F.176: concurrent PATCHes are stored together (one transaction), each
        refusal stays its own, and every acknowledged period is there once (concurrent calls
        have no order among themselves)."""
        s2 = f"{SESSIONS_RECEIVER}/NL/CPO/S2"
        await pushed.put(s2, session("S2", status="COMPLETED", end_date_time=LATER))
        bodies = [{"charging_periods": [period(at(m))], "last_updated": at(m)} for m in range(10)]
        answers = await asyncio.gather(
            *(pushed.patch(S1, body) for body in bodies),
            pushed.patch(f"{S1}X", bodies[0]),
            pushed.patch(s2, bodies[0]),
        )
        assert [status(a) for a in answers] == [1000] * 10 + [2000, 2001]
        first, *added = periods_of(await stored(pushed))
        expected = [b["charging_periods"][0] for b in bodies]
        assert (first, sorted(added, key=str)) == (period(), sorted(expected, key=str))
        assert periods_of(await stored(pushed, s2)) == []

    async def test_session_only_dimensions_appended_when_patched(self, pushed: Link) -> None:
        """F.184."""
        extra = period(LATER, POWER=22, STATE_OF_CHARGE=80, CURRENT=32)
        body = {"charging_periods": [extra], "last_updated": LATER}
        assert status(await pushed.patch(S1, body)) == 1000
        assert periods_of(await stored(pushed)) == [period(), extra]


# ── Sender (CPO side) ──────────────────────────────────────────────────────────────────────


@pytest.fixture
async def net(make_settings: Callable[..., Settings]) -> AsyncIterator[Roaming]:
    async with roaming(make_settings, http={"page_limit": 2}) as found:
        yield found


async def store_own(net: Roaming, *documents: dict[str, Any]) -> None:
    """Our own Sessions, as the charging flow stored them (partner_id NULL)."""
    async with net.cpo.platform.unit_of_work() as db:
        for document in documents:
            await SessionRepository(db).store(Session.model_validate(document), partner_id=None)


def at(minute: int) -> str:
    return f"2026-03-01T10:{minute:02d}:00Z"


def others(session_id: str, minute: int) -> dict[str, Any]:
    """A Session of ours whose token is FR*OTH's."""
    return session(session_id, at(minute), cdr_token=token("FR", "OTH"))


class TestGetSessions:
    async def test_401_when_no_or_unknown_token(self, net: Roaming) -> None:
        """A.1, A.2."""
        path = f"{SESSIONS_SENDER}?date_from={STAMP}"
        assert await unauthenticated(net.emsp_at_cpo, "GET", path) == [401, 401]

    async def test_2001_when_date_from_missing(self, net: Roaming) -> None:
        """F.158."""
        await store_own(net, session("S1", at(1)))
        response = await net.emsp_at_cpo.get(SESSIONS_SENDER)
        assert (response.status_code, status(response)) == (200, 2001)

    async def test_only_the_callers_sessions_when_listed(self, net: Roaming) -> None:
        """F.159: the sessions of DE*MSP's tokens to DE*MSP, FR*OTH's to FR*OTH, never crossed;
        nothing at all for a caller with none."""
        await store_own(net, session("S1", at(1)), others("O1", 2), session("S2", at(3)))
        mine = await net.emsp_at_cpo.get(SESSIONS_SENDER, params={"date_from": STAMP, "limit": 9})
        theirs = await net.other_at_cpo.get(SESSIONS_SENDER, params={"date_from": STAMP})
        assert (ids(mine), mine.headers["X-Total-Count"]) == (["S1", "S2"], "2")
        assert (ids(theirs), theirs.headers["X-Total-Count"]) == (["O1"], "1")
        late = await net.other_at_cpo.get(SESSIONS_SENDER, params={"date_from": at(3)})
        assert (ids(late), late.headers["X-Total-Count"]) == ([], "0")

    async def test_window_is_date_from_inclusive_date_to_exclusive(self, net: Roaming) -> None:
        """F.159, B.61, B.62."""
        await store_own(net, *(session(f"S{m}", at(m)) for m in (1, 2, 3, 4)))
        window = {"date_from": at(2), "date_to": at(4)}
        assert ids(await net.emsp_at_cpo.get(SESSIONS_SENDER, params=window)) == ["S2", "S3"]

    async def test_paginated_with_link_when_more_than_a_page(self, net: Roaming) -> None:
        """F.159, B.63–B.66: pages of 2 (X-Limit), Link to the rest, total of the window."""
        await store_own(net, *(session(f"S{m}", at(m)) for m in range(1, 6)), others("O1", 6))
        page = await net.emsp_at_cpo.get(SESSIONS_SENDER, params={"date_from": STAMP})
        assert (page.headers["X-Total-Count"], page.headers["X-Limit"]) == ("5", "2")
        seen = ids(page)
        while "Link" in page.headers:
            url = page.headers["Link"].split(";")[0].strip("<>")
            page = await net.emsp_at_cpo.get(url.removeprefix("http://cpo.test"))
            seen += ids(page)
        assert seen == ["S1", "S2", "S3", "S4", "S5"]

    async def test_every_required_field_present_when_emitted(self, net: Roaming) -> None:
        """F.173, F.174, F.175."""
        await store_own(net, session("S1", at(1), charging_periods=[period()]))
        (emitted,) = data(await net.emsp_at_cpo.get(SESSIONS_SENDER, params={"date_from": STAMP}))
        assert all(field in emitted for field in REQUIRED)
        assert set(emitted["cdr_token"]) >= set(TOKEN_FIELDS)
        assert emitted["status"] in STATUSES


PREFS = f"{SESSIONS_SENDER}/S1/charging_preferences"
FUTURE = "2099-01-01T18:00:00Z"


def preferences(**extra: Any) -> dict[str, Any]:
    return {"profile_type": "REGULAR", "departure_time": FUTURE, "energy_need": 20, **extra}


async def stored_preferences(net: Roaming) -> Any:
    async with net.cpo.platform.sessions() as db:
        row = await SessionRepository(db).own_by_id("S1")
    return None if row is None else row.charging_preferences


@pytest.fixture
async def charging(net: Roaming) -> Roaming:
    """S1 of ours, ACTIVE on EVSE1 of LOC1 (capable), with DE*MSP's token."""
    await store_own_location(net.cpo, capable_location())
    await store_own(net, session("S1", at(1)))
    return net


class TestPutChargingPreferences:
    async def test_401_when_no_or_unknown_token(self, charging: Roaming) -> None:
        """A.1, A.2."""
        link_ = charging.emsp_at_cpo
        assert await unauthenticated(link_, "PUT", PREFS, preferences()) == [401, 401]

    async def test_accepted_and_kept_when_evse_capable(self, charging: Roaming) -> None:
        """F.160: 1000 with one ChargingPreferencesResponse string as data."""
        response = await charging.emsp_at_cpo.put(PREFS, preferences())
        assert (response.status_code, data(response)) == (200, "ACCEPTED")
        assert await stored_preferences(charging) == preferences()

    async def test_404_with_2001_when_evse_not_capable(self, net: Roaming) -> None:
        """F.161; also when we hold no such Location at all."""
        await store_own(net, session("S1", at(1)))
        response = await net.emsp_at_cpo.put(PREFS, preferences())
        assert (response.status_code, status(response)) == (404, 2001)
        await store_own_location(net.cpo, capable_location(capable=False))
        response = await net.emsp_at_cpo.put(PREFS, preferences())
        assert (response.status_code, status(response)) == (404, 2001)
        assert await stored_preferences(net) is None

    async def test_not_accepted_without_suffix(self, charging: Roaming) -> None:
        """F.162: `/{session_id}` alone takes no preferences."""
        for method in ("PUT", "POST", "PATCH"):
            path = f"{SESSIONS_SENDER}/S1"
            response = await charging.emsp_at_cpo.call(method, path, preferences())
            assert response.status_code in (404, 405), method
        assert await stored_preferences(charging) is None

    async def test_404_when_session_unknown_or_of_another_emsp(self, charging: Roaming) -> None:
        """F.163; F.159: FR*OTH cannot reach DE*MSP's session, nor learn that it exists."""
        unknown = f"{SESSIONS_SENDER}/NOPE/charging_preferences"
        for link_, path in ((charging.emsp_at_cpo, unknown), (charging.other_at_cpo, PREFS)):
            response = await link_.put(path, preferences())
            assert response.status_code == 404, path
            assert 2000 <= status(response) < 3000
        assert await stored_preferences(charging) is None

    async def test_2001_when_profile_type_missing(self, charging: Roaming) -> None:
        """F.164."""
        body = without(preferences(), "profile_type")
        assert status(await charging.emsp_at_cpo.put(PREFS, body)) == 2001

    async def test_answer_names_what_is_missing_when_not_accepted(self, charging: Roaming) -> None:
        """F.165 (we plan by departure); nothing is kept."""
        for body, answer in (
            ({"profile_type": "REGULAR", "energy_need": 20}, "DEPARTURE_REQUIRED"),
            ({"profile_type": "REGULAR", "departure_time": FUTURE}, "ENERGY_NEED_REQUIRED"),
            (preferences(profile_type="GREEN"), "PROFILE_TYPE_NOT_SUPPORTED"),
            (preferences(departure_time="2020-01-01T00:00:00Z"), "NOT_POSSIBLE"),
        ):
            assert data(await charging.emsp_at_cpo.put(PREFS, body)) == answer
        assert await stored_preferences(charging) is None

    async def test_profile_supported_when_connector_has_its_tariff(self, net: Roaming) -> None:
        """F.165: a ProfileType needs a Tariff of its type at the connector."""
        await store_own_tariff(net.cpo, tariff("CHEAP", type="PROFILE_CHEAP"))
        await store_own_location(net.cpo, capable_location(tariff_ids=["T1", "CHEAP"]))
        await store_own(net, session("S1", at(1)))
        body = preferences(profile_type="CHEAP")
        assert data(await net.emsp_at_cpo.put(PREFS, body)) == "ACCEPTED"

    async def test_not_possible_when_session_completed(self, net: Roaming) -> None:
        await store_own_location(net.cpo, capable_location())
        await store_own(net, session("S1", at(1), status="COMPLETED", end_date_time=at(2)))
        assert data(await net.emsp_at_cpo.put(PREFS, preferences())) == "NOT_POSSIBLE"
