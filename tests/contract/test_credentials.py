"""Credentials module and the registration handshake, both sides (CONFORMANCE section D)."""

import base64
import json
from typing import Any

import httpx
import pytest

from evroam.errors import EvroamError, InvalidTransition
from evroam.modules.credentials import service
from evroam.partners.lifecycle import PartnerState
from tests.contract.conftest import Pair
from tests.support import FakePeer, Running, auth, connect, invite, partner_named, platforms

ROLE = {
    "role": "CPO",
    "country_code": "NL",
    "party_id": "CPO",
    "business_details": {"name": "Charge Co"},
}


def credentials_body(
    token: str, url: str = "http://peer.test/versions", roles: Any = None
) -> dict[str, Any]:
    return {"token": token, "url": url, "roles": [ROLE] if roles is None else roles}


def decoded(request: httpx.Request) -> str:
    return base64.b64decode(request.headers["Authorization"].split(" ", 1)[1]).decode()


async def post_as_peer(
    emsp: Running, router: Any, peer: FakePeer, token_b: str = "peer-token-b"
) -> httpx.Response:
    """A scripted peer at peer.test POSTs its credentials to the emsp with a fresh Token A."""
    router.mock("peer.test", peer)
    token_a = await invite(emsp.platform, "peer")
    return await emsp.client.post(
        "/ocpi/2.2.1/credentials", json=credentials_body(token_b), headers=auth(token_a)
    )


