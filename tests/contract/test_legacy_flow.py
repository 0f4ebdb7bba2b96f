"""OCPI 2.1.1 end to end in process: an eMSP that speaks only 2.1.1 connects to our CPO, which
speaks both, and the whole charging story runs over 2.1.1 (DIGEST §16-§17; CONFORMANCE A.6,
A.7, A.45, A.51, C.80, D.99, E.157, F.185, G.213, J.298, K.326-327,
O.373-375). Both sides store 2.2.1: each converts at its edge, and the requests between
them are checked against the 2.1.1 shapes here, and against strict models written from the
2.1.1 spec text (tests/unit/versions/wire_2_1_1.py)."""

import json
import re
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from pydantic import ValidationError

from evroam.modules.cdrs.reconciliation import Status, known_for, reconcile_cdr
from evroam.modules.commands.model import ReserveNow, StartSession, StopSession
from evroam.modules.commands.sending import get_sent, send_command
from evroam.modules.locations.repository import LocationRepository
from evroam.modules.tokens.publish import NewToken, issue_token
from evroam.protocol.auth import TokenEncoding, encode_token
from evroam.settings import Settings
from evroam.storage.documents import ObjectKey
from tests.contract.charging_support import (
    STILL,
    Flow,
    charging,
    priced_site,
    stored_cdrs,
    stored_sessions,
)
from tests.contract.commands_support import command_token
from tests.support import partner_named, platforms
from tests.unit.versions import wire_2_1_1 as wire

URL = "http://emsp.test/ocpi/2.1.1/emsp/commands/X/C1"
ONLY_2_2_1 = {
    "country_code",
    "party_id",
    "publish",
    "publish_allowed_to",
    "parking_type",
    "cdr_token",
    "cdr_location",
    "contract_id",
    "end_date_time",
    "max_voltage",
    "max_amperage",
    "tariff_ids",
    "authorization_reference",
    "timeout",
}


@pytest.fixture
async def flow(make_settings: Callable[..., Settings]) -> AsyncIterator[Flow]:
    cpo = make_settings("cpo", "CPO:NL:CPO", **STILL)
    emsp = make_settings("emsp", "EMSP:DE:MSP", versions=["2.1.1"])
    async with platforms(cpo, emsp) as (router, (a, b)):
        yield await charging(router, a, b, priced_site())


def sent_to(flow: Flow, host: str) -> list[httpx.Request]:
    return [r for r in flow.router.requests if r.url.host == host]


def body_of(request: httpx.Request) -> Any:
    return json.loads(request.content) if request.content else None


def strings(document: Any) -> list[str]:
    """Every string value anywhere in a JSON document."""
    if isinstance(document, str):
        return [document]
    if isinstance(document, dict):
        return [s for v in document.values() for s in strings(v)]
    if isinstance(document, list):
        return [s for v in document for s in strings(v)]
    return []


def keys(document: Any) -> set[str]:
    """Every key anywhere in a JSON document."""
    if isinstance(document, dict):
        return set(document) | {k for v in document.values() for k in keys(v)}
    if isinstance(document, list):
        return {k for v in document for k in keys(v)}
    return set()


# A 2.1.1 request path: /ocpi/2.1.1/{cpo|emsp}/{module}/{segments after the endpoint…}
LEGACY_PATH = re.compile(
    r"^/ocpi/2\.1\.1/(?P<side>cpo|emsp)/(?P<module>[a-z]+)(?P<rest>(/[^/]+)*)/?$"
)
LOCATION_LEVELS: dict[int, type[wire.Wire]] = {
    3: wire.Location,  # {country_code}/{party_id}/{location_id}
    4: wire.EVSE,  # …/{evse_uid}
    5: wire.Connector,  # …/{evse_uid}/{connector_id}
}


