"""The charging flow between live platforms over real HTTP (issue #5 scenarios): a driver of the
eMSP charges at the CPO and is billed correctly. The CPO's simulated chargers run 300 times
faster than real time; the eMSP server receives Sessions and CDRs by push. Commands' own
outcomes (unlock, unknown session, charger offline, TIMEOUT then a late result) are played in
test_commands.py."""

import asyncio
import signal
import time
import tomllib
from collections.abc import Awaitable, Callable
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from sqlalchemy import update

from evroam.modules.cdrs.model import Cdr
from evroam.modules.cdrs.reconciliation import Status
from evroam.modules.cdrs.statement import day_span, partner_statement
from evroam.modules.commands.compose import compose
from evroam.modules.commands.model import CommandType
from evroam.modules.commands.sending import send_command, wait_for_result
from evroam.modules.credentials.service import get_partner
from evroam.modules.locations.enums import TokenType
from evroam.modules.locations.model import Location
from evroam.modules.locations.publish import save_locations
from evroam.modules.sessions.model import Session
from evroam.modules.tariffs.model import Tariff
from evroam.modules.tariffs.publish import save_tariffs
from evroam.modules.tokens.model import WhitelistType
from evroam.modules.tokens.publish import NewToken, block_token, issue_token
from evroam.protocol.auth import TokenEncoding, encode_token
from evroam.protocol.timestamps import format_datetime, utc_now
from evroam.sim.processes import Node, connect, start, write_settings
from evroam.storage.tables import outbox
from tests.contract.charging_support import TARIFF, priced_site, stored_cdrs, stored_sessions
from tests.scenarios.conftest import Spawn

pytestmark = pytest.mark.scenario
ADMIN = "scenario-admin-token"
DAYS = timedelta(days=2)
CHARGERS = {"kind": "simulated", "speed": 300, "tick_seconds": 15, "command_timeout_seconds": 5}
T = TypeVar("T")


def cpo_node(spawn: Spawn, tmp_path: Path) -> Node:
    """A CPO with fast simulated chargers and the management API on."""
    node = spawn("cpo", "CPO:NL:CPO", running=False)
    settings = tomllib.loads(node.config.read_text())
    write_settings(node.config, settings | {"admin_token": ADMIN, "chargers": CHARGERS})
    start(node, tmp_path)
    return node


async def priced(cpo: Node, location: Location) -> None:
    async with cpo.opened() as platform:
        await save_tariffs(platform, [Tariff.model_validate(TARIFF)])
        await save_locations(platform, [location])


async def until(check: Callable[[], Awaitable[T | None]], what: str, seconds: float = 30) -> T:
    """Poll until `check` gives something."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = await check()
        if found:
            return found
        await asyncio.sleep(0.2)
    raise AssertionError(f"not in {seconds} s: {what}")


async def sessions_of(node: Node) -> list[Session]:
    async with node.opened() as platform:
        return await stored_sessions(platform, own=False)


async def cdrs_of(node: Node) -> list[Cdr]:
    async with node.opened() as platform:
        return await stored_cdrs(platform, own=False)


async def session_where(node: Node, test: Callable[[Session], bool]) -> Session | None:
    return next((s for s in await sessions_of(node) if test(s)), None)


async def lease_expired(node: Node) -> None:
    """Deliveries the killed server had claimed wait out their claim (push/worker.py
    CLAIM_SECONDS, a minute); here it ends at once."""
    async with node.opened() as platform, platform.unit_of_work() as db:
        await db.execute(update(outbox).values(claimed_until=None, due_at=utc_now()))


async def command(emsp: Node, kind: CommandType, **fields: Any) -> str:
    """The eMSP's service, in this process, over real HTTP to the CPO server; the outcome
    (the `evroam commands` CLI is played in test_commands.py)."""
    async with emsp.opened() as platform:
        sent = await send_command(platform, "cpo", compose(platform, kind, fields))
        return (await wait_for_result(platform, sent.id)).outcome


def tap(cpo: Node, evse: str, uid: str) -> dict[str, Any]:
    answer = httpx.post(
        f"{cpo.base_url}/manage/chargers/LOC1/{evse}/tap",
        json={"uid": uid},
        headers={"Authorization": f"Bearer {ADMIN}"},
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    found: dict[str, Any] = answer.json()["data"]
    return found


async def sender_list(cpo: Node, emsp: Node, module: str) -> list[Any]:
    """What the CPO's Sender gives the eMSP when it pulls (GET list with its own token)."""
    async with emsp.opened() as platform:
        token = (await get_partner(platform, "cpo")).token_out
    assert token
    answer = httpx.get(
        f"{cpo.base_url}/ocpi/2.2.1/sender/{module}",
        params={"date_from": "2000-01-01T00:00:00Z"},
        headers={"Authorization": encode_token(token, TokenEncoding.BASE64)},
        timeout=10,
    )
    items: list[Any] = answer.json()["data"]
    return items


