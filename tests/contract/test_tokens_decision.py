"""The CPO's authorization decision at a charge point (CONFORMANCE J.287–J.293).

The CPO (NL*CPO) holds Tokens the eMSP (DE*MSP) pushed to it; `authorize_token` decides by
their whitelist, asking the eMSP's Sender in real time where the whitelist requires it. The
eMSP's own view of the Token (its store) may differ from the CPO's copy, as after a block
that has not been pushed yet.
"""

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from evroam.modules.locations.enums import TokenType
from evroam.modules.tokens.decision import Decision, Method, authorize_token
from evroam.modules.tokens.model import LocationReferences
from evroam.protocol.routing import PartyRef
from evroam.settings import Settings
from tests.contract.tokens_support import (
    TOKENS_RECEIVER,
    Roaming,
    authorize_requests,
    own,
    roaming,
    status,
    token,
)
from tests.support import platforms

UID = "04A2B3C4D5"


@pytest.fixture
async def linked(make_settings: Callable[..., Settings]) -> AsyncIterator[Roaming]:
    async with roaming(make_settings) as found:
        yield found


async def held_by_cpo(linked: Roaming, **fields: Any) -> None:
    """The CPO's copy of the Token, as the eMSP pushed it."""
    body = token(UID, **fields)
    path = f"{TOKENS_RECEIVER}/DE/MSP/{UID}?type={body['type']}"
    assert status(await linked.emsp_in.call("PUT", path, body)) == 1000


async def decide(linked: Roaming, **kw: Any) -> Decision:
    linked.router.requests.clear()
    return await authorize_token(linked.cpo.platform, uid=UID, **kw)


def emsp_down(linked: Roaming) -> None:
    linked.router.down.add(linked.emsp.host)


class TestLocalWhitelist:
    async def test_always_allowed_locally_without_a_call(self, linked: Roaming) -> None:
        """J.288: even with the eMSP down, no request is made."""
        await held_by_cpo(linked, whitelist="ALWAYS")
        emsp_down(linked)
        decision = await decide(linked)
        assert (decision.allowed, decision.method) == ("ALLOWED", Method.LOCAL)
        assert authorize_requests(linked.router) == []
        assert decision.authorization_reference is None

    async def test_always_but_not_valid_refused_locally(self, linked: Roaming) -> None:
        """J.293."""
        await held_by_cpo(linked, whitelist="ALWAYS", valid=False)
        await own(linked.emsp, token(UID, whitelist="ALWAYS"))  # the eMSP would say yes
        decision = await decide(linked)
        assert (decision.allowed, decision.method) == ("BLOCKED", Method.LOCAL)
        assert authorize_requests(linked.router) == []

    async def test_allowed_and_valid_allowed_locally(self, linked: Roaming) -> None:
        """J.291: the CPO may decide locally."""
        await held_by_cpo(linked, whitelist="ALLOWED")
        decision = await decide(linked)
        assert (decision.allowed, decision.method) == ("ALLOWED", Method.LOCAL)
        assert authorize_requests(linked.router) == []

    async def test_allowed_but_not_valid_asked_in_real_time(self, linked: Roaming) -> None:
        """J.291: real time is allowed too, and a Token blocked here may be valid again."""
        await held_by_cpo(linked, whitelist="ALLOWED", valid=False)
        await own(linked.emsp, token(UID))
        decision = await decide(linked)
        assert (decision.allowed, decision.method) == ("ALLOWED", Method.REAL_TIME)
        assert len(authorize_requests(linked.router)) == 1