class TestPostCredentials:
    async def test_server_fetches_client_versions_with_token_b_before_answering(
        self, pair: Pair
    ) -> None:
        """D.84, D.85: versions and the 2.2.1 details, with TOKEN_B, before the 1000 answer."""
        router, _, emsp = pair
        peer = FakePeer()
        response = await post_as_peer(emsp, router, peer)
        assert response.json()["status_code"] == 1000
        fetched = [(r.method, r.url.path, decoded(r)) for r in peer.requests]
        assert fetched == [("GET", "/versions", "peer-token-b"), ("GET", "/2.2.1", "peer-token-b")]

    async def test_answer_carries_new_token_our_url_and_roles(self, pair: Pair) -> None:
        """D.86, D.87, D.88."""
        router, _, emsp = pair
        router.mock("peer.test", FakePeer())
        token_a = await invite(emsp.platform, "peer")
        response = await emsp.client.post(
            "/ocpi/2.2.1/credentials", json=credentials_body("peer-token-b"), headers=auth(token_a)
        )
        data = response.json()["data"]
        assert data["url"] == "http://emsp.test/ocpi/versions"
        assert data["roles"] == [
            {
                "role": "EMSP",
                "country_code": "DE",
                "party_id": "MSP",
                "business_details": {"name": "Emsp DEMSP"},
            }
        ]
        token_c = data["token"]
        assert token_c not in (token_a, "peer-token-b")
        assert 1 <= len(token_c) <= 64
        assert all(0x21 <= ord(c) <= 0x7E for c in token_c)

    async def test_token_a_is_dead_after_registration(self, pair: Pair) -> None:
        """D.89: rejected everywhere, including versions and credentials."""
        router, _, emsp = pair
        router.mock("peer.test", FakePeer())
        token_a = await invite(emsp.platform, "peer")
        await emsp.client.post(
            "/ocpi/2.2.1/credentials", json=credentials_body("b"), headers=auth(token_a)
        )
        for path in (
            "/ocpi/versions",
            "/ocpi/2.2.1",
            "/ocpi/2.2.1/credentials",
            "/ocpi/2.2.1/probe",
        ):
            assert (await emsp.client.get(path, headers=auth(token_a))).status_code == 401

    async def test_token_c_reaches_functional_modules(self, pair: Pair) -> None:
        """D.90."""
        router, _, emsp = pair
        response = await post_as_peer(emsp, router, FakePeer())
        token_c = response.json()["data"]["token"]
        probe = await emsp.client.get("/ocpi/2.2.1/probe", headers=auth(token_c))
        assert probe.json()["status_code"] == 1000

    async def test_our_later_requests_use_token_b(self, pair: Pair) -> None:
        """D.91."""
        router, _, emsp = pair
        peer = FakePeer()
        await post_as_peer(emsp, router, peer)
        partner = await partner_named(emsp.platform, "peer")
        async with emsp.platform.client_for(partner) as client:
            await client.get("http://peer.test/versions")
        assert decoded(peer.requests[-1]) == "peer-token-b"

    async def test_second_post_is_405(self, pair: Pair) -> None:
        """D.92."""
        router, _, emsp = pair
        response = await post_as_peer(emsp, router, FakePeer())
        token_c = response.json()["data"]["token"]
        again = await emsp.client.post(
            "/ocpi/2.2.1/credentials", json=credentials_body("other"), headers=auth(token_c)
        )
        assert again.status_code == 405

    async def test_versions_endpoint_down_is_3001_and_stores_nothing(self, pair: Pair) -> None:
        """D.95: Token A still valid afterwards, partner still only INVITED."""
        router, _, emsp = pair
        router.down.add("peer.test")
        token_a = await invite(emsp.platform, "peer")
        response = await emsp.client.post(
            "/ocpi/2.2.1/credentials", json=credentials_body("b"), headers=auth(token_a)
        )
        assert response.status_code == 200
        assert response.json()["status_code"] == 3001
        partner = await partner_named(emsp.platform, "peer")
        assert partner.state is PartnerState.INVITED
        assert partner.token_out is None
        assert partner.roles == []
        assert (await emsp.client.get("/ocpi/versions", headers=auth(token_a))).status_code == 200

    async def test_peer_without_required_endpoints_is_3003(self, pair: Pair) -> None:
        """D.96: we need the client's credentials endpoint."""
        router, _, emsp = pair
        response = await post_as_peer(emsp, router, FakePeer(modules=["locations"]))
        assert response.json()["status_code"] == 3003
        assert (await partner_named(emsp.platform, "peer")).state is PartnerState.INVITED

    async def test_peer_not_offering_this_version_is_3002(self, pair: Pair) -> None:
        router, _, emsp = pair
        response = await post_as_peer(emsp, router, FakePeer(versions=["2.1.1"]))
        assert response.json()["status_code"] == 3002
        assert (await partner_named(emsp.platform, "peer")).state is PartnerState.INVITED

    @pytest.mark.parametrize(
        "body",
        [
            credentials_body("b", roles=[]),
            {"token": "b", "url": "http://peer.test/versions"},
            credentials_body("b", roles=[ROLE, {**ROLE, "country_code": "nl", "party_id": "cpo"}]),
            credentials_body("a token with spaces"),
            credentials_body("x" * 65),
            credentials_body("b", roles=[{**ROLE, "role": "cpo"}]),
            credentials_body("b", roles=[{**ROLE, "party_id": "TOOLONG"}]),
            {"token": 5, "url": [], "roles": "CPO"},
        ],
        ids=[
            "empty-roles",
            "no-roles",
            "duplicate-roles",
            "space",
            "too-long",
            "enum-case",
            "party-id",
            "types",
        ],
    )
    async def test_invalid_bodies_are_2001_and_store_nothing(
        self, pair: Pair, body: dict[str, Any]
    ) -> None:
        """D.97, D.98, A.47, A.49."""
        router, _, emsp = pair
        peer = FakePeer()
        router.mock("peer.test", peer)
        token_a = await invite(emsp.platform, "peer")
        response = await emsp.client.post(
            "/ocpi/2.2.1/credentials", json=body, headers=auth(token_a)
        )
        assert response.status_code == 200
        assert response.json()["status_code"] == 2001
        assert peer.requests == []
        assert (await partner_named(emsp.platform, "peer")).state is PartnerState.INVITED

    async def test_unknown_fields_are_tolerated(self, pair: Pair) -> None:
        router, _, emsp = pair
        router.mock("peer.test", FakePeer())
        token_a = await invite(emsp.platform, "peer")
        body = {**credentials_body("b"), "extension": {"x": 1}}
        response = await emsp.client.post(
            "/ocpi/2.2.1/credentials", json=body, headers=auth(token_a)
        )
        assert response.json()["status_code"] == 1000

    async def test_all_roles_of_the_peer_are_recorded(self, pair: Pair) -> None:
        """D.112: every listed (country_code, party_id) is carried by the connection."""
        router, _, emsp = pair
        roles = [
            ROLE,
            {**ROLE, "role": "EMSP", "party_id": "MSP"},
            {**ROLE, "country_code": "BE", "party_id": "XYZ"},
        ]
        router.mock("peer.test", FakePeer())
        token_a = await invite(emsp.platform, "peer")
        await emsp.client.post(
            "/ocpi/2.2.1/credentials",
            json=credentials_body("b", roles=roles),
            headers=auth(token_a),
        )
        partner = await partner_named(emsp.platform, "peer")
        assert {(r.role, r.country_code, r.party_id) for r in partner.roles} == {
            ("CPO", "NL", "CPO"),
            ("EMSP", "NL", "MSP"),
            ("CPO", "BE", "XYZ"),
        }
        assert partner.carries("nl", "msp")
        assert partner.carries("BE", "xyz")
        assert not partner.carries("FR", "CPO")