def wire_model(request: httpx.Request) -> type[wire.Wire]:
    """The 2.1.1 object a request to a 2.1.1 interface carries, by its module, interface and
    path (Locations §2.2, Sessions §2.2, CDRs §2.2, Tariffs §2.2, Tokens §2.1, Commands §2,
    credentials.md §1)."""
    if request.url.path.rstrip("/") == "/ocpi/2.1.1/credentials":
        return wire.Credentials
    match = LEGACY_PATH.match(request.url.path)
    assert match, f"not a 2.1.1 functional path: {request.method} {request.url.path}"
    side, module = match["side"], match["module"]
    rest = [s for s in match["rest"].split("/") if s]
    if (side, module) == ("emsp", "locations"):
        return LOCATION_LEVELS[len(rest)]
    if (side, module) == ("cpo", "commands"):
        return wire.COMMANDS[rest[0]]  # the CommandType ends the path
    by_module: dict[tuple[str, str], type[wire.Wire]] = {
        ("emsp", "sessions"): wire.Session,
        ("emsp", "cdrs"): wire.CDR,
        ("emsp", "tariffs"): wire.Tariff,
        ("emsp", "commands"): wire.CommandResponse,  # the callback to a response_url
        ("cpo", "tokens"): wire.Token,
        ("emsp", "tokens"): wire.LocationReferences,  # POST {token_uid}/authorize
    }
    return by_module[(side, module)]


def check_2_1_1_bodies(requests: list[httpx.Request]) -> tuple[set[tuple[str, str]], list[str]]:
    """Validate each request body as the 2.1.1 object it carries (a PATCH: each field it
    gives): what was checked, as (method, object), and what is invalid, as
    `METHOD path: field: error`."""
    checked: set[tuple[str, str]] = set()
    invalid: list[str] = []
    for request in requests:
        if request.method not in ("PUT", "PATCH", "POST") or not request.content:
            continue
        model = wire_model(request)
        check = wire.validate_patch if request.method == "PATCH" else wire.validate
        checked.add((request.method, model.__name__))
        try:
            check(model, body_of(request))
        except ValidationError as exc:
            invalid += [
                f"{request.method} {request.url.path}: {'.'.join(map(str, e['loc']))}: {e['msg']}"
                for e in exc.errors()
            ]
    return checked, invalid


def assert_valid_2_1_1(flow: Flow, *, including: set[tuple[str, str]]) -> None:
    """Every body sent to a 2.1.1 interface, either way, is valid per the 2.1.1 spec text
    (wire_2_1_1.py), and among them are the (method, object) pairs `including` names."""
    legacy = [r for r in flow.router.requests if r.url.path.startswith("/ocpi/2.1.1/")]
    checked, invalid = check_2_1_1_bodies(legacy)
    assert including <= checked, including - checked
    assert not invalid, invalid


async def start(flow: Flow) -> str:
    command = StartSession(
        response_url=URL, token=command_token(), location_id="LOC1", evse_uid="AC"
    )
    sent = await send_command(flow.emsp.platform, "cpo", command)
    await flow.settle()
    assert (await get_sent(flow.emsp.platform, sent.id)).result == "ACCEPTED"
    return (await stored_sessions(flow.cpo.platform, own=True))[-1].id


class TestConnection:
    async def test_both_sides_are_connected_on_2_1_1(self, flow: Flow) -> None:
        """C.80, D.99: 2.1.1 version details without roles, flat credentials."""
        cpo_side = await partner_named(flow.cpo.platform, "emsp")
        emsp_side = await partner_named(flow.emsp.platform, "cpo")
        assert cpo_side.version == emsp_side.version == "2.1.1"
        assert [(r.role, r.country_code, r.party_id) for r in cpo_side.roles] == [
            ("EMSP", "DE", "MSP")
        ]
        assert [(r.role, r.country_code, r.party_id) for r in emsp_side.roles] == [
            ("CPO", "NL", "CPO")
        ]
        assert emsp_side.endpoint("commands") is not None
        assert all(e.url.startswith("http://cpo.test/ocpi/2.1.1/") for e in emsp_side.endpoints)

    async def test_calls_to_the_2_1_1_peer_carry_the_raw_token_and_no_routing(
        self, flow: Flow
    ) -> None:
        """A.6: `Token <raw>` to a 2.1.1 peer; no OCPI-to/from headers (DIGEST §17.3)."""
        token = (await partner_named(flow.cpo.platform, "emsp")).token_out
        assert token
        pushes = [r for r in sent_to(flow, "emsp.test") if "/ocpi/2.1.1/emsp/" in r.url.path]
        assert pushes
        for request in pushes:
            assert request.headers["authorization"] == encode_token(token, TokenEncoding.RAW)
            assert not any(h.startswith("ocpi-to-") for h in request.headers)


