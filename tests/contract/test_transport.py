"""Transport and format rules on the live app (CONFORMANCE section A)."""

import json
import re
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from evroam.partners.repository import PartnerRepository
from evroam.protocol.auth import TokenEncoding
from tests.contract.conftest import Pair
from tests.support import Running, auth, connect, invite, partner_named

TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z?$")
ROUTING = (
    "ocpi-to-country-code",
    "ocpi-to-party-id",
    "ocpi-from-country-code",
    "ocpi-from-party-id",
)


async def registered_token(pair: Pair) -> tuple[Running, Running, str]:
    """Register cpo with emsp; return both and the token the cpo uses to call the emsp."""
    _, cpo, emsp = pair
    await connect(cpo, emsp)
    partner = await partner_named(cpo.platform, "emsp")
    assert partner.token_out
    return cpo, emsp, partner.token_out


def assert_envelope(body: dict[str, object]) -> None:
    """A.13, A.16."""
    assert isinstance(body["status_code"], int)
    assert isinstance(body["timestamp"], str)
    assert TIMESTAMP.match(body["timestamp"])


class TestAuthorization:
    @pytest.mark.parametrize(
        "path", ["/ocpi/versions", "/ocpi/2.2.1", "/ocpi/2.2.1/credentials", "/ocpi/2.2.1/probe"]
    )
    async def test_401_when_no_authorization_header(self, pair: Pair, path: str) -> None:
        """A.1."""
        _, cpo, _ = pair
        response = await cpo.client.get(path)
        assert response.status_code == 401
        assert_envelope(response.json())

    @pytest.mark.parametrize(
        "path", ["/ocpi/versions", "/ocpi/2.2.1/credentials", "/ocpi/2.2.1/probe"]
    )
    async def test_401_when_token_is_unknown(self, pair: Pair, path: str) -> None:
        """A.2, C.82."""
        _, cpo, _ = pair
        response = await cpo.client.get(path, headers=auth("no-such-token"))
        assert response.status_code == 401

    async def test_base64_token_is_accepted_on_functional_module(self, pair: Pair) -> None:
        """A.3: the token we issued (C), Base64-encoded, reaches a functional module."""
        _, emsp, token = await registered_token(pair)
        response = await emsp.client.get("/ocpi/2.2.1/probe", headers=auth(token))
        assert response.status_code == 200
        assert response.json()["status_code"] == 1000

    async def test_raw_token_is_accepted_by_default(self, pair: Pair) -> None:
        """A.7 / tolerant input: many real peers send the token raw even on 2.2.x."""
        _, emsp, token = await registered_token(pair)
        response = await emsp.client.get(
            "/ocpi/2.2.1/probe", headers=auth(token, TokenEncoding.RAW)
        )
        assert response.json()["status_code"] == 1000

    @pytest.mark.parametrize(
        ("flag", "expected"), [(TokenEncoding.RAW, 200), (TokenEncoding.BASE64, 401)]
    )
    async def test_raw_token_follows_per_partner_flag(
        self, pair: Pair, flag: TokenEncoding, expected: int
    ) -> None:
        """A.8: legacy raw flag on → raw accepted; strict Base64 → raw refused with 401."""
        _, emsp, token = await registered_token(pair)
        async with emsp.platform.unit_of_work() as session:
            repo = PartnerRepository(session)
            partner = await repo.by_name("cpo")
            assert partner is not None
            partner.token_encoding = flag
            await repo.save(partner)
        raw = await emsp.client.get("/ocpi/2.2.1/probe", headers=auth(token, TokenEncoding.RAW))
        encoded = await emsp.client.get("/ocpi/2.2.1/probe", headers=auth(token))
        assert raw.status_code == expected
        assert encoded.status_code == 200

    async def test_token_a_is_refused_on_functional_module(self, pair: Pair) -> None:
        """A.9: a still-valid Token A only reaches versions and credentials."""
        _, _, emsp = pair
        token_a = await invite(emsp.platform, "cpo")
        response = await emsp.client.get("/ocpi/2.2.1/probe", headers=auth(token_a))
        assert response.status_code == 401

    @pytest.mark.parametrize("path", ["/ocpi/versions", "/ocpi/2.2.1", "/ocpi/2.2.1/credentials"])
    async def test_token_a_works_on_versions_and_credentials(self, pair: Pair, path: str) -> None:
        """A.10, C.83."""
        _, _, emsp = pair
        token_a = await invite(emsp.platform, "cpo")
        response = await emsp.client.get(path, headers=auth(token_a))
        assert response.status_code == 200
        assert response.json()["status_code"] == 1000

    async def test_expired_token_a_is_refused(self, pair: Pair) -> None:
        _, _, emsp = pair
        token_a = await invite(emsp.platform, "cpo", ttl=timedelta(microseconds=1))
        response = await emsp.client.get("/ocpi/versions", headers=auth(token_a))
        assert response.status_code == 401

    async def test_header_names_match_case_insensitively(self, pair: Pair) -> None:
        """A.28."""
        _, _, emsp = pair
        token_a = await invite(emsp.platform, "cpo")
        headers = {"authorization": auth(token_a)["Authorization"], "x-request-id": "lower-case-id"}
        response = await emsp.client.get("/ocpi/versions", headers=headers)
        assert response.status_code == 200
        assert response.headers["X-Request-ID"] == "lower-case-id"