class TestOwnParties:
    async def test_partner_claiming_one_of_our_parties_is_refused(self, pair: Pair) -> None:
        """Otherwise it could write our own data through the Receiver interfaces."""
        router, _, emsp = pair
        router.mock("peer.test", FakePeer())
        token_a = await invite(emsp.platform, "peer")
        ours = {**ROLE, "role": "EMSP", "country_code": "de", "party_id": "msp"}
        body = credentials_body("b", roles=[ROLE, ours])
        response = await emsp.client.post(
            "/ocpi/2.2.1/credentials", json=body, headers=auth(token_a)
        )
        assert response.json()["status_code"] == 2001
        assert "DE*MSP" in response.json()["status_message"].upper()
        assert (await partner_named(emsp.platform, "peer")).state is PartnerState.INVITED

    async def test_initiator_withdraws_when_the_partner_claims_our_party(self, pair: Pair) -> None:
        router, cpo, _ = pair
        peer = FakePeer()
        peer.credentials_answer["roles"].append(
            {
                "role": "CPO",
                "country_code": "NL",
                "party_id": "CPO",
                "business_details": {"name": "X"},
            }
        )
        router.mock("peer.test", peer)
        with pytest.raises(EvroamError, match="NL\\*CPO"):
            await service.register(cpo.platform, "peer", "http://peer.test/versions", "token-a")
        assert peer.requests[-1].method == "DELETE"
        assert decoded(peer.requests[-1]) == "peer-token-c"
        assert await service.list_partners(cpo.platform) == []

    async def test_emsp_initiator_withdraws_when_cpo_lacks_locations_sender(
        self, pair: Pair
    ) -> None:
        """D.109 once the roles are known: an eMSP needs a CPO's locations Sender."""
        router, _, emsp = pair
        peer = FakePeer(modules=["credentials"])
        router.mock("peer.test", peer)
        with pytest.raises(EvroamError, match="locations"):
            await service.register(emsp.platform, "peer", "http://peer.test/versions", "token-a")
        assert [r.method for r in peer.requests] == ["GET", "GET", "POST", "DELETE"]
        assert await service.list_partners(emsp.platform) == []


class TestPutCredentials:
    async def test_put_refetches_issues_new_token_and_revokes_old(self, pair: Pair) -> None:
        """D.100, D.101, D.102, D.103."""
        router, _, emsp = pair
        peer = FakePeer()
        token_c = (await post_as_peer(emsp, router, peer)).json()["data"]["token"]
        peer.requests.clear()
        response = await emsp.client.put(
            "/ocpi/2.2.1/credentials", json=credentials_body("peer-token-b2"), headers=auth(token_c)
        )
        assert response.json()["status_code"] == 1000
        assert [(r.url.path, decoded(r)) for r in peer.requests] == [
            ("/versions", "peer-token-b2"),
            ("/2.2.1", "peer-token-b2"),
        ]
        new_token_c = response.json()["data"]["token"]
        assert new_token_c != token_c
        assert (
            await emsp.client.get("/ocpi/2.2.1/probe", headers=auth(token_c))
        ).status_code == 401
        assert (
            await emsp.client.get("/ocpi/2.2.1/probe", headers=auth(new_token_c))
        ).status_code == 200
        partner = await partner_named(emsp.platform, "peer")
        assert partner.token_out == "peer-token-b2"

    async def test_put_by_unregistered_client_is_405(self, pair: Pair) -> None:
        """D.93."""
        _, _, emsp = pair
        token_a = await invite(emsp.platform, "peer")
        response = await emsp.client.put(
            "/ocpi/2.2.1/credentials", json=credentials_body("b"), headers=auth(token_a)
        )
        assert response.status_code == 405

    async def test_failed_put_keeps_the_connection_as_it_was(self, pair: Pair) -> None:
        router, _, emsp = pair
        token_c = (await post_as_peer(emsp, router, FakePeer())).json()["data"]["token"]
        router.down.add("peer.test")
        response = await emsp.client.put(
            "/ocpi/2.2.1/credentials", json=credentials_body("b2"), headers=auth(token_c)
        )
        assert response.json()["status_code"] == 3001
        assert (
            await emsp.client.get("/ocpi/2.2.1/probe", headers=auth(token_c))
        ).status_code == 200
        assert (await partner_named(emsp.platform, "peer")).token_out == "peer-token-b"