class TestChargingFlow:
    async def test_drivers_of_one_network_charge_on_another_and_are_billed_correctly(
        self, spawn: Spawn, tmp_path: Path
    ) -> None:
        cpo, emsp = cpo_node(spawn, tmp_path), spawn("emsp", "EMSP:DE:MSP")
        other = spawn("other", "EMSP:FR:OTH")  # a second eMSP partner of the same CPO
        connect(emsp, cpo)
        connect(other, cpo, as_names=("cpo", "other"))
        await priced(cpo, priced_site())
        await remote_start_stop_and_reconciled_cdr(emsp)
        await rfid_in_real_time_then_blocked(cpo, emsp)
        await reserve_then_cancel(emsp)
        await cpo_killed_mid_session(cpo, emsp, tmp_path)
        # privacy: the other eMSP never got any of it, and cannot pull it
        assert await sessions_of(other) == []
        assert await cdrs_of(other) == []
        assert await sender_list(cpo, other, "sessions") == []
        assert await sender_list(cpo, other, "cdrs") == []
        mine = await sender_list(cpo, emsp, "cdrs")
        assert {c["cdr_token"]["party_id"] for c in mine} == {"MSP"}


START = {"location_id": "LOC1", "token": {"uid": "APP1"}}


async def remote_start_stop_and_reconciled_cdr(emsp: Node) -> None:
    """Remote start; the eMSP sees energy grow; stop; the CDR equals the engine's price."""
    assert await command(emsp, CommandType.START_SESSION, evse_uid="AC", **START) == "ACCEPTED"
    live = await until(lambda: session_where(emsp, lambda s: s.kwh > 0), "energy at the eMSP")
    assert (live.status, live.cdr_token.uid) == ("ACTIVE", "APP1")
    await until(lambda: session_where(emsp, lambda s: s.kwh > live.kwh), "more energy")
    assert await command(emsp, CommandType.STOP_SESSION, session_id=live.id) == "ACCEPTED"
    cdr = await until(lambda: cdr_of(emsp, live.id), "the CDR at the eMSP")
    done = await until(lambda: session_where(emsp, lambda s: s.status == "COMPLETED"), "done")
    assert (done.id, cdr.total_energy, cdr.total_cost) == (live.id, done.kwh, done.total_cost)
    first = (cdr.start_date_time - timedelta(days=1)).date()
    async with emsp.opened() as platform:
        statement = await partner_statement(platform, "cpo", *day_span(first, first + DAYS))
    assert statement.by_status == {Status.MATCH: 1}
    [line] = statement.cdrs
    assert line.our_total is not None
    # priced again from the CDR as sent: the same money, but for the 4 decimals it is kept at
    assert abs(line.our_total.excl_vat - cdr.total_cost.excl_vat) < Decimal("0.0001")


async def rfid_in_real_time_then_blocked(cpo: Node, emsp: Node) -> None:
    """Whitelist NEVER: asked at the eMSP, whose reference the Session carries; once blocked,
    the card is refused."""
    async with emsp.opened() as platform:
        new = NewToken(type=TokenType.RFID, uid="CARD1", whitelist=WhitelistType.NEVER)
        await issue_token(platform, new)
    tapped = tap(cpo, "DC", "CARD1")
    assert tapped["outcome"] == "ACCEPTED", tapped
    card = await until(
        lambda: session_where(emsp, lambda s: s.id == tapped["session_id"]), "card session"
    )
    assert (card.auth_method, card.status) == ("AUTH_REQUEST", "ACTIVE")
    assert card.authorization_reference
    async with emsp.opened() as platform:
        await block_token(platform, "CARD1", TokenType.RFID)
    refused = tap(cpo, "TWIN", "CARD1")
    assert refused["outcome"] == "REJECTED"
    assert "BLOCKED" in refused["message"]


async def reserve_then_cancel(emsp: Node) -> None:
    """A RESERVATION Session, COMPLETED once cancelled."""
    reserve = {
        "evse_uid": "TWIN",
        "reservation_id": "R1",
        "expiry_date": format_datetime(utc_now() + timedelta(days=30)),  # simulated time runs ahead
    }
    assert await command(emsp, CommandType.RESERVE_NOW, **START, **reserve) == "ACCEPTED"
    held = await until(lambda: session_where(emsp, lambda s: s.status == "RESERVATION"), "held")
    assert await command(emsp, CommandType.CANCEL_RESERVATION, reservation_id="R1") == "ACCEPTED"
    await until(
        lambda: session_where(emsp, lambda s: s.id == held.id and s.status == "COMPLETED"),
        "the reservation COMPLETED",
    )


async def cpo_killed_mid_session(cpo: Node, emsp: Node, tmp_path: Path) -> None:
    """SIGKILL while charging: after the restart the Session completes and one CDR arrives."""
    assert await command(emsp, CommandType.START_SESSION, evse_uid="AC", **START) == "ACCEPTED"
    live = await until(
        lambda: session_where(emsp, lambda s: s.evse_uid == "AC" and s.status == "ACTIVE"),
        "a second session on AC",
    )
    await until(lambda: session_where(emsp, lambda s: s.id == live.id and s.kwh > 0), "energy")
    assert cpo.process is not None
    cpo.process.send_signal(signal.SIGKILL)  # no shutdown: the charger's session dies with it
    cpo.process.wait()
    cpo.process = None
    await lease_expired(cpo)
    start(cpo, tmp_path)
    cdr = await until(lambda: cdr_of(emsp, live.id), "the CDR after the restart")
    done = await until(
        lambda: session_where(emsp, lambda s: s.id == live.id and s.status == "COMPLETED"),
        "COMPLETED after the restart",
    )
    assert cdr.total_energy == done.kwh >= live.kwh
    assert "restarted" in (cdr.remark or "")
    await asyncio.sleep(1)  # a second CDR would have come by now
    assert len([c for c in await cdrs_of(emsp) if c.session_id == live.id]) == 1


async def cdr_of(node: Node, session_id: str) -> Cdr | None:
    return next((c for c in await cdrs_of(node) if c.session_id == session_id), None)