class TestRealTimeWhitelist:
    async def test_never_asks_the_emsp_every_time(self, linked: Roaming) -> None:
        """J.289, J.287: the eMSP's authorization_reference comes back with the decision;
        the call goes from our CPO party to the Token's eMSP party."""
        await held_by_cpo(linked, whitelist="NEVER")
        await own(linked.emsp, token(UID, whitelist="NEVER"))
        for _ in range(2):
            decision = await decide(linked)
            assert (decision.allowed, decision.method) == ("ALLOWED", Method.REAL_TIME)
            assert decision.authorization_reference
            [request] = authorize_requests(linked.router)
        assert request.url.path == f"/ocpi/2.2.1/sender/tokens/{UID}/authorize"
        assert request.url.params["type"] == "RFID"
        assert [request.headers[f"OCPI-{h}"] for h in ROUTING] == ["NL", "CPO", "DE", "MSP"]

    async def test_never_refused_when_the_emsp_cannot_be_reached(self, linked: Roaming) -> None:
        """J.289: no local fallback."""
        await held_by_cpo(linked, whitelist="NEVER")
        emsp_down(linked)
        decision = await decide(linked)
        assert (decision.allowed, decision.method) == ("NOT_ALLOWED", Method.OFFLINE)
        assert len(authorize_requests(linked.router)) == 1

    async def test_allowed_offline_asks_first(self, linked: Roaming) -> None:
        """J.290: the eMSP blocked it meanwhile (not pushed yet): its answer counts."""
        await held_by_cpo(linked, whitelist="ALLOWED_OFFLINE")
        await own(linked.emsp, token(UID, whitelist="ALLOWED_OFFLINE", valid=False))
        decision = await decide(linked)
        assert (decision.allowed, decision.method) == ("BLOCKED", Method.REAL_TIME)

    async def test_allowed_offline_allowed_when_the_emsp_cannot_be_reached(
        self, linked: Roaming
    ) -> None:
        """J.290."""
        await held_by_cpo(linked, whitelist="ALLOWED_OFFLINE")
        emsp_down(linked)
        decision = await decide(linked)
        assert (decision.allowed, decision.method) == ("ALLOWED", Method.OFFLINE)
        assert len(authorize_requests(linked.router)) == 1

    async def test_not_valid_still_asked_when_the_whitelist_needs_real_time(
        self, linked: Roaming
    ) -> None:
        """J.292: invalid here, valid again at the eMSP."""
        for whitelist in ("NEVER", "ALLOWED_OFFLINE"):
            await held_by_cpo(linked, whitelist=whitelist, valid=False)
            await own(linked.emsp, token(UID, whitelist=whitelist))
            decision = await decide(linked)
            assert (decision.allowed, decision.method) == ("ALLOWED", Method.REAL_TIME), whitelist

    async def test_not_valid_refused_offline(self, linked: Roaming) -> None:
        """J.293: an unreachable eMSP does not make an invalid Token valid."""
        await held_by_cpo(linked, whitelist="ALLOWED_OFFLINE", valid=False)
        emsp_down(linked)
        assert (await decide(linked)).allowed == "BLOCKED"

    async def test_only_the_evses_the_emsp_allows_come_back(self, linked: Roaming) -> None:
        """J.283 through the CPO: the request carries the LocationReferences."""
        await held_by_cpo(linked, whitelist="NEVER")
        limits = {"locations": [{"location_id": "LOC1", "evse_uids": ["E2"]}]}
        await own(linked.emsp, token(UID, whitelist="NEVER"), policy=limits)
        where = LocationReferences(location_id="LOC1", evse_uids=["E1", "E2"])
        decision = await decide(linked, location=where)
        assert decision.location == LocationReferences(location_id="LOC1", evse_uids=["E2"])


class TestUnknownToken:
    async def test_asked_at_the_owner_emsp(self, linked: Roaming) -> None:
        """A Token the CPO never received: the eMSP's answer brings the whole Token."""
        await own(linked.emsp, token(UID, "APP_USER", whitelist="NEVER"))
        decision = await decide(linked, type=TokenType.APP_USER, owner=PartyRef("DE", "MSP"))
        assert (decision.allowed, decision.method) == ("ALLOWED", Method.REAL_TIME)
        assert decision.token is not None
        assert decision.token.contract_id == token(UID)["contract_id"]

    async def test_asked_at_every_emsp_when_the_owner_is_unknown(self, linked: Roaming) -> None:
        await own(linked.emsp, token(UID))
        decision = await decide(linked)
        assert (decision.allowed, decision.method) == ("ALLOWED", Method.REAL_TIME)

    async def test_refused_when_no_emsp_knows_it(self, linked: Roaming) -> None:
        """J.281 seen from the CPO: the eMSP's 404/2004 is a refusal."""
        decision = await decide(linked)
        assert (decision.allowed, decision.reason) == ("NOT_ALLOWED", "unknown Token")
        assert len(authorize_requests(linked.router)) == 1

    async def test_refused_when_no_emsp_answers(self, linked: Roaming) -> None:
        emsp_down(linked)
        decision = await decide(linked)
        assert (decision.allowed, decision.reason) == ("NOT_ALLOWED", "no eMSP answered")


class TestOwnToken:
    async def test_decided_by_our_emsp_rules_without_a_call(
        self, make_settings: Callable[..., Settings]
    ) -> None:
        """A platform that is CPO and eMSP: its own drivers need no roaming call."""
        hybrid = make_settings("hybrid", "CPO:NL:CPO", "EMSP:NL:MSP")
        async with platforms(hybrid) as (router, (running,)):
            await own(running, token(UID, country_code="NL", party_id="MSP"))
            decision = await authorize_token(running.platform, uid=UID)
            assert (decision.allowed, decision.method) == ("ALLOWED", Method.OWN)
            assert decision.authorization_reference
            assert authorize_requests(router) == []
            limited = token("L1", country_code="NL", party_id="MSP")
            await own(running, limited, policy={"locations": [{"location_id": "LOC1"}]})
            nowhere = await authorize_token(running.platform, uid="L1")
            assert (nowhere.allowed, nowhere.method) == ("NOT_ALLOWED", Method.OWN)
            where = LocationReferences(location_id="LOC1")
            assert (await authorize_token(running.platform, uid="L1", location=where)).ok


ROUTING = ("from-country-code", "from-party-id", "to-country-code", "to-party-id")
