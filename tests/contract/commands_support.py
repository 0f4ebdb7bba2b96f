"""Helpers for the Commands contract tests: a connected CPO and eMSP, bodies, settling.

The CPO (NL*CPO) holds one Location, LOC1, with an EVSE of each kind (tests/unit/chargers/
sites.py); its simulated charger network learns it on the first command. The eMSP (DE*MSP)
sends commands with its own tokens.
"""

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx

from evroam.chargers.simulated import SimulatedNetwork
from evroam.modules.commands.model import CommandToken
from evroam.modules.commands.repository import commands_received
from evroam.modules.locations.publish import save_locations
from evroam.protocol.timestamps import format_datetime, utc_now
from tests.contract.locations_support import Link, link
from tests.support import HostRouter, Running, partner_named
from tests.unit.chargers.sites import site

COMMANDS = "/ocpi/2.2.1/receiver/commands"
STAMP = "2026-03-01T10:00:00Z"


@dataclass
class Setup:
    """A registered CPO and eMSP: each one's way into the other."""

    router: HostRouter
    cpo: Running
    emsp: Running
    emsp_in: Link  # the eMSP calling the CPO's Receiver
    cpo_in: Link  # the CPO calling the eMSP's response_urls

    @property
    def network(self) -> SimulatedNetwork:
        assert self.cpo.platform.chargers is not None
        network = self.cpo.platform.chargers.network
        assert isinstance(network, SimulatedNetwork)
        return network

    async def settle(self) -> None:
        """Let the CPO finish executing and deliver every owed result."""
        assert self.cpo.platform.chargers is not None
        await self.cpo.platform.chargers.idle()
        await self.cpo.app.state.outbox.drain()

    def posted_results(self) -> list[httpx.Request]:
        """The CommandResult POSTs the CPO made to the eMSP."""
        requests = self.router.requests
        return [r for r in requests if r.method == "POST" and "/sender/commands/" in r.url.path]

    async def post(self, command: str, body: Any, **kw: Any) -> httpx.Response:
        return await self.emsp_in.call("POST", f"{COMMANDS}/{command}", body, **kw)


async def connected(router: HostRouter, cpo: Running, emsp: Running) -> Setup:
    """Register the eMSP at the CPO and store the CPO's Location LOC1."""
    emsp_in = await link(emsp, cpo)
    token = (await partner_named(cpo.platform, "emsp")).token_out
    assert token
    await save_locations(cpo.platform, [site()])
    return Setup(router, cpo, emsp, emsp_in, Link(emsp, token))


def token(uid: str = "APP1", party: str = "MSP", **fields: Any) -> dict[str, Any]:
    """A Token of the eMSP (Tokens §12.3.2) as a command carries it."""
    return {
        "country_code": "DE",
        "party_id": party,
        "uid": uid,
        "type": "APP_USER",
        "contract_id": f"DE-{party}-{uid}",
        "issuer": "Drive Co",
        "valid": True,
        "whitelist": "ALLOWED",
        "last_updated": STAMP,
        **fields,
    }


def response_url(name: str = "C1", host: str = "emsp.test") -> str:
    return f"http://{host}/ocpi/2.2.1/sender/commands/X/{name}"


def start(evse: str | None = "AC", **fields: Any) -> dict[str, Any]:
    body = {"response_url": response_url(), "token": token(), "location_id": "LOC1"}
    if evse is not None:
        body["evse_uid"] = evse
    return body | {"authorization_reference": "AUTH1"} | fields


def reserve(reservation_id: str = "R1", evse: str | None = "AC", **fields: Any) -> dict[str, Any]:
    body = {
        "response_url": response_url(),
        "token": token(),
        "expiry_date": format_datetime(utc_now() + timedelta(hours=1)),
        "reservation_id": reservation_id,
        "location_id": "LOC1",
    }
    if evse is not None:
        body["evse_uid"] = evse
    return body | fields


def stop(session_id: str) -> dict[str, Any]:
    return {"response_url": response_url(), "session_id": session_id}


def cancel(reservation_id: str) -> dict[str, Any]:
    return {"response_url": response_url(), "reservation_id": reservation_id}


def unlock(evse: str = "AC", connector: str = "1", **fields: Any) -> dict[str, Any]:
    body = {"response_url": response_url(), "location_id": "LOC1", "evse_uid": evse}
    return body | {"connector_id": connector} | fields


def ocpi(response: httpx.Response) -> tuple[int, Any]:
    """(status_code, data) of an answer."""
    body = response.json()
    return body["status_code"], body.get("data")


async def received_rows(running: Running) -> list[dict[str, Any]]:
    async with running.platform.sessions() as session:
        rows = (await session.execute(commands_received.select())).all()
    return [dict(r._mapping) for r in rows]


def command_token(uid: str = "APP1", party: str = "MSP") -> CommandToken:
    return CommandToken.model_validate(token(uid, party))
