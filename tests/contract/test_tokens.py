"""Tokens over HTTP, both interfaces (CONFORMANCE J.272–J.286, J.297; A.1, A.2, A.29, A.35).

Receiver: the eMSP (DE*MSP) pushes to the CPO (NL*CPO) at
`/ocpi/2.2.1/receiver/tokens/{cc}/{pid}/{uid}[?type=]` (GET, PUT, PATCH).
Sender: the CPO pulls and authorizes the eMSP's own Tokens at `/ocpi/2.2.1/sender/tokens`.
"""

import copy
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from evroam.settings import Settings
from tests.contract.locations_support import Link, held, routing, unauthenticated
from tests.contract.tokens_support import (
    LATER,
    REQUIRED,
    TOKENS_RECEIVER,
    Roaming,
    roaming,
    status,
    token,
)
from tests.examples import example

RFID = f"{TOKENS_RECEIVER}/DE/MSP/012345678"
OFFICIAL = [
    "token_example_1_app_user.json",
    "token_example_2_full_rfid.json",
    "token_put_example.json",
]


@pytest.fixture
async def linked(make_settings: Callable[..., Settings]) -> AsyncIterator[Roaming]:
    async with roaming(make_settings) as found:
        yield found


@pytest.fixture
async def emsp_in(linked: Roaming) -> Link:
    return linked.emsp_in


@pytest.fixture
async def pushed(emsp_in: Link) -> Link:
    """The CPO holds the RFID token 012345678 as the eMSP pushed it."""
    assert (await emsp_in.put(RFID, token())).status_code == 201
    return emsp_in


def reowned(name: str) -> dict[str, Any]:
    """An official example re-owned by DE*MSP (the file stays as it is)."""
    body: dict[str, Any] = copy.deepcopy(example(name))
    if "data" in body:
        body = body["data"]
    body["country_code"], body["party_id"] = "DE", "MSP"
    return body


class TestGetReceivedToken:
    async def test_401_when_no_or_unknown_token(self, pushed: Link) -> None:
        """A.1, A.2."""
        assert await unauthenticated(pushed, "GET", RFID) == [401, 401]

    async def test_returned_as_stored_when_known(self, pushed: Link) -> None:
        """J.272."""
        assert await held(pushed, RFID) == token()

    async def test_rfid_token_addressed_when_no_type_given(self, pushed: Link) -> None:
        """J.273: no ?type= is RFID, so ?type=RFID names the same Token."""
        assert await held(pushed, f"{RFID}?type=RFID") == token()
        assert await held(pushed, f"{RFID}?type=APP_USER") is None

    async def test_found_when_ids_differ_in_case(self, pushed: Link) -> None:
        """A.46: CiStrings."""
        assert await held(pushed, f"{TOKENS_RECEIVER}/de/msp/012345678") == token()

    async def test_routing_headers_name_both_parties_when_answered(self, pushed: Link) -> None:
        """A.29."""
        assert routing(await pushed.get(RFID)) == ["NL", "CPO", "DE", "MSP"]

    async def test_404_when_unknown(self, pushed: Link) -> None:
        response = await pushed.get(f"{RFID}X")
        assert response.status_code == 404
        assert 2000 <= status(response) < 3000

    async def test_404_when_party_not_of_this_connection(self, pushed: Link) -> None:
        """A.35."""
        assert (await pushed.get(f"{TOKENS_RECEIVER}/FR/XXX/012345678")).status_code == 404

    async def test_2001_when_type_is_not_a_token_type(self, pushed: Link) -> None:
        assert status(await pushed.get(f"{RFID}?type=CARD")) == 2001


