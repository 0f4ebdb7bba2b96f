"""The outbox worker: claims due rows and delivers the current state of each object.

Claiming is one UPDATE … RETURNING of rows whose claim expired (on PostgreSQL the inner select
takes `FOR UPDATE SKIP LOCKED`), so any number of server processes share the work. A delivered
row is removed only if its revision is unchanged; a change that arrived meanwhile is delivered
again with the then-current state. Failures back off exponentially; a partner that cannot be
reached has all its rows pushed back and, after repeated failures, is marked degraded. Rows are
never dropped for unreachability, so when the partner answers again everything that changed
since its last confirmed delivery is sent (ARCHITECTURE, outbox).
"""

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import timedelta

from sqlalchemy import Integer, bindparam, delete, func, or_, select, update

from evroam.errors import PartnerError, PartnerHttpError, PartnerOcpiError, PartnerUnreachable
from evroam.partners.client import PartnerClient
from evroam.partners.model import Partner
from evroam.partners.repository import PartnerRepository
from evroam.platform import Platform
from evroam.protocol.timestamps import utc_now
from evroam.push import health
from evroam.storage.changes import write_generation
from evroam.storage.tables import outbox

log = logging.getLogger("evroam.push")

CLAIM_SECONDS = 60
SETTLE_CHUNK = 500  # delivered rows settled per transaction
FEED_CHECK_SECONDS = 0.01  # idle: how often the change feed is asked about outbox writes
MAX_BACKOFF = timedelta(minutes=5)
DEGRADED_AFTER = 5


@dataclass(frozen=True)
class Claimed:
    """A claimed outbox row."""

    id: int
    partner_id: int
    module: str
    country_code: str
    party_id: str
    object_id: str
    path: str
    fields: list[str] | None
    revision: int
    attempts: int


Deliver = Callable[[Platform, PartnerClient, Partner, Claimed], Awaitable[None]]


class Rejected(Exception):
    """The partner refused the object itself (an OCPI 2xxx): retrying the same state won't help."""


def deliverers() -> dict[str, Deliver]:
    """The delivery function of each module that pushes."""
    from evroam.modules.cdrs.client import deliver_cdr
    from evroam.modules.commands.client import deliver_command_result
    from evroam.modules.locations.client import deliver_location
    from evroam.modules.sessions.client import deliver_session
    from evroam.modules.tariffs.client import deliver_tariff
    from evroam.modules.tokens.client import deliver_token

    return {
        "locations": deliver_location,
        "tariffs": deliver_tariff,
        "commands": deliver_command_result,
        "tokens": deliver_token,
        "sessions": deliver_session,
        "cdrs": deliver_cdr,
    }


# Settling, as statements built once (executemany): a condition per row built by SQLAlchemy
# cost more than the delivery's own database work.
_DELIVERED = delete(outbox).where(
    outbox.c.id == bindparam("d_id", type_=Integer()),
    outbox.c.revision == bindparam("d_revision", type_=Integer()),
)
_RELEASED = (
    update(outbox)
    .where(outbox.c.id.in_(bindparam("r_ids", expanding=True)))
    .values(claimed_until=None, attempts=0)
)


def backoff(attempts: int) -> timedelta:
    return min(timedelta(seconds=2 ** min(attempts, 12)), MAX_BACKOFF)


async def claim(platform: Platform, limit: int) -> list[Claimed]:
    now = utc_now()
    due = (
        select(outbox.c.id)
        .where(
            outbox.c.due_at <= now,
            or_(outbox.c.claimed_until.is_(None), outbox.c.claimed_until < now),
        )
        .order_by(outbox.c.due_at, outbox.c.id)
        .limit(limit)
    )
    if platform.engine.dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    claim_rows = (
        update(outbox)
        .where(outbox.c.id.in_(due.scalar_subquery()))
        .values(claimed_until=now + timedelta(seconds=CLAIM_SECONDS))
        .returning(*(outbox.c[name] for name in Claimed.__dataclass_fields__))
    )
    async with platform.unit_of_work() as session:
        rows = (await session.execute(claim_rows)).all()
    return [Claimed(**row._mapping) for row in rows]


