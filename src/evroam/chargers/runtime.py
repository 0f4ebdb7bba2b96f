"""The CPO server's charge points at run time: the network, who listens to it, its tasks.

Built when a CPO server starts (`start_chargers`, from app.py): a simulated network from our
stored Locations (read as documents in the background, so a large network does not delay the
start; a command for a Location not read yet teaches it first), its clock loop, the default
session lookup for STOP_SESSION, EVSE status changes written to our Locations (and pushed), and
the report of reservations the CPO's side cancelled. The charging flow (modules/sessions/
charging.py) subscribes first, so it sees every event in order, and turns them into Sessions
and CDRs; STOP_SESSION finds sessions in the database; a tapped card is authorized by the Tokens
module; and what the charge points lost in a restart is closed (modules/sessions/recovery.py).
"""

import asyncio
import logging
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from evroam.chargers.clock import SystemClock
from evroam.chargers.interface import (
    ChargerEvent,
    ChargerNetwork,
    LearnsLocations,
    Listener,
    StatusChanged,
)
from evroam.chargers.simulated import SimulatedNetwork
from evroam.errors import EvroamError
from evroam.modules.commands.execution import cancelled_reservations, sweep_forever
from evroam.modules.commands.sessions import SessionLookup
from evroam.modules.locations.model import Location
from evroam.modules.locations.publish import StatusChange, set_evse_statuses
from evroam.modules.locations.repository import locations
from evroam.modules.sessions.charging import ChargingFlow
from evroam.modules.sessions.lookup import StoredSessions
from evroam.modules.sessions.recovery import recover_sessions
from evroam.modules.tokens.charge_point import TokenAuthorizer
from evroam.platform import Platform
from evroam.settings import Role

log = logging.getLogger("evroam.chargers")
PAGE = 500


@dataclass
class ChargerRuntime:
    """The charge points of this server and the command executions in flight."""

    network: ChargerNetwork
    sessions: SessionLookup
    tasks: set[asyncio.Task[None]] = field(default_factory=set)

    def learn(self, location: Location) -> None:
        """Tell a network that learns Locations (the simulator) about this one."""
        if isinstance(self.network, LearnsLocations):
            self.network.learn(location)

    def spawn(self, work: Coroutine[Any, Any, None]) -> None:
        """Run work in the background, keeping a reference until it ends."""
        task = asyncio.create_task(work)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def idle(self) -> None:
        """Wait until no command is being executed (tests, shutdown)."""
        while self.tasks:
            await asyncio.gather(*list(self.tasks), return_exceptions=True)


def start_chargers(platform: Platform) -> list[asyncio.Task[None]]:
    """Build the CPO's charger network for the server; its background tasks."""
    settings = platform.settings.chargers
    if Role.CPO not in platform.local_roles:
        return []
    tasks = [asyncio.create_task(sweep_forever(platform))]
    if settings.kind == "none":
        return tasks
    clock = SystemClock(settings.speed)
    network = SimulatedNetwork(
        clock,
        seed=settings.seed,
        meter_interval=settings.meter_interval_seconds,
        signed=settings.signed_meter_values,
    )
    flow = ChargingFlow(platform)
    network.subscribe(flow.on_event)  # first: Sessions see the events in order
    network.subscribe(cancelled_reservations(platform))
    if settings.publish_status:
        network.subscribe(published_statuses(platform))
    network.authorizer = TokenAuthorizer(platform)
    platform.chargers = ChargerRuntime(network, StoredSessions(platform))
    tasks.append(asyncio.create_task(_bring_up(platform, network, flow)))
    tasks.append(asyncio.create_task(network.run(settings.tick_seconds)))
    return tasks


async def _bring_up(platform: Platform, network: SimulatedNetwork, flow: ChargingFlow) -> None:
    """Close what the chargers lost in a restart (their EVSEs published AVAILABLE again),
    then read the stored Locations into the simulator."""
    await recover_sessions(platform, network, flow)
    await _learn_stored(platform, network)


async def _learn_stored(platform: Platform, network: SimulatedNetwork) -> None:
    """Read our stored Locations page by page into the simulator."""
    c, after = locations.c, 0
    while True:
        query = (
            select(c.pk, c.document)
            .where(c.partner_id.is_(None), c.pk > after)
            .order_by(c.pk)
            .limit(PAGE)
        )
        async with platform.sessions() as session:
            page = (await session.execute(query)).all()
        for pk, document in page:
            network.learn_document(document)
            after = pk
        if len(page) < PAGE:
            log.info("Simulated charger network: %d EVSEs", len(network.evses))
            return
        await asyncio.sleep(0)


def published_statuses(platform: Platform) -> Listener:
    """A listener writing each reported EVSE status to our Location (pushed as a PATCH)."""

    async def on_event(event: ChargerEvent) -> None:
        if not isinstance(event, StatusChanged):
            return
        change = StatusChange(event.location_id, event.evse_uid, event.status)
        try:
            await set_evse_statuses(platform, [change])
        except EvroamError as exc:  # a Location deleted meanwhile: nothing to publish
            log.warning("Status of %s/%s not published: %s", event.location_id, event.evse_uid, exc)

    return on_event