class TestDeleteCredentials:
    async def test_delete_unregisters_and_voids_tokens(self, pair: Pair) -> None:
        """D.105, D.106."""
        router, _, emsp = pair
        token_c = (await post_as_peer(emsp, router, FakePeer())).json()["data"]["token"]
        response = await emsp.client.delete("/ocpi/2.2.1/credentials", headers=auth(token_c))
        assert response.status_code == 200
        assert response.json()["status_code"] == 1000
        assert "data" not in response.json()
        partner = await partner_named(emsp.platform, "peer")
        assert partner.state is PartnerState.UNREGISTERED
        assert partner.token_out is None
        assert (await emsp.client.get("/ocpi/versions", headers=auth(token_c))).status_code == 401

    async def test_delete_by_unregistered_client_is_405(self, pair: Pair) -> None:
        """D.94."""
        _, _, emsp = pair
        token_a = await invite(emsp.platform, "peer")
        assert (
            await emsp.client.delete("/ocpi/2.2.1/credentials", headers=auth(token_a))
        ).status_code == 405


class TestGetCredentials:
    async def test_returns_our_credentials_with_the_callers_token(self, pair: Pair) -> None:
        """D.107."""
        router, _, emsp = pair
        token_c = (await post_as_peer(emsp, router, FakePeer())).json()["data"]["token"]
        data = (await emsp.client.get("/ocpi/2.2.1/credentials", headers=auth(token_c))).json()[
            "data"
        ]
        assert data["token"] == token_c
        assert data["url"] == "http://emsp.test/ocpi/versions"
        assert data["roles"][0]["party_id"] == "MSP"


class TestInitiator:
    async def test_picks_highest_mutual_version_and_uses_token_a_throughout(
        self, pair: Pair
    ) -> None:
        """D.108, D.110."""
        router, cpo, _ = pair
        peer = FakePeer(versions=["2.1.1", "2.2.1", "3.0"])
        router.mock("peer.test", peer)
        partner = await service.register(
            cpo.platform, "peer", "http://peer.test/versions", "token-a"
        )
        assert partner.version == "2.2.1"
        assert [(r.method, r.url.path, decoded(r)) for r in peer.requests] == [
            ("GET", "/versions", "token-a"),
            ("GET", "/2.2.1", "token-a"),
            ("POST", "/2.2.1/credentials", "token-a"),
        ]
        assert partner.token_out == "peer-token-c"
        assert partner.state is PartnerState.REGISTERED

    async def test_does_not_post_when_peer_lacks_required_endpoints(self, pair: Pair) -> None:
        """D.109: nothing stored either."""
        router, cpo, _ = pair
        peer = FakePeer(modules=["locations"])
        router.mock("peer.test", peer)
        with pytest.raises(EvroamError, match="credentials"):
            await service.register(cpo.platform, "peer", "http://peer.test/versions", "token-a")
        assert [r.method for r in peer.requests] == ["GET", "GET"]
        assert await service.list_partners(cpo.platform) == []

    async def test_no_mutual_version_fails_and_stores_nothing(self, pair: Pair) -> None:
        router, cpo, _ = pair
        router.mock("peer.test", FakePeer(versions=["2.0"]))
        with pytest.raises(EvroamError, match="No mutual version"):
            await service.register(cpo.platform, "peer", "http://peer.test/versions", "token-a")
        assert await service.list_partners(cpo.platform) == []

    async def test_posts_our_credentials_with_our_roles_and_a_fresh_token_b(
        self, pair: Pair
    ) -> None:
        router, cpo, _ = pair
        peer = FakePeer()
        router.mock("peer.test", peer)
        await service.register(cpo.platform, "peer", "http://peer.test/versions", "token-a")
        sent = json.loads(peer.requests[-1].content)
        assert sent["url"] == "http://cpo.test/ocpi/versions"
        assert sent["roles"][0]["role"] == "CPO"
        assert sent["token"] not in ("token-a", "peer-token-c")
        probe = await cpo.client.get("/ocpi/2.2.1/probe", headers=auth(sent["token"]))
        assert probe.status_code == 200

    async def test_retries_with_raw_token_when_peer_refuses_base64(self, pair: Pair) -> None:
        """Tolerance: a peer that only understands raw tokens (DIGEST §1.2) still registers."""
        router, cpo, _ = pair
        peer = FakePeer()

        def raw_only(request: httpx.Request) -> httpx.Response:
            if request.headers["Authorization"] != "Token token-a":
                return httpx.Response(
                    401, json={"status_code": 2000, "timestamp": "2026-01-01T00:00:00Z"}
                )
            return peer(request)

        router.mock("peer.test", raw_only)
        partner = await service.register(
            cpo.platform, "peer", "http://peer.test/versions", "token-a"
        )
        assert partner.token_encoding == "raw"
        assert peer.requests[-1].headers["Authorization"] == "Token token-a"

    async def test_register_twice_is_refused_with_advice(self, pair: Pair) -> None:
        _, cpo, emsp = pair
        await connect(cpo, emsp)
        with pytest.raises(InvalidTransition, match="rotate"):
            await service.register(
                cpo.platform, "emsp", emsp.versions_url, await invite(emsp.platform, "cpo2")
            )

    async def test_a_failed_retry_keeps_no_half_registration(self, pair: Pair) -> None:
        router, cpo, _ = pair
        router.down.add("peer.test")
        with pytest.raises(EvroamError, match="register"):
            await service.register(cpo.platform, "peer", "http://peer.test/versions", "token-a")
        assert await service.list_partners(cpo.platform) == []


