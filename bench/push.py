"""Push benchmark (issue #3): EVSE status changes made on the CPO reach the eMSP's store.

Two `evroam serve` processes on loopback. The CPO first publishes enough generated Locations
to hold the EVSEs (not timed). Then, timed: the changes are made on the CPO (bursts of 200
through the locations service, as charger events arrive) until the CPO's outbox is empty,
i.e. the eMSP has confirmed storing every change; then the eMSP's own database is compared
EVSE by EVSE with the intended statuses: none may be lost.

Run: .venv/bin/python -m bench.push [--changes 10000] [--postgres postgresql://…/test]
"""

import argparse
import asyncio
import itertools
import os
import time

from rich.console import Console
from rich.table import Table
from sqlalchemy import func, select

from bench.harness import live_pair, opened, peak_rss_mb, wait_for
from bench.session_ingest import cpu_seconds
from evroam.modules.locations.enums import Status
from evroam.modules.locations.model import Location
from evroam.modules.locations.publish import StatusChange, save_locations, set_evse_statuses
from evroam.modules.locations.repository import locations
from evroam.push.outbox import pending_count
from evroam.sim.network import generate_locations
from evroam.sim.processes import Node

console = Console()
BURST = 200


def network(evses: int) -> list[Location]:
    """Generated published Locations holding at least `evses` EVSEs."""
    chosen: list[Location] = []
    total = 0
    for location in generate_locations(evses * 2, 42, "NL", "CPO"):
        if not location.publish:
            continue  # unpublished sites are never pushed (CONFORMANCE E.154)
        chosen.append(location)
        total += len(location.evses or [])
        if total >= evses:
            break
    return chosen


def plan(sites: list[Location], count: int) -> dict[tuple[str, str], Status]:
    """A new status for `count` EVSEs (each different from its current one)."""
    cycle = [Status.CHARGING, Status.AVAILABLE, Status.BLOCKED, Status.OUTOFORDER]
    targets: dict[tuple[str, str], Status] = {}
    pairs = ((site.id, evse) for site in sites for evse in site.evses or [])
    for number, (site_id, evse) in enumerate(itertools.islice(pairs, count)):
        new = next(s for s in cycle[number % 4 :] + cycle if s != evse.status)
        targets[(site_id.upper(), evse.uid.upper())] = new
    return targets


async def received(emsp: Node) -> dict[tuple[str, str], str]:
    """Every EVSE status as the eMSP stored it."""
    async with opened(emsp) as platform, platform.sessions() as session:
        documents = (await session.execute(select(locations.c.document))).scalars()
        return {
            (doc["id"].upper(), evse["uid"].upper()): evse["status"]
            for doc in documents
            for evse in doc.get("evses") or []
        }


async def stored_count(node: Node) -> int:
    async with opened(node) as platform, platform.sessions() as session:
        return int(
            (await session.execute(select(func.count()).select_from(locations))).scalar_one()
        )


async def outbox_empty(node: Node) -> bool:
    async with opened(node) as platform, platform.sessions() as session:
        return await pending_count(session) == 0


async def publish(cpo: Node, emsp: Node, sites: list[Location]) -> None:
    async with opened(cpo) as platform:
        for start in range(0, len(sites), 500):
            await save_locations(platform, sites[start : start + 500])

    async def all_there() -> bool:
        return await stored_count(emsp) == len(sites) and await outbox_empty(cpo)

    await wait_for(all_there, timeout=600, interval=0.5)


async def storm(cpo: Node, emsp: Node, targets: dict[tuple[str, str], Status]) -> tuple[float, int]:
    """Make the changes; return seconds until the eMSP confirmed all of them, and how many match."""
    changes = [StatusChange(loc, evse, status) for (loc, evse), status in targets.items()]
    async with opened(cpo) as platform:
        began = time.perf_counter()
        for start in range(0, len(changes), BURST):
            await set_evse_statuses(platform, changes[start : start + BURST])

        async def delivered() -> bool:
            # A row leaves the outbox only after the eMSP answered 1000 for it (stored): the
            # cheap signal. The eMSP's own store is compared in full afterwards.
            async with platform.sessions() as session:
                return await pending_count(session) == 0

        done = await wait_for(delivered, timeout=600, interval=0.05)
    wanted = {key: status.value for key, status in targets.items()}
    have = await received(emsp)
    return done - began, sum(have.get(k) == v for k, v in wanted.items())


async def main(changes: int, postgres: str | None) -> None:
    sites = network(changes)
    targets = plan(sites, changes)
    with live_pair(postgres) as (cpo, emsp, _):
        console.print(
            f"Publishing {len(sites)} locations ({changes}+ EVSEs) to the eMSP (not timed)…"
        )
        await publish(cpo, emsp, sites)
        console.print(f"Timed: {changes} status changes on the CPO until the eMSP stored them…")
        assert cpo.process
        assert emsp.process
        pids = (cpo.process.pid, emsp.process.pid, os.getpid())
        before = [cpu_seconds(pid) for pid in pids]
        seconds, matched = await storm(cpo, emsp, targets)
        used = [cpu_seconds(pid) - start for pid, start in zip(pids, before, strict=True)]
        table = Table(title=f"Push benchmark ({'PostgreSQL' if postgres else 'SQLite'})")
        for column in (
            "changes",
            "seconds",
            "changes/s",
            "arrived",
            "lost",
            "CPU/change: CPO server",
            "eMSP server",
            "changes made (this process)",
            "CPO peak RSS",
            "eMSP peak RSS",
        ):
            table.add_column(column, justify="right")
        table.add_row(
            str(changes),
            f"{seconds:.2f}",
            f"{changes / seconds:,.0f}",
            str(matched),
            str(changes - matched),
            *(f"{cpu * 1e6 / changes:,.0f} µs" for cpu in used),
            f"{peak_rss_mb(cpo.process.pid):.0f} MB",
            f"{peak_rss_mb(emsp.process.pid):.0f} MB",
        )
        console.print(table)
        console.print(f"load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=10_000)
    parser.add_argument("--postgres", help="PostgreSQL URL (default: SQLite files)")
    arguments = parser.parse_args()
    asyncio.run(main(arguments.changes, arguments.postgres))
