"""Tokens Sender of the eMSP: the list and real-time authorization (CONFORMANCE J.279–J.286).

The CPO (NL*CPO) calls the eMSP (DE*MSP) at `/ocpi/2.2.1/sender/tokens`.
"""

import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from evroam.partners.client import next_link
from evroam.protocol.context import Receive, Scope, Send
from evroam.protocol.lane import FastLane
from evroam.settings import Settings
from tests.contract.locations_support import LOCATIONS_RECEIVER, Link, evse, location
from tests.contract.tokens_support import (
    REQUIRED,
    TOKENS_SENDER,
    Roaming,
    data,
    own,
    roaming,
    status,
    token,
)
from tests.support import auth

UID = "012345678"
AUTHORIZE = f"{TOKENS_SENDER}/{UID}/authorize"
LOC1 = {"location_id": "LOC1", "evse_uids": ["E1", "E2"]}


@pytest.fixture
async def linked(make_settings: Callable[..., Settings]) -> AsyncIterator[Roaming]:
    async with roaming(make_settings) as found:
        yield found


@pytest.fixture
async def cpo_in(linked: Roaming) -> Link:
    """The CPO's way into the eMSP; the eMSP owns the RFID token 012345678."""
    await own(linked.emsp, token(UID))
    return linked.cpo_in


async def authorized(
    link_: Link, body: Any = None, query: str = "", path: str = AUTHORIZE
) -> dict[str, Any]:
    response = await link_.call("POST", path + query, body)
    found = data(response)
    assert isinstance(found, dict)
    return found


def stamp(minute: int) -> str:
    return f"2026-03-01T10:{minute:02d}:00Z"


class TestGetTokens:
    async def test_401_when_no_or_unknown_token(self, cpo_in: Link) -> None:
        """A.1, A.2."""
        client = cpo_in.server.client
        assert (await client.get(TOKENS_SENDER)).status_code == 401

    async def test_pages_follow_the_link_oldest_first(self, linked: Roaming) -> None:
        """J.279, B: X-Total-Count, X-Limit, Link rel=next, every page in creation order."""
        await own(linked.emsp, *(token(f"T{n}", last_updated=stamp(n)) for n in range(5)))
        first = await linked.cpo_in.get(f"{TOKENS_SENDER}?limit=2")
        assert [t["uid"] for t in data(first)] == ["T0", "T1"]
        assert first.headers["X-Total-Count"] == "5"
        link = next_link(first.headers)
        assert link is not None
        second = await linked.cpo_in.get(httpx.URL(link).raw_path.decode())
        assert [t["uid"] for t in data(second)] == ["T2", "T3"]

    async def test_date_window_selects_by_last_updated(self, linked: Roaming) -> None:
        """J.279: date_from inclusive, date_to exclusive (DIGEST §1.6)."""
        await own(linked.emsp, *(token(f"T{n}", last_updated=stamp(n)) for n in range(5)))
        response = await linked.cpo_in.get(
            TOKENS_SENDER, params={"date_from": stamp(1), "date_to": stamp(3)}
        )
        assert [t["uid"] for t in data(response)] == ["T1", "T2"]
        assert response.headers["X-Total-Count"] == "2"

    async def test_listed_tokens_carry_every_required_field(self, cpo_in: Link) -> None:
        """J.294."""
        [listed] = data(await cpo_in.get(TOKENS_SENDER))
        assert listed == token(UID)
        assert set(REQUIRED) <= set(listed)


