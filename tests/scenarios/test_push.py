"""Push between live platforms: convergence after SIGKILL in a push storm and after an outage
(issue #3 scenarios). Changes are made on the CPO's database by this process, as an operator's
tools or charger events would; the CPO server's outbox worker delivers them."""

import asyncio
import signal
import time
from typing import Any

import pytest
from sqlalchemy import select

from evroam.modules.locations.enums import Status
from evroam.modules.locations.model import Location
from evroam.modules.locations.publish import StatusChange, save_locations, set_evse_statuses
from evroam.modules.locations.repository import locations
from evroam.push.outbox import pending_count
from evroam.sim.network import generate_locations
from evroam.sim.processes import Node, connect, start, stop
from tests.scenarios.conftest import Spawn

pytestmark = pytest.mark.scenario
STATUSES = [Status.CHARGING, Status.AVAILABLE, Status.BLOCKED, Status.OUTOFORDER, Status.RESERVED]


def pair(spawn: Spawn) -> tuple[Node, Node]:
    cpo, emsp = spawn("cpo", "CPO:NL:CPO"), spawn("emsp", "EMSP:DE:MSP")
    connect(cpo, emsp)
    return cpo, emsp


def sites(count: int) -> list[Location]:
    return [site for site in generate_locations(count * 2, 11, "NL", "CPO") if site.publish][:count]


async def documents(node: Node, *, own: bool) -> dict[str, dict[str, Any]]:
    """Location documents by id: our own (own=True) or those received from partners."""
    column = locations.c.partner_id
    async with node.opened() as platform, platform.sessions() as session:
        query = select(locations.c.document).where(column.is_(None) if own else column.is_not(None))
        return {doc["id"]: doc for doc in (await session.execute(query)).scalars()}


async def converged(cpo: Node, emsp: Node, timeout: float = 90) -> None:
    """Wait until the eMSP holds exactly the CPO's published Locations and nothing is queued."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ours = {k: v for k, v in (await documents(cpo, own=True)).items() if v["publish"]}
        if ours == await documents(emsp, own=False) and await queued(cpo) == 0:
            return
        await asyncio.sleep(0.5)
    ours = await documents(cpo, own=True)
    theirs = await documents(emsp, own=False)
    differing = sorted(k for k in ours if ours[k] != theirs.get(k))[:5]
    raise AssertionError(
        f"not converged: {len(ours)} ours, {len(theirs)} theirs, differing {differing}"
    )


async def queued(node: Node) -> int:
    async with node.opened() as platform, platform.sessions() as session:
        return await pending_count(session)


async def storm(cpo: Node, network: list[Location], rounds: int, *, offset: int = 0) -> None:
    """Status changes in bursts, as charger events arrive."""
    async with cpo.opened() as platform:
        for number in range(rounds):
            changes = [
                StatusChange(site.id, evse.uid, STATUSES[(number + offset + i) % len(STATUSES)])
                for i, site in enumerate(network[number % 5 :: 5])
                for evse in (site.evses or [])[:2]
            ]
            await set_evse_statuses(platform, changes)


class TestPushConvergence:
    async def test_cpo_killed_mid_storm_then_restarted_converges_exactly(
        self, spawn: Spawn, tmp_path: Any
    ) -> None:
        cpo, emsp = pair(spawn)
        network = sites(40)
        async with cpo.opened() as platform:
            await save_locations(platform, network)
        await converged(cpo, emsp)
        await storm(cpo, network, 3)
        assert cpo.process is not None
        cpo.process.send_signal(signal.SIGKILL)  # no shutdown, no goodbye: mid-delivery
        cpo.process.wait()
        cpo.process = None
        await storm(cpo, network, 4, offset=1)  # changes keep coming while it is down
        start(cpo, tmp_path)
        await converged(cpo, emsp)

    async def test_emsp_down_while_cpo_changes_then_back_converges(
        self, spawn: Spawn, tmp_path: Any
    ) -> None:
        cpo, emsp = pair(spawn)
        network = sites(30)
        async with cpo.opened() as platform:
            await save_locations(platform, network[:20])
        await converged(cpo, emsp)
        stop(emsp)
        async with cpo.opened() as platform:
            await save_locations(platform, network[20:])  # new locations while it is away
        await storm(cpo, network, 3)
        await asyncio.sleep(3)  # deliveries fail and back off
        assert await queued(cpo) > 0
        start(emsp, tmp_path)
        await converged(cpo, emsp, timeout=120)