class TestRoundTrip:
    async def test_both_sides_agree_after_handshake_rotation_and_unregistration(
        self, pair: Pair
    ) -> None:
        """The whole lifecycle between two evroam platforms in process."""
        _, cpo, emsp = pair
        await connect(cpo, emsp)
        at_cpo = await partner_named(cpo.platform, "emsp")
        at_emsp = await partner_named(emsp.platform, "cpo")
        assert at_cpo.state is at_emsp.state is PartnerState.REGISTERED
        assert at_cpo.roles[0].role == "EMSP"
        assert at_emsp.roles[0].role == "CPO"
        old = at_cpo.token_out
        assert old
        await service.rotate(cpo.platform, "emsp")
        new = (await partner_named(cpo.platform, "emsp")).token_out
        assert new
        assert new != old
        assert (await emsp.client.get("/ocpi/2.2.1/probe", headers=auth(old))).status_code == 401
        assert (await emsp.client.get("/ocpi/2.2.1/probe", headers=auth(new))).status_code == 200
        back = (await partner_named(emsp.platform, "cpo")).token_out
        assert back
        assert (await cpo.client.get("/ocpi/2.2.1/probe", headers=auth(back))).status_code == 200
        await service.unregister(emsp.platform, "cpo")
        assert (await partner_named(cpo.platform, "emsp")).state is PartnerState.UNREGISTERED
        assert (await partner_named(emsp.platform, "cpo")).state is PartnerState.UNREGISTERED
        assert (await cpo.client.get("/ocpi/versions", headers=auth(back))).status_code == 401
        assert (await emsp.client.get("/ocpi/versions", headers=auth(new))).status_code == 401

    async def test_unregister_of_unreachable_partner_needs_local_only(self, pair: Pair) -> None:
        router, cpo, emsp = pair
        await connect(cpo, emsp)
        router.down.add("emsp.test")
        with pytest.raises(EvroamError, match="--local-only"):
            await service.unregister(cpo.platform, "emsp")
        assert (await partner_named(cpo.platform, "emsp")).state is PartnerState.REGISTERED
        await service.unregister(cpo.platform, "emsp", local_only=True)
        assert (await partner_named(cpo.platform, "emsp")).state is PartnerState.UNREGISTERED

    async def test_failed_rotation_leaves_tokens_working(self, pair: Pair) -> None:
        router, cpo, emsp = pair
        await connect(cpo, emsp)
        token = (await partner_named(cpo.platform, "emsp")).token_out
        assert token
        router.down.add("emsp.test")
        with pytest.raises(EvroamError, match="Nothing changed"):
            await service.rotate(cpo.platform, "emsp")
        router.down.clear()
        assert (await partner_named(cpo.platform, "emsp")).token_out == token
        assert (await emsp.client.get("/ocpi/2.2.1/probe", headers=auth(token))).status_code == 200

    async def test_multi_role_platforms_register_with_each_other(self, make_settings: Any) -> None:
        """CPO+eMSP meets CPO+eMSP: one connection carries two parties each way."""
        left = make_settings("left", "CPO:NL:AAA", "EMSP:NL:AAB")
        right = make_settings("right", "CPO:BE:BBA", "EMSP:BE:BBB")
        async with platforms(left, right) as (_, (a, b)):
            await connect(a, b)
            at_a = await partner_named(a.platform, "right")
            assert {(r.role, r.party_id) for r in at_a.roles} == {("CPO", "BBA"), ("EMSP", "BBB")}
            token = at_a.token_out
            assert token
            headers = {
                **auth(token),
                "OCPI-from-country-code": "NL",
                "OCPI-from-party-id": "AAB",
                "OCPI-to-country-code": "BE",
                "OCPI-to-party-id": "BBA",
            }
            response = await b.client.get("/ocpi/2.2.1/probe", headers=headers)
            assert response.json()["data"]["remote"]["party_id"] == "AAB"
            assert response.headers["OCPI-from-party-id"] == "BBA"
