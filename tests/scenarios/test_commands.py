"""Commands between live platforms over real HTTP (issue #5 scenarios): an eMSP commands a CPO
whose simulated charge points answer; results travel back to the eMSP server's response_url."""

import asyncio
import json
import time
import tomllib
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import update

from evroam.modules.commands.compose import compose
from evroam.modules.commands.model import CommandType
from evroam.modules.commands.sending import SentCommand, get_sent, send_command, wait_for_result
from evroam.modules.locations.publish import save_locations
from evroam.protocol.timestamps import utc_now
from evroam.sim.processes import Node, connect, start, stop, write_settings
from evroam.storage.tables import outbox
from tests.scenarios.conftest import Spawn
from tests.unit.chargers.sites import site

pytestmark = pytest.mark.scenario
ADMIN = "scenario-admin-token"
TIMEOUT = 3  # seconds the CPO announces


def cpo_node(spawn: Spawn, tmp_path: Path) -> Node:
    """A CPO with a short command timeout and the management API on."""
    node = spawn("cpo", "CPO:NL:CPO", running=False)
    settings = tomllib.loads(node.config.read_text())
    settings |= {
        "admin_token": ADMIN,
        "chargers": {"kind": "simulated", "command_timeout_seconds": TIMEOUT},
    }
    write_settings(node.config, settings)
    start(node, tmp_path)
    return node


async def send(
    emsp: Node, kind: CommandType, fields: dict[str, Any], *, wait: bool = True
) -> SentCommand:
    """The eMSP's service, in this process, over real HTTP to the CPO server."""
    async with emsp.opened() as platform:
        sent = await send_command(platform, "cpo", compose(platform, kind, fields))
        return await wait_for_result(platform, sent.id) if wait else sent


def cli(emsp: Node, *args: str) -> dict[str, Any]:
    done = emsp.cli("commands", *args, "--json", check=False)
    found: dict[str, Any] = json.loads(done.stdout)
    return found


def fault(cpo: Node, evse: str, name: str) -> None:
    url = f"{cpo.base_url}/manage/chargers/LOC1/{evse}/faults/{name}"
    answer = httpx.put(url, headers={"Authorization": f"Bearer {ADMIN}"}, timeout=10)
    assert answer.status_code == 200, answer.text


async def late_result(emsp: Node, cpo: Node, uid: str, seconds: float = 30) -> SentCommand:
    """Wait for a result after the deadline; the CPO's retry is made due at once."""
    async with cpo.opened() as platform, platform.unit_of_work() as session:
        await session.execute(update(outbox).values(due_at=utc_now()))
    give_up = time.monotonic() + seconds
    async with emsp.opened() as platform:
        while (sent := await get_sent(platform, uid)).results == [] and time.monotonic() < give_up:
            await asyncio.sleep(0.3)
    return sent


START_AC = {"location_id": "LOC1", "evse_uid": "AC", "token": {"uid": "APP1"}}


class TestCommands:
    async def test_story_of_commands_between_live_platforms(
        self, spawn: Spawn, tmp_path: Path
    ) -> None:
        cpo, emsp = cpo_node(spawn, tmp_path), spawn("emsp", "EMSP:DE:MSP")
        connect(emsp, cpo)
        async with cpo.opened() as platform:
            await save_locations(platform, [site()])

        # remote start through the real CLI: the result arrives at the eMSP server
        started = cli(
            emsp, "start-session", "cpo", "--location", "LOC1", "--evse", "AC", "--token", "APP1"
        )
        assert (started["response"], started["outcome"]) == ("ACCEPTED", "ACCEPTED")

        stopped = await send(emsp, CommandType.STOP_SESSION, {"session_id": "NO-SUCH-SESSION"})
        assert stopped.outcome == "UNKNOWN_SESSION"

        unlocked = await send(
            emsp,
            CommandType.UNLOCK_CONNECTOR,
            {"location_id": "LOC1", "evse_uid": "AC", "connector_id": "1"},
        )
        assert unlocked.outcome == "ACCEPTED"

        reserve = {
            "location_id": "LOC1",
            "evse_uid": "DC",
            "reservation_id": "R1",
            "token": {"uid": "APP1"},
            "expiry_date": "2099-01-01T00:00:00Z",
        }
        assert (await send(emsp, CommandType.RESERVE_NOW, reserve)).outcome == "ACCEPTED"
        cancelled = await send(emsp, CommandType.CANCEL_RESERVATION, {"reservation_id": "R1"})
        assert cancelled.outcome == "ACCEPTED"

        fault(cpo, "AC", "OFFLINE")
        offline = await send(emsp, CommandType.START_SESSION, START_AC)
        assert offline.outcome == "FAILED"
        assert "offline" in (offline.result_message or "")

        # the eMSP server is down: no result in time, TIMEOUT; the result comes late
        stop(emsp)
        pending = await send(emsp, CommandType.START_SESSION, START_AC | {"evse_uid": "DC"})
        assert (pending.response, pending.outcome) == ("ACCEPTED", "TIMEOUT")
        start(emsp, tmp_path)
        late = await late_result(emsp, cpo, pending.id)
        assert (late.result, late.late) == ("ACCEPTED", True)
        assert late.timed_out_at is not None

        listing = json.loads(emsp.cli("commands", "list", "--json").stdout)
        assert [c["outcome"] for c in listing][:2] == ["ACCEPTED", "FAILED"]
        assert len(listing) == 7
        assert listing[0]["late"] is True
        table = emsp.cli("commands", "list").stdout
        assert "UNKNOWN_SESSION" in table
        assert "ACCEPTED (late)" in table