class TestLocations:
    async def test_location_pushed_in_2_1_1_shape_and_stored_as_2_2_1(self, flow: Flow) -> None:
        """E.157, E.152, E.144, O.373-374."""
        [put] = [
            r
            for r in sent_to(flow, "emsp.test")
            if r.method == "PUT" and "/emsp/locations/" in r.url.path
        ]
        assert put.url.path == "/ocpi/2.1.1/emsp/locations/NL/CPO/LOC1"
        body = body_of(put)
        assert not keys(body) & ONLY_2_2_1
        assert body["type"] in {"ON_STREET", "PARKING_GARAGE", "PARKING_LOT", "OTHER", "UNKNOWN"}
        connector = body["evses"][0]["connectors"][0]
        assert (connector["tariff_id"], type(connector["voltage"])) == ("T1", int)
        assert len(body["coordinates"]["latitude"].split(".")[1]) == 6
        stored = await flow.emsp_in.get("/ocpi/2.2.1/receiver/locations/NL/CPO/LOC1")
        assert stored.status_code == 404  # the eMSP holds it; our way in is the CPO's Receiver
        async with flow.emsp.platform.sessions() as db:
            location = await LocationRepository(db).get(ObjectKey("NL", "CPO", "LOC1"))
        assert location is not None
        assert (location.country_code, location.party_id, location.publish) == ("NL", "CPO", True)
        assert location.evses
        assert location.evses[0].connectors[0].tariff_ids == ["T1"]


