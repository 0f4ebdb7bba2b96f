"""The credentials lifecycle between live platforms over real HTTP (issue #2 scenarios)."""

import json
from typing import Any

import httpx
import pytest

from evroam.protocol.auth import TokenEncoding, encode_token
from evroam.sim.processes import Node, free_port
from tests.scenarios.conftest import Spawn

pytestmark = pytest.mark.scenario


def show(node: Node, name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(node.cli("partner", "show", name, "--json").stdout)
    return data


def invite(node: Node, name: str) -> str:
    token: str = json.loads(node.cli("partner", "invite", name, "--json").stdout)["token"]
    return token


def status(node: Node, path: str, token: str) -> int:
    header = {"Authorization": encode_token(token, TokenEncoding.BASE64)}
    return httpx.get(f"{node.base_url}{path}", headers=header, timeout=10).status_code


def credentials_token(node: Node, token: str) -> str:
    """GET credentials answers with the token the caller uses (proves `token` works)."""
    header = {"Authorization": encode_token(token, TokenEncoding.BASE64)}
    body = httpx.get(f"{node.base_url}/ocpi/2.2.1/credentials", headers=header, timeout=10).json()
    assert body["status_code"] == 1000
    value: str = body["data"]["token"]
    return value


class TestHandshake:
    @pytest.mark.parametrize("initiator_role", ["CPO", "EMSP"])
    def test_both_sides_registered_when_either_side_initiates(
        self, spawn: Spawn, initiator_role: str
    ) -> None:
        cpo = spawn("cpo", "CPO:NL:CPO")
        emsp = spawn("emsp", "EMSP:DE:MSP")
        initiator, receiver = (cpo, emsp) if initiator_role == "CPO" else (emsp, cpo)
        token_a = invite(receiver, "them")
        done = initiator.cli(
            "partner", "register", "peer", "--url", receiver.versions_url, "--token", token_a
        )
        assert "Registered" in done.stdout
        at_initiator, at_receiver = show(initiator, "peer"), show(receiver, "them")
        assert at_initiator["state"] == at_receiver["state"] == "REGISTERED"
        assert at_initiator["version"] == at_receiver["version"] == "2.2.1"
        assert at_initiator["roles"][0]["role"] == ("EMSP" if initiator is cpo else "CPO")
        assert at_receiver["roles"][0]["role"] == initiator_role
        assert {e["identifier"] for e in at_initiator["endpoints"]} >= {"credentials"}
        listing = receiver.cli("partner", "list").stdout
        assert "them" in listing
        assert "REGISTERED" in listing

    def test_token_a_refused_after_use(self, spawn: Spawn) -> None:
        cpo, emsp = spawn("cpo", "CPO:NL:CPO"), spawn("emsp", "EMSP:DE:MSP")
        token_a = invite(emsp, "cpo")
        assert status(emsp, "/ocpi/versions", token_a) == 200
        cpo.cli("partner", "register", "emsp", "--url", emsp.versions_url, "--token", token_a)
        assert status(emsp, "/ocpi/versions", token_a) == 401
        again = cpo.cli(
            "partner",
            "register",
            "emsp2",
            "--url",
            emsp.versions_url,
            "--token",
            token_a,
            check=False,
        )
        assert again.returncode == 1
        assert "Token A" in again.stderr
        assert "Traceback" not in again.stderr

    def test_rotation_refuses_old_token_and_accepts_new(self, spawn: Spawn) -> None:
        cpo, emsp = spawn("cpo", "CPO:NL:CPO"), spawn("emsp", "EMSP:DE:MSP")
        token_a = invite(emsp, "cpo")
        cpo.cli("partner", "register", "emsp", "--url", emsp.versions_url, "--token", token_a)
        # What the CPO uses towards the eMSP is readable only through the eMSP's GET credentials.
        before = cpo.partner_token("emsp")
        assert credentials_token(emsp, before) == before
        cpo.cli("partner", "rotate", "emsp")
        after = cpo.partner_token("emsp")
        assert after != before
        assert status(emsp, "/ocpi/versions", before) == 401
        assert credentials_token(emsp, after) == after
        back = emsp.partner_token("cpo")
        assert status(cpo, "/ocpi/versions", back) == 200

    @pytest.mark.parametrize("side", ["cpo", "emsp"])
    def test_unregister_from_either_side_leaves_both_unregistered(
        self, spawn: Spawn, side: str
    ) -> None:
        cpo, emsp = spawn("cpo", "CPO:NL:CPO"), spawn("emsp", "EMSP:DE:MSP")
        cpo.cli(
            "partner",
            "register",
            "emsp",
            "--url",
            emsp.versions_url,
            "--token",
            invite(emsp, "cpo"),
        )
        to_emsp, to_cpo = cpo.partner_token("emsp"), emsp.partner_token("cpo")
        if side == "cpo":
            cpo.cli("partner", "unregister", "emsp")
        else:
            emsp.cli("partner", "unregister", "cpo")
        assert show(cpo, "emsp")["state"] == show(emsp, "cpo")["state"] == "UNREGISTERED"
        assert status(emsp, "/ocpi/versions", to_emsp) == 401
        assert status(cpo, "/ocpi/versions", to_cpo) == 401

    def test_registration_against_unreachable_versions_is_3001_and_stores_nothing(
        self, spawn: Spawn
    ) -> None:
        emsp = spawn("emsp", "EMSP:DE:MSP")
        token_a = invite(emsp, "ghost")
        dead = f"http://127.0.0.1:{free_port()}/ocpi/versions"
        body = {
            "token": "ghost-token-b",
            "url": dead,
            "roles": [
                {
                    "role": "CPO",
                    "country_code": "NL",
                    "party_id": "GHO",
                    "business_details": {"name": "Ghost"},
                }
            ],
        }
        header = {"Authorization": encode_token(token_a, TokenEncoding.BASE64)}
        response = httpx.post(
            f"{emsp.base_url}/ocpi/2.2.1/credentials", json=body, headers=header, timeout=30
        )
        assert response.status_code == 200
        assert response.json()["status_code"] == 3001
        ghost = show(emsp, "ghost")
        assert ghost["state"] == "INVITED"
        assert ghost["roles"] == []
        assert status(emsp, "/ocpi/versions", token_a) == 200

    def test_cli_registration_against_a_down_partner_fails_clearly_and_stores_nothing(
        self, spawn: Spawn
    ) -> None:
        cpo = spawn("cpo", "CPO:NL:CPO")
        dead = f"http://127.0.0.1:{free_port()}/ocpi/versions"
        done = cpo.cli(
            "partner", "register", "emsp", "--url", dead, "--token", "whatever", check=False
        )
        assert done.returncode == 1
        assert "Could not connect" in done.stderr
        assert "Traceback" not in done.stderr
        assert "No partners yet" in cpo.cli("partner", "list").stdout

    def test_multi_role_platforms_register_with_each_other(self, spawn: Spawn) -> None:
        left = spawn("left", "CPO:NL:AAA", "EMSP:NL:AAB")
        right = spawn("right", "CPO:BE:BBA", "EMSP:BE:BBB")
        left.cli(
            "partner",
            "register",
            "right",
            "--url",
            right.versions_url,
            "--token",
            invite(right, "left"),
        )
        at_left, at_right = show(left, "right"), show(right, "left")
        assert {(r["role"], r["party_id"]) for r in at_left["roles"]} == {
            ("CPO", "BBA"),
            ("EMSP", "BBB"),
        }
        assert {(r["role"], r["party_id"]) for r in at_right["roles"]} == {
            ("CPO", "AAA"),
            ("EMSP", "AAB"),
        }