class TestAuthorize:
    async def test_401_when_no_token(self, cpo_in: Link) -> None:
        """A.1."""
        assert (await cpo_in.server.client.post(AUTHORIZE)).status_code == 401

    async def test_allowed_with_the_complete_token_when_known(self, cpo_in: Link) -> None:
        """J.280: 1000, `allowed` and the complete Token; a fresh reference each time."""
        first = await authorized(cpo_in)
        second = await authorized(cpo_in)
        assert first["allowed"] == "ALLOWED"
        assert first["token"] == token(UID)
        references = {first["authorization_reference"], second["authorization_reference"]}
        assert len(references) == 2
        assert all(0 < len(r) <= 36 for r in references)

    async def test_404_with_2004_and_no_data_when_unknown(self, cpo_in: Link) -> None:
        """J.281."""
        response = await cpo_in.call("POST", f"{TOKENS_SENDER}/NOPE/authorize")
        assert (response.status_code, status(response)) == (404, 2004)
        assert "data" not in response.json()

    async def test_2002_when_the_token_needs_a_location_and_none_sent(
        self, linked: Roaming
    ) -> None:
        """J.282: a Token limited to some Locations cannot be judged without one."""
        await own(linked.emsp, token("LIMITED"), policy={"locations": [LOC1]})
        response = await linked.cpo_in.call("POST", f"{TOKENS_SENDER}/LIMITED/authorize")
        assert status(response) == 2002

    async def test_only_the_evses_the_token_may_use_are_returned(self, linked: Roaming) -> None:
        """J.283: asked for E1 and E3 of LOC1, the Token may use E1 and E2 there."""
        await own(linked.emsp, token("LIMITED"), policy={"locations": [LOC1]})
        path = f"{TOKENS_SENDER}/LIMITED/authorize"
        asked = {"location_id": "LOC1", "evse_uids": ["E1", "E3"]}
        answer = await authorized(linked.cpo_in, asked, path=path)
        assert answer["allowed"] == "ALLOWED"
        assert answer["location"] == {"location_id": "LOC1", "evse_uids": ["E1"]}
        elsewhere = await authorized(linked.cpo_in, {"location_id": "LOC2"}, path=path)
        assert elsewhere["allowed"] == "NOT_ALLOWED"
        assert "location" not in elsewhere
        assert "authorization_reference" not in elsewhere

    async def test_asked_location_returned_when_the_token_may_charge_anywhere(
        self, cpo_in: Link
    ) -> None:
        """J.283 without limits: every asked EVSE is allowed."""
        assert (await authorized(cpo_in, LOC1))["location"] == LOC1

    async def test_app_user_authorized_apart_from_the_rfid_token(self, linked: Roaming) -> None:
        """J.284: the blocked APP_USER with the RFID card's uid is not the card."""
        app_user = token(UID, "APP_USER", whitelist="NEVER", valid=False)
        await own(linked.emsp, token(UID), app_user)
        answer = await authorized(linked.cpo_in, query="?type=APP_USER")
        assert (answer["allowed"], answer["token"]["type"]) == ("BLOCKED", "APP_USER")
        card = await authorized(linked.cpo_in)
        assert (card["allowed"], card["token"]["type"]) == ("ALLOWED", "RFID")

    async def test_no_authorization_without_the_authorize_suffix(self, cpo_in: Link) -> None:
        """J.285: POST {uid} is no authorization request."""
        response = await cpo_in.call("POST", f"{TOKENS_SENDER}/{UID}")
        assert response.status_code in (404, 405)
        assert status(response) != 1000
        assert "data" not in response.json()

    async def test_allowed_whatever_the_evse_status_and_opening_hours(
        self, linked: Roaming
    ) -> None:
        """J.286: the eMSP's copy of the Location is out of order and closed for a century."""
        closed = {
            "twentyfourseven": False,
            "regular_hours": [{"weekday": 1, "period_begin": "08:00", "period_end": "09:00"}],
            "exceptional_closings": [
                {"period_begin": "2000-01-01T00:00:00Z", "period_end": "2100-01-01T00:00:00Z"}
            ],
        }
        body = location(evses=[evse("E1", status="OUTOFORDER")], opening_times=closed)
        to_emsp = linked.cpo_in
        assert status(await to_emsp.put(f"{LOCATIONS_RECEIVER}/NL/CPO/LOC1", body)) == 1000
        await own(linked.emsp, token(UID))
        answer = await authorized(to_emsp, {"location_id": "LOC1", "evse_uids": ["E1"]})
        assert answer["allowed"] == "ALLOWED"
        assert answer["location"] == {"location_id": "LOC1", "evse_uids": ["E1"]}

    async def test_allowed_follows_the_token_and_its_policy(self, linked: Roaming) -> None:
        """J.280: a refusal names why, with a line to show the driver and no reference."""
        cases: list[tuple[str, dict[str, Any], dict[str, Any] | None, str]] = [
            ("B1", {"valid": False}, None, "BLOCKED"),
            ("E1", {}, {"expires_at": "2020-01-01T00:00:00Z"}, "EXPIRED"),
            ("N1", {}, {"no_credit": True}, "NO_CREDIT"),
            ("A1", {}, {"expires_at": "2100-01-01T00:00:00Z"}, "ALLOWED"),
        ]
        for uid, changes, policy, allowed in cases:
            await own(linked.emsp, token(uid, **changes), policy=policy)
            answer = await authorized(linked.cpo_in, path=f"{TOKENS_SENDER}/{uid}/authorize")
            assert answer["allowed"] == allowed, uid
            assert ("authorization_reference" in answer) is (allowed == "ALLOWED"), uid
            assert ("info" in answer) is (allowed != "ALLOWED"), uid

    async def test_2001_when_request_is_malformed(self, cpo_in: Link) -> None:
        for query, body in (
            ("?type=CARD", None),
            ("", {"evse_uids": ["E1"]}),
            ("", {"location_id": "L" * 37}),
            ("", {"location_id": "LOC1", "evse_uids": "E1"}),
        ):
            response = await cpo_in.call("POST", AUTHORIZE + query, body)
            assert (response.status_code, status(response)) == (200, 2001), (query, body)

    async def test_addressed_party_must_be_ours(self, cpo_in: Link) -> None:
        """A.29: OCPI-to-* names one of our parties, else 2001."""
        ours = {"OCPI-to-country-code": "DE", "OCPI-to-party-id": "MSP"}
        other = {"OCPI-to-country-code": "DE", "OCPI-to-party-id": "XYZ"}
        assert status(await cpo_in.call("POST", AUTHORIZE, headers=ours)) == 1000
        assert status(await cpo_in.call("POST", AUTHORIZE, headers=other)) == 2001


