"""Session PUT and PATCH of the Receiver on the fast lane (modules/sessions/lane.py): the same
answers and the same stored Sessions as the documented FastAPI routes (CONFORMANCE F.166–F.172,
F.176; A.1, A.2, A.35)."""

import json
from typing import Any

import pytest

from evroam.protocol.context import Receive, Scope, Send
from evroam.protocol.lane import FastLane
from tests.contract.conftest import Pair
from tests.contract.locations_support import Link, link
from tests.contract.sessions_support import SESSIONS_RECEIVER, period, session
from tests.support import auth

LATER = "2026-03-01T10:30:00Z"
JSON = {"Content-Type": "application/json"}

# method, path below the Receiver (SID: the session of this run), body, headers, with a token
Case = tuple[str, str, bytes | None, dict[str, str], bool]


def body(value: Any) -> bytes:
    return json.dumps(value).encode()


def cases(sid: str) -> list[Case]:
    own = f"/NL/CPO/{sid}"
    patch = {"kwh": 2, "charging_periods": [period(LATER)], "last_updated": LATER}
    return [
        ("PUT", own, body(session(sid, charging_periods=[period()])), JSON, True),  # F.166
        ("PUT", own, body(session(sid, charging_periods=[period(), period()])), JSON, True),
        ("PATCH", own, body(patch), JSON, True),  # F.169
        ("PATCH", own, body({"kwh": 3, "last_updated": LATER}), JSON, True),  # F.170
        ("GET", own, None, {}, True),
        ("PATCH", own, body({"kwh": 4}), JSON, True),  # F.171
        ("PATCH", own, body({"kwh": "x", "last_updated": LATER}), JSON, True),
        ("PATCH", own, body({"id": "OTHER", "last_updated": LATER}), JSON, True),
        ("PATCH", own, body([1, 2]), JSON, True),
        ("PATCH", own, b"{", JSON, True),
        ("PATCH", own, b"", JSON, True),
        ("PATCH", own, body({"kwh": 5, "last_updated": LATER}), {}, True),
        ("PATCH", own, body({"kwh": 5, "last_updated": LATER}), {"Content-Type": "text/x"}, True),
        ("PATCH", own, body({"kwh": 6, "last_updated": LATER}), {}, False),  # A.1
        ("PATCH", f"{own}/charging_periods", body({"last_updated": LATER}), JSON, True),  # F.172
        ("PATCH", "/NL/CPO/UNKNOWN", body({"kwh": 1, "last_updated": LATER}), JSON, True),
        ("PATCH", "/DE/MSP/" + sid, body({"kwh": 1, "last_updated": LATER}), JSON, True),  # A.35
        ("PATCH", "/NLD/CP/" + "X" * 37, body({"last_updated": LATER}), JSON, True),
        ("PUT", own, body({**session(sid), "status": "FINISHED"}), JSON, True),
        ("PUT", "/NL/CPO/OTHER", body(session(sid)), JSON, True),
        ("PUT", own, body(session(sid, status="COMPLETED")), JSON, True),
        ("PATCH", own, body({"kwh": 9, "last_updated": LATER}), JSON, True),  # F.176
        ("PUT", own, body(session(sid, status="COMPLETED")), JSON, True),
        ("PUT", own, body(session(sid)), {**JSON, "OCPI-to-party-id": "XXX"}, True),
        ("PUT", own, b"[", JSON, False),  # the body is read before the caller is known
    ]


async def _pass_through(lane: FastLane, scope: Scope, receive: Receive, send: Send) -> None:
    await lane.app(scope, receive, send)


class TestFastLane:
    async def answers(self, cpo_in: Link, sid: str) -> list[tuple[Any, ...]]:
        found: list[tuple[Any, ...]] = []
        for method, path, content, headers, authenticated in cases(sid):
            headers = {**(auth(cpo_in.token) if authenticated else {}), **headers}
            response = await cpo_in.server.client.request(
                method, SESSIONS_RECEIVER + path, content=content, headers=headers
            )
            envelope = response.json()
            routing = response.headers.get("OCPI-from-party-id")
            held = envelope.get("data") if method == "GET" else None
            if held is not None:
                held = {**held, "id": "SID", "cdr_token": None}
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
            (200, 2001),
            (200, 2001),
            (200, 2001),
            (200, 2001),
            (400, 2001),
            (200, 2001),
            (200, 2001),
            (200, 2001),
            (401, 2000),
            (404, 2000),
            (404, 2000),
            (404, 2000),
            (200, 2001),
            (200, 2001),
            (200, 2001),
            (200, 1000),
            (200, 2001),
            (200, 1000),
            (200, 2001),
            (400, 2001),
        ]
        held = with_lane[4][3]
        assert held["kwh"] == 3
        assert [p["start_date_time"] for p in held["charging_periods"]] == [
            "2026-03-01T10:00:00Z",
            "2026-03-01T10:00:00Z",
            "2026-03-01T10:30:00Z",
        ]
        final = await cpo_in.get(f"{SESSIONS_RECEIVER}/NL/CPO/LANE")
        assert final.json()["data"]["status"] == "COMPLETED"
        assert "charging_periods" not in final.json()["data"]  # F.168