class TestRequestIds:
    async def test_request_and_correlation_ids_are_echoed(self, pair: Pair) -> None:
        """A.25, A.26."""
        _, _, emsp = pair
        token_a = await invite(emsp.platform, "cpo")
        headers = {**auth(token_a), "X-Request-ID": "req-1", "X-Correlation-ID": "corr-1"}
        response = await emsp.client.get("/ocpi/versions", headers=headers)
        assert response.headers["X-Request-ID"] == "req-1"
        assert response.headers["X-Correlation-ID"] == "corr-1"

    async def test_ids_are_generated_when_missing_even_on_errors(self, pair: Pair) -> None:
        """A.27: still processed, fresh values in the response."""
        _, _, emsp = pair
        response = await emsp.client.get("/ocpi/versions")
        uuid.UUID(response.headers["X-Request-ID"])
        uuid.UUID(response.headers["X-Correlation-ID"])

    async def test_hostile_id_is_replaced_not_echoed(self, pair: Pair) -> None:
        _, _, emsp = pair
        response = await emsp.client.get("/ocpi/versions", headers={"X-Request-ID": "x" * 300})
        uuid.UUID(response.headers["X-Request-ID"])


class TestRoutingHeaders:
    async def test_functional_response_carries_swapped_routing_headers(self, pair: Pair) -> None:
        """A.29: from = the responding party, to = the requesting party."""
        _, emsp, token = await registered_token(pair)
        headers = {
            **auth(token),
            "OCPI-to-country-code": "de",
            "OCPI-to-party-id": "msp",
            "OCPI-from-country-code": "NL",
            "OCPI-from-party-id": "CPO",
        }
        response = await emsp.client.get("/ocpi/2.2.1/probe", headers=headers)
        assert response.json()["data"]["remote"]["party_id"] == "CPO"
        assert response.headers["OCPI-from-country-code"] == "DE"
        assert response.headers["OCPI-from-party-id"] == "MSP"
        assert response.headers["OCPI-to-country-code"] == "NL"
        assert response.headers["OCPI-to-party-id"] == "CPO"

    async def test_routing_headers_default_to_the_only_parties(self, pair: Pair) -> None:
        _, emsp, token = await registered_token(pair)
        response = await emsp.client.get("/ocpi/2.2.1/probe", headers=auth(token))
        assert response.headers["OCPI-to-party-id"] == "CPO"
        assert response.headers["OCPI-from-party-id"] == "MSP"

    async def test_sender_party_not_carried_by_connection_is_2001(self, pair: Pair) -> None:
        """A.35 (spirit): a connection may only speak for the parties it carries."""
        _, emsp, token = await registered_token(pair)
        headers = {**auth(token), "OCPI-from-country-code": "FR", "OCPI-from-party-id": "XXX"}
        response = await emsp.client.get("/ocpi/2.2.1/probe", headers=headers)
        assert response.status_code == 200
        assert response.json()["status_code"] == 2001

    async def test_addressee_not_on_this_platform_is_2001(self, pair: Pair) -> None:
        _, emsp, token = await registered_token(pair)
        headers = {**auth(token), "OCPI-to-country-code": "FR", "OCPI-to-party-id": "XXX"}
        response = await emsp.client.get("/ocpi/2.2.1/probe", headers=headers)
        assert response.json()["status_code"] == 2001

    @pytest.mark.parametrize("path", ["/ocpi/versions", "/ocpi/2.2.1", "/ocpi/2.2.1/credentials"])
    async def test_configuration_modules_carry_no_routing_headers(
        self, pair: Pair, path: str
    ) -> None:
        """A.31."""
        _, emsp, token = await registered_token(pair)
        response = await emsp.client.get(path, headers=auth(token))
        assert response.status_code == 200
        assert not [h for h in ROUTING if h in response.headers]

    async def test_outgoing_configuration_requests_carry_no_routing_headers(
        self, pair: Pair
    ) -> None:
        """A.31, our side: the whole handshake is sent without OCPI-to/from."""
        router, cpo, emsp = pair
        await connect(cpo, emsp)
        assert router.requests
        for request in router.requests:
            assert not [h for h in ROUTING if h in request.headers]


