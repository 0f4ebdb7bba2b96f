"""Pulls of many partners: on demand (CLI) and on a schedule inside the server.

Every connected partner that publishes a module's Sender interface is pulled in turn. A
failure is recorded in sync_state (`last_error`) and reported; it never stops the others, and
never ends the scheduled loop. Intervals carry random splay (DIGEST §1.6 polling advice).
"""

import asyncio
import logging
import random
from datetime import timedelta
from typing import Any

from evroam.errors import EvroamError, PartnerError
from evroam.modules.credentials.service import get_partner, list_partners
from evroam.partners.model import InterfaceRole, Partner
from evroam.platform import Platform
from evroam.sync.locations import LOCATIONS
from evroam.sync.pull import OnPage, SyncReport, pull
from evroam.sync.settings import sync_settings
from evroam.sync.store import PullModule
from evroam.sync.tariffs import TARIFFS

log = logging.getLogger("evroam.sync")

MODULES: dict[str, PullModule[Any]] = {m.name: m for m in (LOCATIONS, TARIFFS)}


def publishing(partners: list[Partner], module: str) -> list[Partner]:
    """The connected partners that publish the module's Sender interface."""
    return [
        p for p in partners if p.connected and p.endpoint(module, InterfaceRole.SENDER) is not None
    ]


async def targets(platform: Platform, module: str, name: str | None) -> list[Partner]:
    """The named partner (whatever it publishes: pull says why not), or every publisher."""
    if name is not None:
        return [await get_partner(platform, name)]
    return publishing(await list_partners(platform), module)


async def pull_safely(
    platform: Platform,
    partner: Partner,
    module: PullModule[Any],
    *,
    full: bool = False,
    on_page: OnPage | None = None,
) -> SyncReport:
    """Pull, turning a failure into a report with `error` (already recorded in sync_state)."""
    overlap = timedelta(seconds=sync_settings(platform.settings).overlap_seconds)
    try:
        return await pull(platform, partner, module, full=full, overlap=overlap, on_page=on_page)
    except (PartnerError, EvroamError) as exc:
        log.warning("Pull of %s from %s failed: %s", module.name, partner.name, exc)
        return SyncReport(partner.name, module.name, full=full, error=str(exc))


async def pull_all(
    platform: Platform,
    module: PullModule[Any],
    *,
    partner: str | None = None,
    full: bool = False,
    on_page: OnPage | None = None,
) -> list[SyncReport]:
    """Pull the module from one named partner or from every partner publishing it."""
    found = await targets(platform, module.name, partner)
    return [await pull_safely(platform, p, module, full=full, on_page=on_page) for p in found]


async def run_round(platform: Platform, *, full: bool = False) -> list[SyncReport]:
    """One scheduled pass: every module from every partner publishing it."""
    reports: list[SyncReport] = []
    for module in MODULES.values():
        reports += await pull_all(platform, module, full=full)
    return reports


def splayed(seconds: float) -> float:
    """An interval with ±10 % random splay, so partners are not all hit at the same second."""
    return seconds * random.uniform(0.9, 1.1)


async def run_scheduled(
    platform: Platform,
    interval_seconds: float,
    *,
    full_every: int = 24,
    first_delay_seconds: float = 0.0,
) -> None:
    """Pull on a schedule until cancelled; every `full_every`-th run is a full pull."""
    await asyncio.sleep(random.uniform(0, first_delay_seconds))
    run = 0
    while True:
        run += 1
        try:
            reports = await run_round(platform, full=run % full_every == 0)
            log.info(
                "Scheduled pull: %d partner modules, %d failed",
                len(reports),
                sum(1 for r in reports if r.error),
            )
        except Exception:  # the server loop must survive a database hiccup or a bug
            log.exception("Scheduled pull failed; trying again next interval")
        await asyncio.sleep(splayed(interval_seconds))


def sync_tasks(platform: Platform) -> list["asyncio.Task[None]"]:
    """The server's background pull task (none when `sync.enabled` is false)."""
    config = sync_settings(platform.settings)
    if not config.enabled:
        return []
    job = run_scheduled(
        platform,
        config.interval_seconds,
        full_every=config.full_every,
        first_delay_seconds=config.splay_seconds,
    )
    return [asyncio.create_task(job, name="evroam-sync")]
