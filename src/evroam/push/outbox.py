"""The transactional outbox (ARCHITECTURE, "Local change → partners").

A service that changes an object we own calls `enqueue` in the same transaction, so the change
and its delivery intent commit together. Rows are per (partner, module, object path) and
coalesce: a row says "this object (these fields, or all of it) changed since the partner last
confirmed"; delivery always sends the object's current state, never a stale message. A pending
whole-object row covers every change below it (a Location PUT carries its EVSEs).
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, bindparam, delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from evroam.partners.model import InterfaceRole, Partner
from evroam.partners.repository import PartnerRepository
from evroam.protocol.types import ci_key
from evroam.storage.documents import ObjectKey, chunked, literal_list
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
    """Record the changes for every recipient; returns how many rows were written.

    Any number of changes at once (a bulk save passes thousands): the pending rows of all
    their objects are read in one query per party, the changes applied to them in order in
    memory, and the result written with one executemany per kind of write. The rows end up
    exactly as if each change had been recorded on its own, one after the other.
    """
    targets: list[tuple[int, Change]] = []
    by_module: dict[str, list[Partner]] = {}
    for change in changes:
        if change.module not in by_module:
            by_module[change.module] = (
                partners if partners is not None else await recipients(session, change.module)
            )
        for partner in by_module[change.module]:
            assert partner.id is not None
            targets.append((partner.id, change))
    if not targets:
        return 0
    plan = _Plan(await _pending_rows(session, targets), now)
    written = sum(plan.apply(partner_id, change) for partner_id, change in targets)
    await plan.write(session)
    return written


ObjectRef = tuple[int, str, str, str, str]  # partner_id, module, country_code, party_id, object_id


def _object_ref(partner_id: int, change: Change) -> ObjectRef:
    norm = change.key.normalised()
    return partner_id, change.module, norm.country_code, norm.party_id, norm.object_id


@dataclass
class _Row:
    """A pending outbox row as the plan sees it (`id` None: inserted by this plan)."""

    id: int | None
    path: str
    fields: list[str] | None
    attempts: int
    bumps: int = 0  # revisions to add
    due_now: bool = False
    dropped: bool = False  # removed again by a later whole-object change


async def _pending_rows(
    session: AsyncSession, targets: list[tuple[int, Change]]
) -> dict[ObjectRef, list[_Row]]:
    """The pending rows of every object the changes touch, for the partners they go to."""
    wanted = dict.fromkeys(_object_ref(partner_id, change) for partner_id, change in targets)
    groups: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    for _, module, country_code, party_id, object_id in wanted:
        groups[module, country_code, party_id].add(object_id)
    partner_ids = sorted({ref[0] for ref in wanted})
    c = outbox.c
    found: dict[ObjectRef, list[_Row]] = {ref: [] for ref in wanted}
    for (module, country_code, party_id), object_ids in groups.items():
        for chunk in chunked(sorted(object_ids)):
            query = select(c.id, c.partner_id, c.object_id, c.path, c.fields, c.attempts).where(
                c.module == module,
                c.country_code == country_code,
                c.party_id == party_id,
                c.object_id.in_(literal_list(chunk)),
                c.partner_id.in_(partner_ids),
            )
            for r in await session.execute(query):
                ref = (r.partner_id, module, country_code, party_id, r.object_id)
                if ref in found:
                    found[ref].append(_Row(r.id, r.path, r.fields, r.attempts))
    return found


class _Plan:
    """The changes applied in order to the pending rows in memory, then written at once."""

    def __init__(self, rows: dict[ObjectRef, list[_Row]], now: datetime) -> None:
        self.rows, self.now = rows, now
        self.deleted: list[int] = []
        self.created: list[tuple[ObjectRef, _Row]] = []  # in the order of the changes

    def apply(self, partner_id: int, change: Change) -> int:
        """One change for one partner; 0 when a pending ancestor delivery carries it."""
        rows = self.rows[_object_ref(partner_id, change)]
        target = change.path_key
        if any(r.fields is None and _covers(r.path, target) and r.path != target for r in rows):
            return 0  # a pending whole-object delivery of an ancestor already carries this change
        if change.fields is None:
            for row in [r for r in rows if r.path != target and _covers(target, r.path)]:
                rows.remove(row)
                row.dropped = True
                if row.id is not None:
                    self.deleted.append(row.id)
        existing = next((r for r in rows if r.path == target), None)
        if existing is None:
            fields = None if change.fields is None else sorted(change.fields)
            rows.append(row := _Row(None, target, fields, 0))
            self.created.append((_object_ref(partner_id, change), row))
            return 1
        existing.fields = _merge(existing.fields, change.fields)
        existing.bumps += 1
        existing.due_now = existing.due_now or existing.attempts == 0  # backoff is kept
        return 1

    async def write(self, session: AsyncSession) -> None:
        c = outbox.c
        for chunk in chunked(self.deleted):
            await session.execute(delete(outbox).where(c.id.in_(chunk)))
        bumped: dict[bool, list[dict[str, Any]]] = {True: [], False: []}
        bumped_rows: dict[int, tuple[ObjectRef, _Row]] = {}
        for ref, rows in self.rows.items():
            for row in rows:
                if row.id is not None and row.bumps:
                    bump = {"b_id": row.id, "b_fields": row.fields, "b_bumps": row.bumps}
                    bumped[row.due_now].append(bump)
                    bumped_rows[row.id] = (ref, row)
        for due_now, params in bumped.items():
            values: dict[str, Any] = {
                "fields": bindparam("b_fields", type_=c.fields.type),
                "revision": c.revision + bindparam("b_bumps", type_=Integer()),
            }
            if due_now:
                values["due_at"] = bindparam("b_due_at", type_=c.due_at.type)
            statement = update(outbox).where(c.id == bindparam("b_id", type_=Integer()))
            for chunk in chunked(params):
                rows_now = [p | {"b_due_at": self.now} for p in chunk] if due_now else chunk
                await session.execute(statement.values(values), list(rows_now))
        await self._requeue_settled(session, bumped_rows)
        new = [_new_row(ref, row, self.now) for ref, row in self.created if not row.dropped]
        for chunk in chunked(new):
            await session.execute(insert(outbox), list(chunk))

    async def _requeue_settled(
        self, session: AsyncSession, bumped: dict[int, tuple[ObjectRef, _Row]]
    ) -> None:
        """Rows a worker settled (deleted) between our read and our bump: the update found
        nothing, and the delivery sent the state before this change (PostgreSQL, READ
        COMMITTED: a session's COMPLETED was seen lost so). They are queued anew."""
        if not bumped:
            return
        c, found = outbox.c, set()
        for chunk in chunked(sorted(bumped)):
            found |= set((await session.execute(select(c.id).where(c.id.in_(chunk)))).scalars())
        for row_id in sorted(set(bumped) - found):
            ref, row = bumped[row_id]
            self.created.append((ref, replace(row, id=None, bumps=0)))


def _covers(ancestor: str, path: str) -> bool:
    return path == ancestor or path.startswith(ancestor + "/")


def _merge(pending: list[str] | None, fields: frozenset[str] | None) -> list[str] | None:
    if pending is None or fields is None:
        return None
    return sorted(set(pending) | fields)


def _new_row(ref: ObjectRef, row: _Row, now: datetime) -> dict[str, Any]:
    partner_id, module, country_code, party_id, object_id = ref
    return {
        "partner_id": partner_id,
        "module": module,
        "country_code": country_code,
        "party_id": party_id,
        "object_id": object_id,
        "path": row.path,
        "fields": row.fields,
        "revision": 1 + row.bumps,
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
