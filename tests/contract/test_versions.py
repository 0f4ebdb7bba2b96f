"""Versions module on the live app (CONFORMANCE section C)."""

import httpx
import pytest

from evroam.modules.credentials.client import fetch_version_details
from evroam.partners.client import PartnerClient
from evroam.partners.model import InterfaceRole
from evroam.protocol.auth import TokenEncoding
from evroam.settings import HttpSettings
from tests.contract.conftest import Pair
from tests.support import auth, connect, envelope_response, invite, partner_named

VERSION_NUMBERS = {"2.0", "2.1", "2.1.1", "2.2", "2.2.1"}


class TestGetVersions:
    async def test_lists_every_version_we_serve_with_its_url(self, pair: Pair) -> None:
        """C.73, C.74."""
        _, _, emsp = pair
        token_a = await invite(emsp.platform, "cpo")
        body = (await emsp.client.get("/ocpi/versions", headers=auth(token_a))).json()
        assert body["status_code"] == 1000
        assert body["data"] == [
            {"version": "2.2.1", "url": "http://emsp.test/ocpi/2.2.1"},
            {"version": "2.1.1", "url": "http://emsp.test/ocpi/2.1.1"},
        ]
        assert {v["version"] for v in body["data"]} <= VERSION_NUMBERS

    async def test_works_with_final_token(self, pair: Pair) -> None:
        """C.83."""
        _, cpo, emsp = pair
        await connect(cpo, emsp)
        token = (await partner_named(cpo.platform, "emsp")).token_out
        assert token
        response = await emsp.client.get("/ocpi/versions", headers=auth(token))
        assert response.json()["status_code"] == 1000


class TestGetVersionDetails:
    async def test_lists_endpoints_with_identifier_role_and_url(self, pair: Pair) -> None:
        """C.75, C.76."""
        _, _, emsp = pair
        token_a = await invite(emsp.platform, "cpo")
        data = (await emsp.client.get("/ocpi/2.2.1", headers=auth(token_a))).json()["data"]
        assert data["version"] == "2.2.1"
        assert data["endpoints"]
        for endpoint in data["endpoints"]:
            assert endpoint["identifier"]
            assert endpoint["role"] in ("SENDER", "RECEIVER")
            assert endpoint["url"].startswith("http://emsp.test/ocpi/2.2.1/")

    async def test_credentials_listed_exactly_once_as_sender(self, pair: Pair) -> None:
        """C.77."""
        _, _, emsp = pair
        token_a = await invite(emsp.platform, "cpo")
        data = (await emsp.client.get("/ocpi/2.2.1", headers=auth(token_a))).json()["data"]
        credentials = [e for e in data["endpoints"] if e["identifier"] == "credentials"]
        assert credentials == [
            {
                "identifier": "credentials",
                "role": "SENDER",
                "url": "http://emsp.test/ocpi/2.2.1/credentials",
            }
        ]

    @pytest.mark.parametrize("side", ["cpo", "emsp"])
    async def test_every_listed_url_is_served(self, pair: Pair, side: str) -> None:
        """Sender URLs answer GET; Receiver URLs answer under /{country_code}/{party_id}/{id}
        (with Token A both give 401, not an unrouted 404)."""
        _, cpo, emsp = pair
        platform = cpo if side == "cpo" else emsp
        token_a = await invite(platform.platform, "someone")
        data = (await platform.client.get("/ocpi/2.2.1", headers=auth(token_a))).json()["data"]
        assert len(data["endpoints"]) == 7
        for endpoint in data["endpoints"]:
            method, suffix = probe(endpoint)
            url = endpoint["url"] + suffix
            response = await platform.client.request(method, url, headers=auth(token_a))
            assert response.status_code in (200, 401)

    async def test_roles_decide_which_interfaces_are_published(self, pair: Pair) -> None:
        """C.79 / DIGEST §2.2: a CPO publishes Sender interfaces, an eMSP Receiver ones, and
        the other way round for commands (the CPO receives them, the eMSP their results)."""
        _, cpo, emsp = pair
        for running, role, other in ((cpo, "SENDER", "RECEIVER"), (emsp, "RECEIVER", "SENDER")):
            token_a = await invite(running.platform, "someone")
            data = (await running.client.get("/ocpi/2.2.1", headers=auth(token_a))).json()["data"]
            functional = {
                (e["identifier"], e["role"])
                for e in data["endpoints"]
                if e["identifier"] != "credentials"
            }
            # Tokens and commands go the other way round (DIGEST §9, §10).
            assert functional == {
                ("locations", role),
                ("tariffs", role),
                ("sessions", role),
                ("cdrs", role),
                ("commands", other),
                ("tokens", other),
            }


def probe(endpoint: dict[str, str]) -> tuple[str, str]:
    """A request the endpoint serves: GET a list or an object; commands take only POST."""
    if endpoint["identifier"] == "commands":
        return "POST", "/START_SESSION" + ("/X1" if endpoint["role"] == "SENDER" else "")
    return "GET", "/NL/CPO/X1" if endpoint["role"] == "RECEIVER" else ""


class TestReadingPeerDetails:
    async def _details(
        self, endpoints: list[dict[str, str]]
    ) -> list[tuple[str, InterfaceRole | None]]:
        def handler(request: httpx.Request) -> httpx.Response:
            return envelope_response({"version": "2.2.1", "endpoints": endpoints})

        client = PartnerClient(
            token="t",
            encoding=TokenEncoding.BASE64,
            http=HttpSettings(),
            transport=httpx.MockTransport(handler),
        )
        async with client:
            found = await fetch_version_details(client, "http://peer.test/2.2.1")
        return [(e.identifier, e.role) for e in found]

    async def test_role_of_peer_credentials_endpoint_is_ignored(self) -> None:
        """C.78."""
        found = await self._details(
            [{"identifier": "credentials", "role": "RECEIVER", "url": "http://p/c"}]
        )
        assert found == [("credentials", None)]

    async def test_endpoints_without_role_are_accepted(self) -> None:
        """C.80: 2.1.1 details carry no role."""
        found = await self._details([{"identifier": "locations", "url": "http://p/l"}])
        assert found == [("locations", None)]

    async def test_both_interfaces_of_a_module_are_kept(self) -> None:
        """C.79 (reading side): a module may appear as SENDER and RECEIVER."""
        found = await self._details(
            [
                {"identifier": "locations", "role": "SENDER", "url": "http://p/ls"},
                {"identifier": "locations", "role": "RECEIVER", "url": "http://p/lr"},
                {"identifier": "nltnm-tokens", "role": "SENDER", "url": "http://p/x"},
            ]
        )
        assert ("locations", InterfaceRole.SENDER) in found
        assert ("locations", InterfaceRole.RECEIVER) in found
        assert ("nltnm-tokens", InterfaceRole.SENDER) in found