async def _pass_through(lane: FastLane, scope: Scope, receive: Receive, send: Send) -> None:
    await lane.app(scope, receive, send)


class TestFastLane:
    """The fast lane (protocol/lane.py, modules/tokens/lane.py) answers as the documented
    FastAPI route does."""

    CASES: tuple[tuple[str, str, bytes | None, bool], ...] = (
        # path, query, body, authenticated
        (UID, "", None, True),
        (UID, "", json.dumps(LOC1).encode(), True),
        (UID, "", b"null", True),
        (UID, "?type=RFID&x=1", None, True),
        ("NOPE", "", None, True),
        (UID, "?type=APP_USER", None, True),
        (UID, "?type=CARD", None, True),
        (UID, "?type=", None, True),
        (UID, "", b"{", True),
        (UID, "", b'{"evse_uids": ["E1"]}', True),
        ("U" * 37, "", None, True),
        ("LIMITED", "", None, True),
        ("LIMITED", "", json.dumps(LOC1).encode(), True),
        (UID, "", None, False),
    )

    async def answers(self, link_: Link) -> list[tuple[int, int, Any]]:
        found = []
        for uid, query, body, authenticated in self.CASES:
            headers = auth(link_.token) if authenticated else {}
            if body is not None:
                headers["Content-Type"] = "application/json"
            response = await link_.server.client.post(
                f"{TOKENS_SENDER}/{uid}/authorize{query}", content=body, headers=headers
            )
            envelope = response.json()
            answer = envelope.get("data")
            if isinstance(answer, dict) and "authorization_reference" in answer:
                answer["authorization_reference"] = len(answer["authorization_reference"])
            found.append((response.status_code, envelope["status_code"], answer))
        return found

    async def test_same_statuses_and_data_with_and_without_the_lane(
        self, linked: Roaming, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        await own(linked.emsp, token(UID))
        await own(linked.emsp, token("LIMITED"), policy={"locations": [LOC1]})
        with_lane = await self.answers(linked.cpo_in)
        monkeypatch.setattr(FastLane, "__call__", _pass_through)
        assert await self.answers(linked.cpo_in) == with_lane
        assert [(status, code) for status, code, _ in with_lane] == [
            (200, 1000),
            (200, 1000),
            (200, 1000),
            (200, 1000),
            (404, 2004),
            (404, 2004),
            (200, 2001),
            (200, 2001),
            (400, 2001),
            (200, 2001),
            (200, 2001),
            (200, 2002),
            (200, 1000),
            (401, 2000),
        ]

    async def test_answer_carries_request_ids_and_routing_headers(self, cpo_in: Link) -> None:
        response = await cpo_in.call("POST", AUTHORIZE, headers={"X-Request-ID": "r-1"})
        assert response.headers["X-Request-ID"] == "r-1"
        assert response.headers["OCPI-from-party-id"] == "MSP"
        assert response.headers["OCPI-to-party-id"] == "CPO"

    async def test_413_when_the_body_is_too_large(
        self, make_settings: Callable[..., Settings]
    ) -> None:
        """Told by Content-Length, or found while a chunked body streams in."""
        async with roaming(make_settings, http={"max_body_bytes": 1024}) as found:
            await own(found.emsp, token(UID))
            body = json.dumps({"location_id": "LOC1", "evse_uids": ["E" * 30] * 60}).encode()

            async def chunks() -> AsyncIterator[bytes]:
                for start in range(0, len(body), 256):
                    yield body[start : start + 256]

            client, headers = found.cpo_in.server.client, auth(found.cpo_in.token)
            for content in (body, chunks()):
                response = await client.post(AUTHORIZE, content=content, headers=headers)
                assert (response.status_code, status(response)) == (413, 2001)
