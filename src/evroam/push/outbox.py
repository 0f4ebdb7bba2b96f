"""The transactional outbox (ARCHITECTURE, "Local change → partners").

A service that changes an object we own calls `enqueue` in the same transaction, so the change
and its delivery intent commit together. Rows are per (partner, module, object path) and
coalesce: a row says "this object (these fields, or all of it) changed since the partner last
confirmed"; delivery always sends the object's current state, never a stale message. A pending
whole-object row covers every change below it (a Location PUT carries its EVSEs).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from evroam.partners.model import InterfaceRole, Partner
from evroam.partners.repository import PartnerRepository
from evroam.protocol.types import ci_key
from evroam.storage.documents import ObjectKey
from evroam.storage.tables import outbox


@dataclass(frozen=True)
class Change:
    """One change of an object we own: which object, at which level, which fields."""

    module: str
    key: ObjectKey
    path: tuple[str, ...]  # ("LOC1",), ("LOC1", "EVSE1") or ("LOC1", "EVSE1", "C1")
    fields: frozenset[str] | None = None  # None: the whole object at this level (PUT)

    @property
    def path_key(self) -> str:
        return "/".join(ci_key(part) for part in self.path)


async def recipients(session: AsyncSession, module: str) -> list[Partner]:
    """Connected partners publishing a Receiver interface for the module."""
    partners = await PartnerRepository(session).all()
    return [
        p
        for p in partners
        if p.connected and p.endpoint(module, InterfaceRole.RECEIVER) is not None
    ]


async def enqueue(
    session: AsyncSession,
    changes: Iterable[Change],
    *,
    now: datetime,
    partners: list[Partner] | None = None,
) -> int:
    """Record the changes for every recipient; returns how many rows were written."""
    written = 0
    by_module: dict[str, list[Partner]] = {}
    for change in changes:
        if change.module not in by_module:
            by_module[change.module] = (
                partners if partners is not None else await recipients(session, change.module)
            )
        for partner in by_module[change.module]:
            assert partner.id is not None
            written += await _enqueue_one(session, partner.id, change, now)
    return written


async def _enqueue_one(
    session: AsyncSession, partner_id: int, change: Change, now: datetime
) -> int:
    norm = change.key.normalised()
    same_object = and_(
        outbox.c.partner_id == partner_id,
        outbox.c.module == change.module,
        outbox.c.country_code == norm.country_code,
        outbox.c.party_id == norm.party_id,
        outbox.c.object_id == norm.object_id,
    )
    rows = (
        await session.execute(
            select(outbox.c.id, outbox.c.path, outbox.c.fields, outbox.c.attempts).where(
                same_object
            )
        )
    ).all()
    target = change.path_key
    if any(r.fields is None and _covers(r.path, target) and r.path != target for r in rows):
        return 0  # a pending whole-object delivery of an ancestor already carries this change
    if change.fields is None:
        descendants = [r.id for r in rows if r.path != target and _covers(target, r.path)]
        if descendants:
            await session.execute(delete(outbox).where(outbox.c.id.in_(descendants)))
    existing = next((r for r in rows if r.path == target), None)
    if existing is None:
        await session.execute(insert(outbox).values(**_new_row(partner_id, change, now)))
        return 1
    fields = _merge(existing.fields, change.fields)
    values: dict[str, Any] = {"fields": fields, "revision": outbox.c.revision + 1}
    if existing.attempts == 0:
        values["due_at"] = now  # a partner in backoff keeps its backoff
    await session.execute(update(outbox).where(outbox.c.id == existing.id).values(**values))
    return 1


def _covers(ancestor: str, path: str) -> bool:
    return path == ancestor or path.startswith(ancestor + "/")


def _merge(pending: list[str] | None, fields: frozenset[str] | None) -> list[str] | None:
    if pending is None or fields is None:
        return None
    return sorted(set(pending) | fields)


def _new_row(partner_id: int, change: Change, now: datetime) -> dict[str, Any]:
    norm = change.key.normalised()
    return {
        "partner_id": partner_id,
        "module": change.module,
        "country_code": norm.country_code,
        "party_id": norm.party_id,
        "object_id": norm.object_id,
        "path": change.path_key,
        "fields": None if change.fields is None else sorted(change.fields),
        "revision": 1,
        "attempts": 0,
        "due_at": now,
        "created_at": now,
    }


async def pending_count(session: AsyncSession, partner_id: int | None = None) -> int:
    """Rows still waiting (for one partner, or all)."""
    query = select(func.count()).select_from(outbox)
    if partner_id is not None:
        query = query.where(outbox.c.partner_id == partner_id)
    return int((await session.execute(query)).scalar_one())
