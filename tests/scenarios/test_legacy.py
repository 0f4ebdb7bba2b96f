"""OCPI 2.1.1 between live platforms over real HTTP: an eMSP that speaks only 2.1.1 registers
with our CPO through the CLI, mirrors its Locations by push and by `evroam sync`, and its
drivers charge and are billed (DIGEST §16-§17; the same story as test_charging.py, which runs
it on 2.2.1)."""

import json
import tomllib
from datetime import timedelta
from pathlib import Path

import pytest

from evroam.errors import EvroamError
from evroam.modules.commands.compose import compose
from evroam.modules.commands.model import CommandType
from evroam.modules.commands.sending import send_command
from evroam.modules.credentials.service import get_partner
from evroam.modules.locations.enums import TokenType
from evroam.modules.locations.repository import LocationRepository
from evroam.modules.tokens.model import WhitelistType
from evroam.modules.tokens.publish import NewToken, block_token, issue_token
from evroam.protocol.timestamps import format_datetime, utc_now
from evroam.sim.processes import Node, connect, start, write_settings
from evroam.storage.documents import ObjectKey
from tests.contract.charging_support import priced_site
from tests.scenarios.conftest import Spawn
from tests.scenarios.test_charging import (
    START,
    command,
    cpo_node,
    priced,
    remote_start_stop_and_reconciled_cdr,
    session_where,
    tap,
    until,
)

pytestmark = pytest.mark.scenario


def legacy_emsp(spawn: Spawn, tmp_path: Path) -> Node:
    """An eMSP offering OCPI 2.1.1 only."""
    node = spawn("emsp", "EMSP:DE:MSP", running=False)
    settings = tomllib.loads(node.config.read_text())
    write_settings(node.config, settings | {"versions": ["2.1.1"]})
    start(node, tmp_path)
    return node


class TestLegacyPartner:
    async def test_a_2_1_1_emsp_connects_mirrors_and_its_drivers_are_billed(
        self, spawn: Spawn, tmp_path: Path
    ) -> None:
        cpo, emsp = cpo_node(spawn, tmp_path), legacy_emsp(spawn, tmp_path)
        connect(emsp, cpo)
        async with emsp.opened() as platform:
            partner = await get_partner(platform, "cpo")
        assert partner.version == "2.1.1"
        shown = emsp.cli("partner", "show", "cpo").stdout
        assert "2.1.1" in shown
        await priced(cpo, priced_site())
        # the Location reached the eMSP by push; a pull through the CLI finds it again
        await until(lambda: location_at(emsp), "the Location pushed to the eMSP")
        [pulled] = json.loads(
            emsp.cli("sync", "locations", "--partner", "cpo", "--full", "--json").stdout
        )
        assert (pulled["error"], pulled["stored"] + pulled["unchanged"]) == (None, 1)
        [tariffs] = json.loads(emsp.cli("sync", "tariffs", "--partner", "cpo", "--json").stdout)
        assert (tariffs["error"], tariffs["stored"] + tariffs["unchanged"]) == (None, 1)
        await remote_start_stop_and_reconciled_cdr(emsp)
        await rfid_in_real_time_then_blocked(cpo, emsp)
        await reserve_with_an_integer_id(emsp)


async def location_at(emsp: Node) -> bool:
    async with emsp.opened() as platform, platform.sessions() as db:
        found = await LocationRepository(db).get(ObjectKey("NL", "CPO", "LOC1"))
    return found is not None and found.time_zone == "Europe/Amsterdam"


async def rfid_in_real_time_then_blocked(cpo: Node, emsp: Node) -> None:
    """Whitelist NEVER: asked at the 2.1.1 eMSP in real time (2.1.1 carries no
    authorization_reference); once blocked at the eMSP, the card is refused."""
    async with emsp.opened() as platform:
        new = NewToken(type=TokenType.RFID, uid="CARD1", whitelist=WhitelistType.NEVER)
        await issue_token(platform, new)
    tapped = tap(cpo, "DC", "CARD1")
    assert tapped["outcome"] == "ACCEPTED", tapped
    card = await until(
        lambda: session_where(emsp, lambda s: s.id == tapped["session_id"]), "card session"
    )
    assert (card.auth_method, card.status, card.cdr_token.uid) == (
        "AUTH_REQUEST",
        "ACTIVE",
        "CARD1",
    )
    async with emsp.opened() as platform:
        await block_token(platform, "CARD1", TokenType.RFID)
    refused = tap(cpo, "TWIN", "CARD1")
    assert refused["outcome"] == "REJECTED"
    assert "BLOCKED" in refused["message"]


async def reserve_with_an_integer_id(emsp: Node) -> None:
    """2.1.1's reservation_id is an integer (K.327) and 2.1.1 has no cancel: asking for one
    is refused before anything is sent."""
    reserve = {
        "evse_uid": "TWIN",
        "reservation_id": "4711",
        "expiry_date": format_datetime(utc_now() + timedelta(days=30)),
    }
    assert await command(emsp, CommandType.RESERVE_NOW, **START, **reserve) == "ACCEPTED"
    # 2.1.1 has no RESERVATION status: the eMSP sees the reservation as PENDING
    await until(lambda: session_where(emsp, lambda s: s.status == "PENDING"), "held")
    async with emsp.opened() as platform:
        cancel = compose(platform, CommandType.CANCEL_RESERVATION, {"reservation_id": "4711"})
        with pytest.raises(EvroamError, match=r"2\.1\.1"):
            await send_command(platform, "cpo", cancel)