class TestBadInput:
    async def test_body_that_is_not_json_is_400_and_changes_nothing(self, pair: Pair) -> None:
        """A.11."""
        _, _, emsp = pair
        token_a = await invite(emsp.platform, "cpo")
        response = await emsp.client.post(
            "/ocpi/2.2.1/credentials",
            content=b"{not json",
            headers={**auth(token_a), "Content-Type": "application/json"},
        )
        assert response.status_code == 400
        assert response.json()["status_code"] == 2001
        assert (await partner_named(emsp.platform, "cpo")).state == "INVITED"
        again = await emsp.client.get("/ocpi/versions", headers=auth(token_a))
        assert again.status_code == 200

    async def test_wrong_types_are_2001_with_http_200(self, pair: Pair) -> None:
        """Bad input: valid JSON of the wrong shape reached the OCPI layer → 2001."""
        _, emsp, token = await registered_token(pair)
        response = await emsp.client.put(
            "/ocpi/2.2.1/probe", json={"name": 5, "count": "many"}, headers=auth(token)
        )
        assert response.status_code == 200
        body = response.json()
        assert body["status_code"] == 2001
        assert "count" in body["status_message"]

    async def test_oversized_body_is_refused_with_413(self, pair: Pair) -> None:
        _, emsp, token = await registered_token(pair)
        big = json.dumps(
            {"name": "x", "count": 1, "pad": "y" * (emsp.settings.http.max_body_bytes + 1)}
        )
        response = await emsp.client.put(
            "/ocpi/2.2.1/probe",
            content=big,
            headers={**auth(token), "Content-Type": "application/json"},
        )
        assert response.status_code == 413
        assert response.json()["status_code"] == 2001

    async def test_oversized_streamed_body_without_length_is_refused(self, pair: Pair) -> None:
        _, emsp, token = await registered_token(pair)
        limit = emsp.settings.http.max_body_bytes

        async def chunks() -> AsyncIterator[bytes]:
            for _ in range(limit // 1024 + 2):
                yield b" " * 1024

        response = await emsp.client.put(
            "/ocpi/2.2.1/probe",
            content=chunks(),
            headers={**auth(token), "Content-Type": "application/json"},
        )
        assert response.status_code == 413

    async def test_oversized_credentials_post_stores_nothing(self, pair: Pair) -> None:
        _, _, emsp = pair
        token_a = await invite(emsp.platform, "cpo")
        big = b'{"token": "' + b"a" * (emsp.settings.http.max_body_bytes + 10) + b'"}'
        response = await emsp.client.post(
            "/ocpi/2.2.1/credentials",
            content=big,
            headers={**auth(token_a), "Content-Type": "application/json"},
        )
        assert response.status_code == 413
        assert (await partner_named(emsp.platform, "cpo")).state == "INVITED"

    async def test_unknown_path_is_404_envelope(self, pair: Pair) -> None:
        _, cpo, _ = pair
        response = await cpo.client.get("/ocpi/9.9/nothing")
        assert response.status_code == 404
        assert_envelope(response.json())

    async def test_unsupported_method_is_405_envelope(self, pair: Pair) -> None:
        """CONFORMANCE D.113: credentials PATCH → 405."""
        _, _, emsp = pair
        token_a = await invite(emsp.platform, "cpo")
        response = await emsp.client.patch(
            "/ocpi/2.2.1/credentials", json={}, headers=auth(token_a)
        )
        assert response.status_code == 405
        assert_envelope(response.json())

    async def test_every_response_is_json_with_envelope(self, pair: Pair) -> None:
        """A.13, A.21."""
        _, _, emsp = pair
        token_a = await invite(emsp.platform, "cpo")
        for response in [
            await emsp.client.get("/ocpi/versions", headers=auth(token_a)),
            await emsp.client.get("/ocpi/versions"),
            await emsp.client.delete("/ocpi/2.2.1/credentials", headers=auth(token_a)),
        ]:
            assert response.headers["content-type"] == "application/json"
            assert_envelope(response.json())

    async def test_no_token_appears_in_logs(
        self, pair: Pair, caplog: pytest.LogCaptureFixture
    ) -> None:
        """Secrets: the handshake logs without any token value."""
        caplog.set_level("DEBUG")
        router, cpo, emsp = pair
        await connect(cpo, emsp)
        tokens = [r.headers["Authorization"].split(" ", 1)[1] for r in router.requests]
        partner = await partner_named(cpo.platform, "emsp")
        assert partner.token_out
        secrets = {partner.token_out, *tokens}
        assert caplog.records
        for record in caplog.records:
            assert not [s for s in secrets if s in record.getMessage()]
