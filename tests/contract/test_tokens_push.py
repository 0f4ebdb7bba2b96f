"""Our own Tokens pushed through the outbox to every CPO (issue #5 item 1; CONFORMANCE J.275,
J.294–J.297): issued Tokens arrive whole, a block arrives as a PATCH of `valid` at once."""

import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from evroam.modules.locations.enums import TokenType
from evroam.modules.tokens.decision import Method, authorize_token
from evroam.modules.tokens.model import Token
from evroam.modules.tokens.publish import (
    NewToken,
    block_token,
    issue_token,
    save_tokens,
    unblock_token,
)
from evroam.push.worker import OutboxWorker
from evroam.settings import Settings
from evroam.storage.tables import outbox
from tests.contract.locations_support import Link, held
from tests.contract.tokens_support import REQUIRED, TOKENS_RECEIVER, token
from tests.support import HostRouter, Running, connect, partner_named, platforms

UID = "04A2B3C4D5"


@dataclass
class Network:
    router: HostRouter
    emsp: Running
    cpos: list[Running]

    async def drain(self) -> int:
        worker = self.emsp.app.state.outbox
        assert isinstance(worker, OutboxWorker)
        return await worker.drain()

    async def held_at(self, cpo: Running, uid: str = UID, query: str = "") -> Any:
        """What a CPO holds, read through its own Receiver with the eMSP's token."""
        to_cpo = (await partner_named(self.emsp.platform, cpo.host.split(".")[0])).token_out
        assert to_cpo
        return await held(Link(cpo, to_cpo), f"{TOKENS_RECEIVER}/DE/MSP/{uid}{query}")

    def sent(self, method: str) -> list[httpx.Request]:
        return [r for r in self.router.requests if r.method == method and "tokens" in r.url.path]


@pytest.fixture
async def network(make_settings: Callable[..., Settings]) -> AsyncIterator[Network]:
    """One eMSP (DE*MSP) connected to two CPOs (NL*CPO, FR*OTH)."""
    emsp = make_settings("emsp", "EMSP:DE:MSP")
    cpo = make_settings("cpo", "CPO:NL:CPO")
    other = make_settings("other", "CPO:FR:OTH")
    async with platforms(emsp, cpo, other) as (router, (e, c, o)):
        await connect(e, c)
        await connect(e, o)
        router.requests.clear()
        yield Network(router, e, [c, o])


async def pending(running: Running) -> list[Any]:
    async with running.platform.sessions() as session:
        return list((await session.execute(select(outbox))).all())


async def issued(network: Network, **order: Any) -> Token:
    return await issue_token(network.emsp.platform, NewToken.model_validate({"uid": UID} | order))


class TestIssuedTokens:
    async def test_reach_every_cpo_whole(self, network: Network) -> None:
        """J.294: the PUT carries every required field; routing from DE*MSP to each CPO."""
        token_ = await issued(network)
        assert len(await pending(network.emsp)) == 2  # one per CPO, in the same transaction
        assert network.emsp.platform.push_wakeup.is_set()
        assert await network.drain() == 2
        expected = token_.model_dump(mode="json", exclude_none=True)
        for cpo in network.cpos:
            assert await network.held_at(cpo) == expected
        puts = network.sent("PUT")
        assert {r.url.host for r in puts} == {"cpo.test", "other.test"}
        assert all(r.url.params["type"] == "RFID" for r in puts)
        assert {(r.headers["OCPI-from-party-id"], r.headers["OCPI-to-party-id"]) for r in puts} == {
            ("MSP", "CPO"),
            ("MSP", "OTH"),
        }
        assert set(REQUIRED) <= set(expected)

    async def test_app_users_are_pushed_with_whitelist_never(self, network: Network) -> None:
        """J.295: the default for app users; their uid is generated."""
        token_ = await issue_token(network.emsp.platform, NewToken(type=TokenType.APP_USER))
        await network.drain()
        query = "?type=APP_USER"
        stored = await network.held_at(network.cpos[0], token_.uid, query)
        assert (stored["whitelist"], len(stored["uid"])) == ("NEVER", 36)

    async def test_unchanged_import_pushes_nothing(self, network: Network) -> None:
        items = [Token.model_validate(token(f"T{n}")) for n in range(3)]
        first = await save_tokens(network.emsp.platform, items)
        assert (first.created, len(await pending(network.emsp))) == (3, 6)
        await network.drain()
        again = await save_tokens(network.emsp.platform, items)
        assert (again.unchanged, await pending(network.emsp)) == (3, [])


class TestBlock:
    async def test_reaches_every_cpo_as_a_patch_of_valid(self, network: Network) -> None:
        """J.275 from the eMSP's side; the worker is woken at once."""
        await issued(network)
        await network.drain()
        network.emsp.platform.push_wakeup.clear()
        network.router.requests.clear()
        blocked = await block_token(network.emsp.platform, UID, TokenType.RFID)
        assert network.emsp.platform.push_wakeup.is_set()
        assert [r.fields for r in await pending(network.emsp)] == [["valid"], ["valid"]]
        await network.drain()
        patches = network.sent("PATCH")
        assert len(patches) == 2
        assert all(set(json.loads(r.content)) == {"valid", "last_updated"} for r in patches)
        for cpo in network.cpos:
            stored = await network.held_at(cpo)
            assert (stored["valid"], stored["last_updated"]) == (
                False,
                blocked.model_dump(mode="json")["last_updated"],
            )

    async def test_blocked_token_refused_by_the_cpo_next_time(self, network: Network) -> None:
        """The whole story: pushed ALLOWED, blocked, refused at the next authorization."""
        await issued(network, whitelist="ALLOWED")
        await network.drain()
        cpo = network.cpos[0].platform
        assert (await authorize_token(cpo, uid=UID)).method is Method.LOCAL
        await block_token(network.emsp.platform, UID, TokenType.RFID)
        await network.drain()
        decision = await authorize_token(cpo, uid=UID)
        assert (decision.allowed, decision.method) == ("BLOCKED", Method.REAL_TIME)

    async def test_unblock_makes_it_valid_again_everywhere(self, network: Network) -> None:
        await issued(network)
        await block_token(network.emsp.platform, UID, TokenType.RFID)
        await unblock_token(network.emsp.platform, UID, TokenType.RFID)
        await network.drain()
        for cpo in network.cpos:
            assert (await network.held_at(cpo))["valid"] is True

    async def test_blocking_twice_pushes_once(self, network: Network) -> None:
        await issued(network)
        await network.drain()
        await block_token(network.emsp.platform, UID, TokenType.RFID)
        await network.drain()
        await block_token(network.emsp.platform, UID, TokenType.RFID)
        assert await pending(network.emsp) == []

    async def test_cpo_without_the_token_gets_it_whole(
        self, make_settings: Callable[..., Settings]
    ) -> None:
        """A PATCH the CPO refuses (it never got the Token) is followed by a PUT (A.41)."""
        emsp = make_settings("emsp", "EMSP:DE:MSP")
        cpo = make_settings("cpo", "CPO:NL:CPO")
        async with platforms(emsp, cpo) as (router, (e, c)):
            network = Network(router, e, [c])
            await issued(network)  # before the connection: never pushed
            await connect(e, c)
            await block_token(e.platform, UID, TokenType.RFID)
            await network.drain()
            assert [r.method for r in network.sent("PATCH") + network.sent("PUT")] == [
                "PATCH",
                "PUT",
            ]
            assert (await network.held_at(c))["valid"] is False
            assert await pending(e) == []
