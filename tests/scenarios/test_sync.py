"""Pull sync between live platforms over real HTTP: `evroam sync` on the eMSP pulls the CPO's
Locations and Tariffs, first in full, then only what changed (issue #3 item 6)."""

import asyncio
import json
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import pytest

from evroam.modules.locations.model import Location
from evroam.modules.locations.publish import save_locations
from evroam.modules.locations.repository import LocationRepository
from evroam.modules.tariffs.model import Tariff
from evroam.modules.tariffs.publish import save_tariffs
from evroam.platform import Platform
from evroam.protocol.timestamps import format_datetime
from evroam.settings import load_settings
from evroam.sim.processes import Node, stop
from evroam.storage.documents import ObjectKey
from tests.contract.locations_support import location as location_document
from tests.contract.locations_support import tariff as tariff_document
from tests.scenarios.conftest import Spawn

pytestmark = pytest.mark.scenario

T0 = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)
T = TypeVar("T")


def on(node: Node, work: Callable[[Platform], Awaitable[T]]) -> T:
    """Run a service call on the node's own database (as its CLI would)."""

    async def go() -> T:
        platform = await Platform.open(load_settings(node.config), migrate_now=False)
        try:
            return await work(platform)
        finally:
            await platform.close()

    return asyncio.run(go())


def location(number: int, at: datetime, **changes: Any) -> Location:
    body = location_document(f"LOC{number}", format_datetime(at), **changes)
    return Location.model_validate(body)


def tariff() -> Tariff:
    return Tariff.model_validate(tariff_document("AC", format_datetime(T0)))


async def location_name(platform: Platform, location_id: str) -> str | None:
    async with platform.sessions() as session:
        found = await LocationRepository(session).get(ObjectKey("NL", "CPO", location_id))
    assert found is not None
    return found.name


def sync(node: Node, module: str, *args: str) -> list[dict[str, Any]]:
    done = node.cli("sync", module, "--json", *args)
    reports: list[dict[str, Any]] = json.loads(done.stdout)
    return reports


def register(cpo: Node, emsp: Node) -> None:
    """The CPO invites, the eMSP registers (and must pull: it has no push of older data)."""
    token_a: str = json.loads(cpo.cli("partner", "invite", "emsp", "--json").stdout)["token"]
    emsp.cli("partner", "register", "cpo", "--url", cpo.versions_url, "--token", token_a)


class TestSyncCommand:
    def test_full_then_incremental_pull_between_live_platforms(self, spawn: Spawn) -> None:
        cpo, emsp = spawn("cpo", "CPO:NL:CPO"), spawn("emsp", "EMSP:DE:MSP")
        on(cpo, lambda p: save_locations(p, [location(n, T0) for n in range(3)]))
        on(cpo, lambda p: save_tariffs(p, [tariff()]))
        register(cpo, emsp)  # saved before: the CPO queued no push for this partner

        [first] = sync(emsp, "locations", "--partner", "cpo")
        assert (first["full"], first["pages"], first["stored"], first["error"]) == (
            True,
            1,
            3,
            None,
        )
        assert first["watermark_after"] == format_datetime(T0)
        [tariffs] = sync(emsp, "tariffs")  # every partner publishing the Sender interface
        assert (tariffs["partner"], tariffs["stored"]) == ("cpo", 1)

        later = T0 + timedelta(hours=1)
        on(cpo, lambda p: save_locations(p, [location(1, later, name="Renamed")]))
        [second] = sync(emsp, "locations", "--partner", "cpo")
        assert second["full"] is False
        assert second["date_from"] == format_datetime(T0 - timedelta(minutes=5))
        assert second["stored"] + second["unchanged"] == 3  # the change may have been pushed
        assert second["watermark_after"] == format_datetime(later)
        assert on(emsp, lambda p: location_name(p, "LOC1")) == "Renamed"

    def test_the_table_shows_counts_and_an_unreachable_partner_fails(self, spawn: Spawn) -> None:
        cpo, emsp = spawn("cpo", "CPO:NL:CPO"), spawn("emsp", "EMSP:DE:MSP")
        on(cpo, lambda p: save_locations(p, [location(1, T0)]))
        register(cpo, emsp)
        table = emsp.cli("sync", "locations", "--full").stdout
        assert "Pulled locations" in table
        assert "full" in table
        stop(cpo)
        done = emsp.cli("sync", "locations", "--partner", "cpo", check=False)
        assert done.returncode == 1
        assert "Could not connect" in done.stderr
