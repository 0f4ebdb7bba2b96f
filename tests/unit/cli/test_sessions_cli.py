"""`evroam sessions list|show` and `evroam cdrs list|show`: what we hold, ours and received."""

import asyncio
import json
from pathlib import Path

from evroam.modules.cdrs.model import Cdr
from evroam.modules.cdrs.publish import issue_cdr
from evroam.modules.sessions.model import Session
from evroam.modules.sessions.publish import open_session
from evroam.platform import Platform
from evroam.settings import load_settings
from tests.contract.sessions_support import cdr, period, session
from tests.unit.cli import test_locations_cli as cli
from tests.unit.cli.test_locations_cli import evroam

config = cli.config  # the same fixtures: a settings file (CPO NL*CPO), wide tables
wide_tables = cli.wide_tables


SIGNED = {
    "encoding_method": "OCMF",
    "signed_values": [
        {"nature": "Start", "plain_data": "OCMF|start", "signed_data": "c2ln"},
        {"nature": "End", "plain_data": "OCMF|end", "signed_data": "c2ln"},
    ],
}


def store(config: Path) -> None:
    """One Session and one CDR of ours (no partner: nothing is sent)."""

    async def work() -> None:
        platform = await Platform.open(load_settings(config))
        try:
            own = session(status="ACTIVE", kwh=4.5, charging_periods=[period(POWER=11)])
            await open_session(platform, Session.model_validate(own))
            await issue_cdr(platform, Cdr.model_validate(cdr(signed_data=SIGNED)))
        finally:
            await platform.close()

    asyncio.run(work())


class TestSessions:
    def test_ours_listed_and_shown_when_stored(self, config: Path) -> None:
        store(config)
        listing = evroam(config, "sessions", "list", "--origin", "own")
        assert listing.exit_code == 0, listing.output
        assert "1–1 of 1" in listing.output
        assert "DE*MSP RFID1" in listing.output
        shown = evroam(config, "sessions", "show", "s1", "--party", "NL*CPO")
        assert shown.exit_code == 0, shown.output
        assert "POWER 11" in shown.output

    def test_json_carries_the_session_when_asked(self, config: Path) -> None:
        store(config)
        listing = json.loads(evroam(config, "sessions", "list", "--json").output)
        assert listing["total"] == 1
        assert listing["items"][0]["session"]["kwh"] == 4.5
        assert "partner" not in listing["items"][0]  # ours
        shown = json.loads(evroam(config, "sessions", "show", "S1", "--json").output)
        assert shown["session"]["cdr_token"]["party_id"] == "MSP"

    def test_says_so_when_none_match(self, config: Path) -> None:
        store(config)
        assert "No Sessions" in evroam(config, "sessions", "list", "--origin", "received").output
        assert "No Sessions" in evroam(config, "sessions", "list", "--status", "COMPLETED").output

    def test_fails_with_a_message_when_unknown(self, config: Path) -> None:
        result = evroam(config, "sessions", "show", "NOPE")
        assert result.exit_code == 1
        assert "No Session NOPE" in result.output
        partner = evroam(config, "sessions", "list", "--partner", "nobody")
        assert partner.exit_code == 1


class TestCdrs:
    def test_ours_listed_and_shown_when_issued(self, config: Path) -> None:
        store(config)
        listing = evroam(config, "cdrs", "list")
        assert listing.exit_code == 0, listing.output
        assert "CDR1" in listing.output
        assert "not sent yet" in listing.output
        shown = json.loads(evroam(config, "cdrs", "show", "CDR1", "--json").output)
        assert shown["cdr"]["total_energy"] == 1.5
        assert shown["cdr"]["signed_data"] == SIGNED
        assert "pushed_at" not in shown
        table = " ".join(evroam(config, "cdrs", "show", "CDR1").output.split())
        assert "Signed meter values (OCMF): Start, End" in table
