"""The fast lane (protocol/lane.py): its routes answered before the framework, errors as the
framework's handlers write them, every other request passed on untouched."""

import json
import re
from typing import Any

import httpx
import pytest
from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import Response

from evroam.errors import NotFound
from evroam.protocol.context import Receive, Scope, Send
from evroam.protocol.envelope import OcpiResponse
from evroam.protocol.lane import FastLane, lane_route


class Strict(BaseModel):
    n: int


async def ok(_: Request, found: re.Match[str]) -> Response:
    return OcpiResponse({"uid": found.group(1)} if found.groups() else "listed")


async def unknown(_: Request, __: re.Match[str]) -> Response:
    raise NotFound("Unknown thing X")


async def invalid(_: Request, __: re.Match[str]) -> Response:
    Strict.model_validate({"n": "many"})
    raise AssertionError("unreachable")


async def broken(_: Request, __: re.Match[str]) -> Response:
    raise RuntimeError("a bug")


async def framework(scope: Scope, receive: Receive, send: Send) -> None:
    """Stands for FastAPI: answers 299 to whatever reaches it."""
    await Response(b"framework", status_code=299)(scope, receive, send)


LANE = FastLane(
    framework,
    routes=[
        lane_route("GET", "/ocpi/x/list", ok),
        lane_route("POST", "/ocpi/x/list", ok, tail="/([^/]+)/go"),
        lane_route("GET", "/ocpi/x/unknown", unknown),
        lane_route("GET", "/ocpi/x/invalid", invalid),
        lane_route("GET", "/ocpi/x/broken", broken),
    ],
)


async def call(method: str, path: str) -> httpx.Response:
    transport = httpx.ASGITransport(app=LANE)
    async with httpx.AsyncClient(transport=transport, base_url="http://lane.test") as client:
        return await client.request(method, path)


def body(response: httpx.Response) -> Any:
    return json.loads(response.content)


class TestRoutes:
    async def test_answers_its_route_when_method_and_path_match(self) -> None:
        response = await call("GET", "/ocpi/x/list")
        assert response.status_code == 200
        assert body(response)["data"] == "listed"

    async def test_passes_parameters_when_the_tail_matches(self) -> None:
        assert body(await call("POST", "/ocpi/x/list/U1/go"))["data"] == {"uid": "U1"}

    @pytest.mark.parametrize(
        ("method", "path"),
        [
            ("POST", "/ocpi/x/list"),  # another method
            ("GET", "/ocpi/x/list/"),  # not the whole path
            ("GET", "/ocpi/x/listing"),
            ("POST", "/ocpi/x/list/U1/go/more"),
        ],
    )
    async def test_passes_on_when_the_route_does_not_match(self, method: str, path: str) -> None:
        response = await call(method, path)
        assert response.status_code == 299
        assert response.content == b"framework"


class TestErrors:
    async def test_an_ocpi_error_is_its_envelope_and_http_status(self) -> None:
        response = await call("GET", "/ocpi/x/unknown")
        assert response.status_code == 404
        assert body(response)["status_code"] == 2000

    async def test_invalid_data_is_2001(self) -> None:
        response = await call("GET", "/ocpi/x/invalid")
        assert response.status_code == 200
        assert body(response)["status_code"] == 2001

    async def test_a_bug_is_3000_with_http_500_and_logged(
        self, caplog: pytest.LogCaptureFixture
    ) -> None:
        response = await call("GET", "/ocpi/x/broken")
        assert response.status_code == 500
        assert body(response)["status_code"] == 3000
        assert "a bug" not in response.text
        assert any(record.exc_info for record in caplog.records)
