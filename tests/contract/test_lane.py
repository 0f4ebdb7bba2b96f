"""Sender lists on the fast lane (protocol/lane.py): the same answers as the documented FastAPI
routes, which still show their parameters at /docs."""

from collections.abc import Callable
from typing import Any

import pytest

from evroam.protocol.context import Receive, Scope, Send
from evroam.protocol.lane import FastLane
from evroam.settings import Settings
from tests.contract.locations_support import (
    LOCATIONS_SENDER,
    TARIFFS_SENDER,
    at,
    emsp_at_cpo,
    location,
    store_own_location,
    store_own_tariff,
    tariff,
)
from tests.support import platforms

Answer = tuple[int, tuple[int, Any], str | None, str | None]
QUERIES = ("", "?limit=2", "?offset=1&limit=1", "?offset=-1", "?limit=x", "?date_from=bad")


async def _pass_through(lane: FastLane, scope: Scope, receive: Receive, send: Send) -> None:
    await lane.app(scope, receive, send)


class TestSenderLists:
    async def test_same_answers_with_and_without_the_lane(
        self, make_settings: Callable[..., Settings], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        async with emsp_at_cpo(make_settings) as link:
            for n in range(3):
                await store_own_location(link.server, location(f"L{n}", at(n)))
                await store_own_tariff(link.server, tariff(f"T{n}", at(n)))

            async def answers() -> list[Answer]:
                found: list[Answer] = []
                for path in (LOCATIONS_SENDER, TARIFFS_SENDER):
                    for query in QUERIES:
                        response = await link.get(path + query)
                        body = response.json()
                        found.append(
                            (
                                response.status_code,
                                (body["status_code"], body.get("data")),
                                response.headers.get("Link"),
                                response.headers.get("X-Total-Count"),
                            )
                        )
                return found

            on_lane = await answers()
            monkeypatch.setattr(FastLane, "__call__", _pass_through)
            assert await answers() == on_lane
        assert [code for _, (code, _), _, _ in on_lane] == [1000, 1000, 1000, 2001, 2001, 2001] * 2


class TestDocumentation:
    async def test_sender_lists_document_their_parameters(
        self, make_settings: Callable[..., Settings]
    ) -> None:
        async with platforms(make_settings("cpo", "CPO:NL:CPO")) as (_, (cpo,)):
            spec = (await cpo.client.get("/openapi.json")).json()
        for path in (LOCATIONS_SENDER, TARIFFS_SENDER):
            names = {p["name"] for p in spec["paths"][path]["get"]["parameters"]}
            assert names == {"Authorization", "offset", "limit", "date_from", "date_to", "cursor"}
