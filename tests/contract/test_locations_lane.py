"""PUT and PATCH of the Locations Receiver on the fast lane (modules/locations/lane.py): the same
answers and the same stored Locations as the documented FastAPI routes (CONFORMANCE A.1, A.32–A.38,
E.133, E.134, E.137; the §5.1 last_updated cascade)."""

import json
from typing import Any

import pytest

from evroam.protocol.context import Receive, Scope, Send
from evroam.protocol.lane import FastLane
from tests.contract.conftest import Pair
from tests.contract.locations_support import (
    LOCATIONS_RECEIVER,
    Link,
    at,
    connector,
    evse,
    link,
    location,
)
from tests.support import auth

JSON = {"Content-Type": "application/json"}

# method, path below the Receiver (LID: the Location of this run), body, headers, with a token
Case = tuple[str, str, bytes | None, dict[str, str], bool]


def body(value: Any) -> bytes:
    return json.dumps(value).encode()


def cases(lid: str) -> list[Case]:
    own, e1, c1 = f"/NL/CPO/{lid}", f"/NL/CPO/{lid}/EVSE1", f"/NL/CPO/{lid}/EVSE1/1"
    two = [evse(), evse("EVSE2", connectors=[connector(), connector("2")])]
    return [
        ("PUT", own, body(location(lid, evses=two)), JSON, True),
        ("PUT", own, body(location(lid, at(1), evses=two)), JSON, True),
        ("PATCH", e1, body({"status": "CHARGING", "last_updated": at(2)}), JSON, True),
        ("GET", own, None, {}, True),
        ("PATCH", e1.lower(), body({"status": "BLOCKED", "last_updated": at(3)}), JSON, True),
        ("PATCH", c1, body({"max_voltage": 400, "last_updated": at(4)}), JSON, True),
        ("PATCH", own, body({"name": "Other", "last_updated": at(5)}), JSON, True),
        ("GET", own, None, {}, True),
        ("PATCH", e1, body({"status": "CHARGING"}), JSON, True),  # A.38
        ("PATCH", e1, body({"status": "NOPE", "last_updated": at(6)}), JSON, True),
        ("PATCH", e1, body({"uid": "OTHER", "last_updated": at(6)}), JSON, True),
        (
            "PATCH",
            e1,
            body({"connectors": [connector(), connector()], "last_updated": at(6)}),
            JSON,
            True,
        ),
        ("PATCH", f"{own}/NOPE", body({"status": "CHARGING", "last_updated": at(6)}), JSON, True),
        ("PATCH", f"{e1}/9", body({"max_voltage": 1, "last_updated": at(6)}), JSON, True),
        (
            "PATCH",
            "/NL/CPO/NOPE/EVSE1",
            body({"status": "CHARGING", "last_updated": at(6)}),
            JSON,
            True,
        ),
        ("PATCH", e1, body([1]), JSON, True),
        ("PATCH", e1, b"{", JSON, True),
        ("PATCH", e1, b"", JSON, True),
        ("PATCH", e1, body({"status": "CHARGING", "last_updated": at(6)}), {}, True),
        ("PATCH", e1, body({"status": "CHARGING", "last_updated": at(6)}), {}, False),  # A.1
        ("PATCH", f"/DE/MSP/{lid}/EVSE1", body({"last_updated": at(6)}), JSON, True),  # A.35
        ("PATCH", "/NLD/CP/" + "X" * 37, body({"last_updated": at(6)}), JSON, True),
        ("PUT", f"{own}/EVSE3", body(evse("EVSE3", at(7))), JSON, True),
        ("PUT", f"{own}/EVSE3", body(evse("EVSE4", at(7))), JSON, True),  # E.133
        ("PUT", f"{own}/EVSE3/5", body(connector("5", at(8))), JSON, True),
        ("PUT", f"{own}/EVSE3/5", body(connector("6", at(8))), JSON, True),  # E.134
        ("PUT", f"{own}/EVSE3/5", body({**connector("5", at(8)), "standard": "X"}), JSON, True),
        ("PUT", "/NL/CPO/NOPE/EVSE3", body(evse("EVSE3", at(7))), JSON, True),
        ("PUT", "/NL/CPO/OTHER", body(location(lid)), JSON, True),  # A.32
        ("GET", own, None, {}, True),
        ("PUT", own, b"[", JSON, False),  # the body is read before the caller is known
    ]


async def _pass_through(lane: FastLane, scope: Scope, receive: Receive, send: Send) -> None:
    await lane.app(scope, receive, send)


class TestFastLane:
    async def answers(self, cpo_in: Link, lid: str) -> list[tuple[Any, ...]]:
        found: list[tuple[Any, ...]] = []
        for method, path, content, headers, authenticated in cases(lid):
            headers = {**(auth(cpo_in.token) if authenticated else {}), **headers}
            response = await cpo_in.server.client.request(
                method, LOCATIONS_RECEIVER + path, content=content, headers=headers
            )
            envelope = response.json()
            held = envelope.get("data") if method == "GET" else None
            if held is not None:
                held = {**held, "id": "LID"}
            routing = response.headers.get("OCPI-from-party-id")
            found.append((response.status_code, envelope["status_code"], routing, held))
        return found

    async def test_same_answers_and_store_with_and_without_the_lane(
        self, pair: Pair, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        _, cpo, emsp = pair
        cpo_in = await link(cpo, emsp)
        with_lane = await self.answers(cpo_in, "LANE")
        monkeypatch.setattr(FastLane, "__call__", _pass_through)
        assert await self.answers(cpo_in, "ROUTE") == with_lane
        assert [answer[:2] for answer in with_lane] == [
            (201, 1000),
            (200, 1000),
            (200, 1000),
            (200, 1000),
            (200, 1000),
            (200, 1000),
            (200, 1000),
            (200, 1000),
            (200, 2001),
            (200, 2001),
            (200, 2001),
            (200, 2001),
            (404, 2000),
            (404, 2000),
            (404, 2000),
            (200, 2001),
            (400, 2001),
            (200, 2001),
            (200, 2001),
            (401, 2000),
            (404, 2000),
            (200, 2001),
            (201, 1000),
            (200, 2001),
            (201, 1000),
            (200, 2001),
            (200, 2001),
            (200, 2003),
            (200, 2001),
            (200, 1000),
            (400, 2001),
        ]
        first, later = with_lane[3][3], with_lane[7][3]
        assert (first["evses"][0]["status"], first["last_updated"]) == ("CHARGING", at(2))
        assert later["name"] == "Other"
        assert later["evses"][0]["status"] == "BLOCKED"
        assert later["evses"][0]["connectors"][0]["max_voltage"] == 400
        assert later["evses"][0]["last_updated"] == at(4)  # cascaded from the Connector
        assert with_lane[-2][3]["evses"][2]["connectors"][1]["id"] == "5"