class TestPutToken:
    async def test_401_and_nothing_stored_when_no_or_unknown_token(self, emsp_in: Link) -> None:
        """A.1, A.2."""
        assert await unauthenticated(emsp_in, "PUT", RFID, token()) == [401, 401]
        assert await held(emsp_in, RFID) is None

    async def test_201_and_get_returns_equal_when_new(self, emsp_in: Link) -> None:
        """J.272; A.36: 201 for a new object, no data in the answer."""
        response = await emsp_in.put(RFID, token())
        assert (response.status_code, status(response)) == (201, 1000)
        assert "data" not in response.json()
        assert await held(emsp_in, RFID) == token()

    async def test_200_and_replaced_completely_when_existing(self, pushed: Link) -> None:
        """A.36, A.40: optional fields left out of the new PUT are gone."""
        await pushed.put(RFID, token(visual_number="DF000-1", language="nl"))
        replacement = token(last_updated=LATER, whitelist="NEVER")
        response = await pushed.put(RFID, replacement)
        assert (response.status_code, status(response)) == (200, 1000)
        assert await held(pushed, RFID) == replacement

    async def test_same_uid_of_other_types_stored_apart(self, emsp_in: Link) -> None:
        """J.274: one uid as RFID card and as app user are two Tokens."""
        app_user = token(token_type="APP_USER", whitelist="NEVER", contract_id="DEMSPCAPP00001")
        assert status(await emsp_in.put(RFID, token())) == 1000
        assert status(await emsp_in.call("PUT", f"{RFID}?type=APP_USER", app_user)) == 1000
        assert await held(emsp_in, RFID) == token()
        assert await held(emsp_in, f"{RFID}?type=APP_USER") == app_user

    async def test_get_returns_equal_when_official_example_put(self, emsp_in: Link) -> None:
        """J.272 for every official Token example, re-owned by DE*MSP."""
        for name in OFFICIAL:
            body = reowned(name)
            path = f"{TOKENS_RECEIVER}/DE/MSP/{body['uid']}?type={body['type']}"
            assert status(await emsp_in.call("PUT", path, body)) == 1000, name
            assert await held(emsp_in, path) == body, name

    async def test_official_get_examples_round_trip(self, emsp_in: Link) -> None:
        """The transport-and-format Token examples (one and a list) as pushed Tokens."""
        bodies = [reowned("transport_and_format_get_token_example.json")]
        for item in example("transport_and_format_get_token_list_example.json")["data"]:
            bodies.append({**item, "country_code": "DE", "party_id": "MSP"})
        for body in bodies:
            path = f"{TOKENS_RECEIVER}/DE/MSP/{body['uid']}"
            assert status(await emsp_in.put(path, body)) == 1000
            assert await held(emsp_in, path) == body

    async def test_unknown_field_ignored_when_present(self, emsp_in: Link) -> None:
        assert status(await emsp_in.put(RFID, {**token(), "x_vendor": {"a": 1}})) == 1000
        assert await held(emsp_in, RFID) == token()

    INVALID = (
        ("J.278 uid differs", RFID, token("OTHER")),
        ("A.33 country_code differs", RFID, token(country_code="FR")),
        ("A.34 party_id differs", RFID, token(party_id="MSX")),
        ("J.273 type differs (no ?type= is RFID)", RFID, token(token_type="APP_USER")),
        ("type differs from ?type=", f"{RFID}?type=OTHER", token()),
        ("uid of 37", f"{TOKENS_RECEIVER}/DE/MSP/{'U' * 36}", token("U" * 37)),
        ("contract_id of 37", RFID, token(contract_id="C" * 37)),
        ("issuer of 65", RFID, token(issuer="I" * 65)),
        ("whitelist unknown", RFID, token(whitelist="SOMETIMES")),
        ("enum case", RFID, token(whitelist="always")),
        ("profile unknown", RFID, token(default_profile_type="SLOW")),
        ("energy contract without supplier", RFID, token(energy_contract={"contract_id": "1"})),
        ("language of 3", RFID, token(language="nld")),
        ("offset in last_updated", RFID, token(last_updated="2026-03-01T10:00:00+01:00")),
        ("valid missing", RFID, {k: v for k, v in token().items() if k != "valid"}),
        ("issuer missing", RFID, {k: v for k, v in token().items() if k != "issuer"}),
    )

    async def test_2001_and_nothing_stored_when_invalid(self, emsp_in: Link) -> None:
        """One platform pair for every case (each case is labelled in the failure)."""
        for case, path, body in self.INVALID:
            response = await emsp_in.put(path, body)
            assert (response.status_code, status(response)) == (200, 2001), case
            assert await held(emsp_in, RFID) is None, case

    async def test_404_and_nothing_stored_when_party_not_of_this_connection(
        self, emsp_in: Link
    ) -> None:
        """A.35: the eMSP may only write Tokens of the parties it carries (not NL*CPO's)."""
        body = token(country_code="NL", party_id="CPO")
        response = await emsp_in.put(f"{TOKENS_RECEIVER}/NL/CPO/012345678", body)
        assert response.status_code == 404


class TestPatchToken:
    async def test_valid_false_invalidates_and_keeps_other_fields(self, pushed: Link) -> None:
        """J.275 with the official PATCH example."""
        patch = example("token_patch_example.json")
        response = await pushed.patch(RFID, patch)
        assert (response.status_code, status(response)) == (200, 1000)
        assert await held(pushed, RFID) == token(**patch)

    async def test_2001_and_unchanged_when_last_updated_missing(self, pushed: Link) -> None:
        """J.276."""
        assert status(await pushed.patch(RFID, {"valid": False})) == 2001
        assert await held(pushed, RFID) == token()

    async def test_patch_without_type_changes_the_rfid_token_only(self, emsp_in: Link) -> None:
        """J.273, J.274."""
        app_user = token(token_type="APP_USER", whitelist="NEVER")
        await emsp_in.put(RFID, token())
        await emsp_in.call("PUT", f"{RFID}?type=APP_USER", app_user)
        assert status(await emsp_in.patch(RFID, {"valid": False, "last_updated": LATER})) == 1000
        assert (await held(emsp_in, RFID))["valid"] is False
        assert (await held(emsp_in, f"{RFID}?type=APP_USER"))["valid"] is True

    async def test_2001_and_unchanged_when_invalid(self, pushed: Link) -> None:
        for body in (
            {"uid": "OTHER", "last_updated": LATER},
            {"type": "APP_USER", "last_updated": LATER},
            {"party_id": "XXX", "last_updated": LATER},
            {"valid": "maybe", "last_updated": LATER},
            {"whitelist": "SOMETIMES", "last_updated": LATER},
        ):
            assert status(await pushed.patch(RFID, body)) == 2001, body
            assert await held(pushed, RFID) == token(), body

    async def test_404_when_unknown(self, emsp_in: Link) -> None:
        response = await emsp_in.patch(RFID, {"valid": False, "last_updated": LATER})
        assert response.status_code == 404


class TestMethodsNotInTheInterface:
    async def test_405_and_token_kept_when_delete_or_post(self, pushed: Link) -> None:
        """J.277; J.297: Tokens are never deleted."""
        for method, body in (("DELETE", None), ("POST", token())):
            response = await pushed.call(method, RFID, body)
            assert response.status_code == 405, method
            assert status(response) == 2000, method
        assert await held(pushed, RFID) == token()


class TestEmittedTokens:
    async def test_every_stored_token_carries_the_required_fields(self, pushed: Link) -> None:
        """J.294: what the Receiver answers has every required field."""
        assert set(REQUIRED) <= set(await held(pushed, RFID))