class OutboxWorker:
    """Delivers outbox rows with one client per partner and bounded concurrency."""

    def __init__(
        self,
        platform: Platform,
        deliverers: dict[str, Deliver],
        *,
        batch: int = 2000,
        concurrency: int = 32,
    ) -> None:
        self.platform = platform
        self.deliverers = deliverers
        self.batch = batch
        self.concurrency = concurrency

    async def run_forever(self, poll_seconds: float = 0.5) -> None:
        """Deliver until cancelled; sleeps when idle, woken early by `platform.push_wakeup`
        (a change of this process) or a write of the outbox by another process."""
        while True:
            try:
                if await self.run_once():
                    continue
            except Exception:  # the loop must survive a bad row or a database hiccup
                log.exception("Outbox pass failed; retrying")
            self.platform.push_wakeup.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._woken(), timeout=poll_seconds)

    async def _woken(self) -> None:
        """Return on `platform.push_wakeup`, or when the change feed shows an outbox write of
        another process (a CLI command, another server; SQLite's feed names it within
        milliseconds, elsewhere the poll timeout stands)."""
        engine = self.platform.engine.sync_engine
        seen = write_generation(engine, outbox.name)
        wakeup = self.platform.push_wakeup
        while not wakeup.is_set() and write_generation(engine, outbox.name) == seen:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wakeup.wait(), timeout=FEED_CHECK_SECONDS)

    async def drain(self, *, max_passes: int = 10_000) -> int:
        """Deliver until nothing is due now (tests, CLI); returns rows delivered or settled."""
        total = 0
        for _ in range(max_passes):
            handled = await self.run_once()
            if not handled:
                break
            total += handled
        return total

    async def run_once(self) -> int:
        rows = await claim(self.platform, self.batch)
        if not rows:
            return 0
        by_partner: dict[int, list[Claimed]] = {}
        for row in rows:
            by_partner.setdefault(row.partner_id, []).append(row)
        await asyncio.gather(
            *(self._deliver_partner(pid, items) for pid, items in by_partner.items())
        )
        return len(rows)

    async def _deliver_partner(self, partner_id: int, rows: list[Claimed]) -> None:
        async with self.platform.sessions() as session:
            partner = await PartnerRepository(session).get(partner_id)
        if partner is None or not partner.connected or not partner.token_out:
            await self._forget(rows)  # the connection is gone: nothing to deliver to
            return
        groups = grouped(rows)
        errors = await self._deliver_groups(partner, groups)
        failures = [(g, e) for g, e in zip(groups, errors, strict=True) if e is not None]
        await self._settle(
            [row for g, e in zip(groups, errors, strict=True) if e is None for row in g]
        )
        if failures:
            await self._failed(partner, failures)
        else:
            await health.record_success(self.platform, partner_id, {r.module for r in rows})

    async def _deliver_groups(
        self, partner: Partner, groups: list[list[Claimed]]
    ) -> list[PartnerError | None]:
        """Deliver the groups, at most `concurrency` at once: each delivery slot has a client
        of one connection. (One client for all slots cost a quarter of a push's CPU: httpx's
        pool scans every connection and every waiting request to place each request.)"""
        slots: asyncio.Queue[PartnerClient] = asyncio.Queue()
        clients = [
            self.platform.client_for(partner, connections=1)
            for _ in range(min(self.concurrency, len(groups)))
        ]
        for client in clients:
            slots.put_nowait(client)

        async def one(group: list[Claimed]) -> PartnerError | None:
            client = await slots.get()
            try:
                return await self._deliver_group(client, partner, group)
            finally:
                slots.put_nowait(client)

        try:
            return await asyncio.gather(*(one(group) for group in groups))
        finally:
            await asyncio.gather(*(client.aclose() for client in clients))

    async def _deliver_group(
        self, client: PartnerClient, partner: Partner, group: list[Claimed]
    ) -> PartnerError | None:
        """Deliver one object's rows (merged into one whole-object send); the error if it failed."""
        row = merged(group)
        deliver = self.deliverers.get(row.module)
        try:
            if deliver is None:
                raise Rejected(f"no deliverer for module {row.module}")
            await deliver(self.platform, client, partner, row)
        except Rejected as exc:
            log.warning("Partner %s refused %s %s: %s", partner.name, row.module, row.path, exc)
            await health.record_error(self.platform, row.partner_id, row.module, str(exc))
        except PartnerError as exc:
            return exc
        return None

    async def _settle(self, rows: list[Claimed]) -> None:
        """Delivered: remove each row unless a change arrived meanwhile (then it goes again)."""
        for start in range(0, len(rows), SETTLE_CHUNK):
            chunk = rows[start : start + SETTLE_CHUNK]
            async with self.platform.unit_of_work() as session:
                await session.execute(
                    _DELIVERED, [{"d_id": r.id, "d_revision": r.revision} for r in chunk]
                )
                await session.execute(_RELEASED, {"r_ids": [r.id for r in chunk]})

    async def _failed(
        self, partner: Partner, failures: list[tuple[list[Claimed], PartnerError]]
    ) -> None:
        """Back off the failed rows in one transaction. When the partner itself is down, all its
        rows are held back first (one statement, so concurrent workers lock in the same order)."""
        now = utc_now()
        rows = [(row, exc) for group, exc in failures for row in group]
        async with self.platform.unit_of_work() as session:
            if any(isinstance(exc, PartnerUnreachable | PartnerHttpError) for _, exc in rows):
                hold = now + backoff(min(row.attempts for row, _ in rows) + 1)
                await session.execute(
                    update(outbox)
                    .where(outbox.c.partner_id == partner.id, outbox.c.due_at < hold)
                    .values(due_at=hold)
                )
            for row, exc in rows:
                await session.execute(
                    update(outbox)
                    .where(outbox.c.id == row.id)
                    .values(
                        attempts=row.attempts + 1,
                        due_at=now + backoff(row.attempts + 1),
                        claimed_until=None,
                        last_error=str(exc)[:500],
                    )
                )
        worst = max(rows, key=lambda item: item[0].attempts)
        log.info("Push to %s failed for %d objects: %s", partner.name, len(failures), worst[1])
        if worst[0].attempts + 1 >= DEGRADED_AFTER:
            await health.mark_degraded(
                self.platform, worst[0].partner_id, worst[0].module, str(worst[1])
            )

    async def _forget(self, rows: list[Claimed]) -> None:
        async with self.platform.unit_of_work() as session:
            await session.execute(delete(outbox).where(outbox.c.id.in_([r.id for r in rows])))


def grouped(rows: list[Claimed]) -> list[list[Claimed]]:
    """Rows per object (module, owner, id), in claim order."""
    groups: dict[tuple[str, str, str, str], list[Claimed]] = {}
    for row in rows:
        groups.setdefault((row.module, row.country_code, row.party_id, row.object_id), []).append(
            row
        )
    return list(groups.values())


def merged(group: list[Claimed]) -> Claimed:
    """One row for the group: itself, or several changes of one object sent as the whole object."""
    if len(group) == 1:
        return group[0]
    first = group[0]
    return replace(first, path=first.path.split("/")[0], fields=None)


def rejection(exc: PartnerError) -> bool:
    """Whether the partner refused the data (2xxx / HTTP 4xx other than auth), not the transport."""
    if isinstance(exc, PartnerOcpiError):
        return 2000 <= exc.status_code < 3000
    return isinstance(exc, PartnerHttpError) and exc.http_status in (400, 404, 405, 413, 422)


async def due_now(platform: Platform) -> int:
    async with platform.sessions() as session:
        query = select(func.count()).select_from(outbox).where(outbox.c.due_at <= utc_now())
        return int((await session.execute(query)).scalar_one())