class TestChargingOver2_1_1:
    async def test_remote_start_session_and_cdr(self, flow: Flow) -> None:
        """F.185, G.213, K.326: the whole story; the eMSP's CDR reconciles."""
        session_id = await start(flow)
        await flow.run(30)
        sent = await send_command(
            flow.emsp.platform, "cpo", StopSession(response_url=URL, session_id=session_id)
        )
        await flow.settle()
        assert (await get_sent(flow.emsp.platform, sent.id)).result == "ACCEPTED"
        await flow.run(5)
        [session] = await stored_sessions(flow.emsp.platform, own=False)
        assert (session.id, session.status.value) == (session_id, "COMPLETED")
        assert session.cdr_token.contract_id == command_token().contract_id
        assert (session.location_id, session.evse_uid) == ("LOC1", "AC")
        [cdr] = await stored_cdrs(flow.emsp.platform, own=False)
        [ours] = await stored_cdrs(flow.cpo.platform, own=True)
        assert cdr.session_id == session_id  # not in a 2.1.1 CDR: found by place, time, contract
        assert cdr.total_cost.excl_vat == ours.total_cost.excl_vat
        assert cdr.total_energy == ours.total_energy
        async with flow.emsp.platform.sessions() as db:
            known = await known_for(db, cdr)
        report = reconcile_cdr(cdr, known)
        assert (report.status, report.time_zone) == (Status.MATCH, "Europe/Amsterdam"), report
        # on the wire: 2.1.1 shapes only, whole seconds, the command result a CommandResponse
        wire = [r for r in sent_to(flow, "emsp.test") if r.method in ("PUT", "PATCH", "POST")]
        for request in wire:
            body = body_of(request)
            assert not keys(body) & ONLY_2_2_1, (request.url.path, keys(body) & ONLY_2_2_1)
            for value in strings(body):  # A.45: no fractional seconds anywhere
                assert not re.search(r"T\d\d:\d\d:\d\d\.\d+", value), (request.url.path, value)
        [session_put, *_] = [r for r in wire if "/emsp/sessions/" in r.url.path]
        assert "start_datetime" in body_of(session_put)
        assert "start_date_time" not in body_of(session_put)  # a ChargingPeriod's name only
        [cdr_post] = [r for r in wire if "/emsp/cdrs" in r.url.path]
        cdr_body = body_of(cdr_post)
        assert isinstance(cdr_body["total_cost"], (int, float))
        assert cdr_body["auth_id"] == command_token().contract_id
        assert cdr_body["location"]["evses"][0]["uid"] == "AC"
        results = [r for r in wire if "/emsp/commands/" in r.url.path]
        assert results
        assert all(set(body_of(r)) == {"result"} for r in results)
        assert_valid_2_1_1(
            flow,
            including={
                ("POST", "Credentials"),
                ("PUT", "Tariff"),
                ("PUT", "Location"),
                ("PATCH", "EVSE"),
                ("POST", "StartSession"),
                ("POST", "StopSession"),
                ("POST", "CommandResponse"),
                ("PUT", "Session"),
                ("PATCH", "Session"),
                ("POST", "CDR"),
            },
        )

    async def test_command_sent_in_2_1_1_shape(self, flow: Flow) -> None:
        """K.326-327: no timeout required back; reservation_id an integer."""
        await start(flow)
        sent = await send_command(
            flow.emsp.platform,
            "cpo",
            ReserveNow(
                response_url=URL,
                token=command_token(),
                expiry_date="2026-03-02T12:00:00Z",
                reservation_id="4711",
                location_id="LOC1",
                evse_uid="DC",
            ),
        )
        await flow.settle()
        posts = [
            r
            for r in sent_to(flow, "cpo.test")
            if r.method == "POST" and "/cpo/commands/" in r.url.path
        ]
        assert [r.url.path.rsplit("/", 1)[-1] for r in posts] == ["START_SESSION", "RESERVE_NOW"]
        reserve = body_of(posts[-1])
        assert reserve["reservation_id"] == 4711
        assert "auth_id" in reserve["token"]
        assert "contract_id" not in reserve["token"]
        assert (await get_sent(flow.emsp.platform, sent.id)).response is not None
        assert_valid_2_1_1(flow, including={("POST", "StartSession"), ("POST", "ReserveNow")})


class TestTokens:
    async def test_issued_token_reaches_the_cpo_with_auth_id(self, flow: Flow) -> None:
        """J.298."""
        token = await issue_token(flow.emsp.platform, NewToken(uid="CARD9"))
        await flow.emsp.app.state.outbox.drain()
        [put] = [
            r
            for r in sent_to(flow, "cpo.test")
            if r.method == "PUT" and "/cpo/tokens/" in r.url.path
        ]
        assert put.url.path == "/ocpi/2.1.1/cpo/tokens/DE/MSP/CARD9"
        assert "type" not in put.url.params
        body = body_of(put)
        assert body["auth_id"] == token.contract_id
        assert not keys(body) & ONLY_2_2_1
        assert_valid_2_1_1(flow, including={("PUT", "Token")})


class TestCallbacks:
    async def test_a_2_1_1_callback_is_read_as_a_command_result(self, flow: Flow) -> None:
        """K.326: a 2.1.1 CPO calls back with a CommandResponse; UNKNOWN_SESSION, which 2.2.1
        results lack, is recorded as FAILED with the reason."""
        sent = await send_command(
            flow.emsp.platform,
            "cpo",
            StartSession(
                response_url=URL, token=command_token(), location_id="LOC1", evse_uid="AC"
            ),
        )
        path = f"/ocpi/2.1.1/emsp/commands/START_SESSION/{sent.id}"
        response = await flow.cpo_in.call("POST", path, {"result": "UNKNOWN_SESSION"})
        assert response.json()["status_code"] == 1000, response.text
        done = await get_sent(flow.emsp.platform, sent.id)
        assert done.result == "FAILED"
        assert "session" in (done.result_message or "").lower()
