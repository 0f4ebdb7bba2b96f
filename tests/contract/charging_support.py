"""Helpers for the charging-flow contract tests: a CPO whose simulated chargers run on a
virtual clock, an eMSP connected to it, a priced site, and the eMSP's view of what arrived.

LOC1 (tests/unit/chargers/sites.py) gets tariff T1 on every connector: a 0.50 start fee,
0.30/kWh before 10:00 local time and 0.40/kWh after (Europe/Amsterdam), so a session crossing
10:00 has a tariff-relevant change. The clock starts at 08:30 UTC (09:30 local).
"""

from dataclasses import dataclass
from datetime import UTC, datetime

from evroam.chargers.clock import VirtualClock
from evroam.chargers.simulated import SimulatedNetwork
from evroam.modules.cdrs.model import Cdr
from evroam.modules.cdrs.repository import cdrs
from evroam.modules.locations.model import Location
from evroam.modules.locations.publish import save_locations
from evroam.modules.sessions.model import Session
from evroam.modules.sessions.repository import sessions
from evroam.modules.tariffs.model import Tariff
from evroam.modules.tariffs.publish import save_tariffs
from evroam.platform import Platform
from tests.contract.commands_support import Setup
from tests.contract.locations_support import Link, link
from tests.support import HostRouter, Running, partner_named
from tests.unit.chargers.sites import site

START = datetime(2026, 3, 2, 8, 30, tzinfo=UTC)
STAMP = "2026-03-01T10:00:00Z"
TARIFF = {
    "country_code": "NL",
    "party_id": "CPO",
    "id": "T1",
    "currency": "EUR",
    "elements": [
        {"price_components": [{"type": "FLAT", "price": 0.5, "vat": 20, "step_size": 1}]},
        {
            "price_components": [{"type": "ENERGY", "price": 0.3, "vat": 20, "step_size": 1}],
            "restrictions": {"start_time": "00:00", "end_time": "10:00"},
        },
        {"price_components": [{"type": "ENERGY", "price": 0.4, "vat": 20, "step_size": 1}]},
    ],
    "last_updated": STAMP,
}
# Chargers that never tick on their own: the test moves the virtual clock and ticks.
STILL = {"chargers": {"tick_seconds": 1e9, "command_timeout_seconds": 5}, "admin_token": "admin"}


def priced_site(address: str = "Street 1", state: str | None = None) -> Location:
    """LOC1 with tariff T1 on every connector."""
    document = site().model_dump(mode="json", exclude_none=True)
    document["address"] = address
    if state is not None:
        document["state"] = state
    for evse in document["evses"]:
        for connector in evse["connectors"]:
            connector["tariff_ids"] = ["T1"]
    return Location.model_validate(document)


@dataclass
class Flow(Setup):
    """A connected CPO and eMSP, and the CPO's chargers on a virtual clock."""

    clock: VirtualClock

    async def run(self, minutes: float, step: float = 5) -> None:
        """Let the chargers work for `minutes` of virtual time, then deliver what was owed."""
        done = 0.0
        while done < minutes:
            self.clock.advance(min(step, minutes - done) * 60)
            done += step
            await self.network.tick()
        await self.settle()


async def charging(router: HostRouter, cpo: Running, emsp: Running, location: Location) -> Flow:
    """The eMSP registers at the CPO; the CPO holds T1 and the Location (pushed to the eMSP)."""
    emsp_in = await link(emsp, cpo)
    token = (await partner_named(cpo.platform, "emsp")).token_out
    assert token
    await save_tariffs(cpo.platform, [Tariff.model_validate(TARIFF)])
    await save_locations(cpo.platform, [location])
    flow = Flow(router, cpo, emsp, emsp_in, Link(emsp, token), VirtualClock(START))
    flow.network.clock = flow.clock
    flow.network.learn(location)
    await cpo.app.state.outbox.drain()
    return flow


async def stored_sessions(platform: Platform, *, own: bool) -> list[Session]:
    column = sessions.c.partner_id
    query = sessions.select().where(column.is_(None) if own else column.is_not(None))
    async with platform.sessions() as db:
        rows = (await db.execute(query.order_by(sessions.c.pk))).all()
    return [Session.model_validate(row.document) for row in rows]


async def stored_cdrs(platform: Platform, *, own: bool) -> list[Cdr]:
    column = cdrs.c.partner_id
    query = cdrs.select().where(column.is_(None) if own else column.is_not(None))
    async with platform.sessions() as db:
        rows = (await db.execute(query.order_by(cdrs.c.pk))).all()
    return [Cdr.model_validate(row.document) for row in rows]


def network_of(running: Running) -> SimulatedNetwork:
    assert running.platform.chargers is not None
    network = running.platform.chargers.network
    assert isinstance(network, SimulatedNetwork)
    return network
