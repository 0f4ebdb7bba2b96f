"""Receiver PATCHes of Sessions applied in groups: one transaction for all that are waiting.

A CPO streams PATCHes while its sessions charge (one per new period, DIGEST §6.1); an eMSP
receives them from many CPOs at once. Each PATCH is validated on its own, then queued; one
writer applies every queued PATCH in arrival order in a single transaction (group commit) and
answers each only after that transaction committed, so an acknowledged period is stored and
a refused PATCH changes nothing. Rows are read FOR UPDATE in key order, so writers of several
processes on PostgreSQL never deadlock, and a PUT of the same Session (row lock) waits for them.
"""

import asyncio
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import Integer, bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from evroam.errors import InvalidParameters, NotFound, OcpiError
from evroam.modules.sessions.model import FINAL_STATUSES, SessionStatus
from evroam.modules.sessions.repository import sessions
from evroam.platform import Platform
from evroam.protocol.types import ci_key
from evroam.storage.documents import ObjectKey, literal_list
from evroam.sync.collector import COLLECTOR

PERIODS = "charging_periods"
MAX_GROUP = 200  # PATCHes per transaction


class SessionFinal(InvalidParameters):
    default_message = "The Session is COMPLETED or INVALID: it no longer changes"


@dataclass
class SessionPatch:
    """One validated PATCH: JSON-ready field values, the periods to append, its moment."""

    key: ObjectKey
    values: dict[str, Any]
    added: list[Any]
    last_updated: datetime
    done: "asyncio.Future[None]" = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )


@dataclass
class _Stored:
    pk: int
    document: dict[str, Any]
    last_updated: datetime | None = None  # set once changed in this group


def merged(document: dict[str, Any], patch: SessionPatch) -> dict[str, Any]:
    """The document after the PATCH: fields replaced, periods appended (F.169, F.170)."""
    result = {**document, **patch.values}
    if patch.added:
        result[PERIODS] = [*(document.get(PERIODS) or []), *patch.added]
    return result


def final(document: dict[str, Any]) -> bool:
    return SessionStatus(document["status"]) in FINAL_STATUSES


def apply(stored: dict[ObjectKey, _Stored], patch: SessionPatch) -> OcpiError | None:
    """Apply one PATCH to the group's documents; the error that refuses it, if any."""
    row = stored.get(patch.key)
    if row is None:
        return NotFound(f"Unknown session {patch.key.object_id}: PUT it first")
    after = merged(row.document, patch)
    if final(row.document):  # F.176: only the same final state again is accepted
        if after == row.document:
            return None
        status = row.document["status"]
        return SessionFinal(f"Session {patch.key.object_id} is {status}: not changed")
    row.document, row.last_updated = after, patch.last_updated
    return None


async def _read(db: AsyncSession, keys: set[ObjectKey]) -> dict[ObjectKey, _Stored]:
    """The stored rows of the group's sessions, locked in key order."""
    c, found = sessions.c, {}
    parties: dict[tuple[str, str], list[str]] = {}
    for key in keys:
        parties.setdefault((key.country_code, key.party_id), []).append(key.object_id)
    for (country_code, party_id), ids in sorted(parties.items()):
        query = (
            select(c.pk, c.object_id, c.document)
            .where(
                c.country_code == country_code,
                c.party_id == party_id,
                c.object_id.in_(literal_list(sorted(ids))),
            )
            .order_by(c.pk)
            .with_for_update()
        )
        for row in await db.execute(query):
            key = ObjectKey(country_code, party_id, row.object_id)
            found[key] = _Stored(row.pk, dict(row.document))
    return found


_WRITE = (
    update(sessions)
    .where(sessions.c.pk == bindparam("b_pk", type_=Integer()))
    .values(
        document=bindparam("b_document", type_=sessions.c.document.type),
        last_updated=bindparam("b_last_updated", type_=sessions.c.last_updated.type),
        status=bindparam("b_status", type_=sessions.c.status.type),
        token_country_code=bindparam("b_token_country", type_=sessions.c.token_country_code.type),
        token_party_id=bindparam("b_token_party", type_=sessions.c.token_party_id.type),
    )
)


async def _write(db: AsyncSession, stored: dict[ObjectKey, _Stored]) -> None:
    rows = [
        {
            "b_pk": row.pk,
            "b_document": row.document,
            "b_last_updated": row.last_updated,
            "b_status": row.document["status"],
            "b_token_country": ci_key(row.document["cdr_token"]["country_code"]),
            "b_token_party": ci_key(row.document["cdr_token"]["party_id"]),
        }
        for row in stored.values()
        if row.last_updated is not None
    ]
    if rows:
        await db.execute(_WRITE, rows)


async def apply_group(platform: Platform, group: list[SessionPatch]) -> list[OcpiError | None]:
    """Apply the PATCHes in order in one transaction; each one's refusal, or None."""
    async with platform.unit_of_work() as db:
        stored = await _read(db, {patch.key for patch in group})
        outcomes = [apply(stored, patch) for patch in group]
        await _write(db, stored)
    return outcomes


class Patcher:
    """The queue of one platform's Receiver PATCHes and the writer that drains it."""

    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.waiting: list[SessionPatch] = []
        self.writer: asyncio.Task[None] | None = None

    async def submit(self, patch: SessionPatch) -> None:
        """Queue the PATCH and return once it is stored (or raise why it was refused)."""
        self.waiting.append(patch)
        if self.writer is None or self.writer.done():
            self.writer = asyncio.create_task(self._drain())
        await asyncio.shield(patch.done)

    async def _drain(self) -> None:
        while self.waiting:
            group, self.waiting = self.waiting[:MAX_GROUP], self.waiting[MAX_GROUP:]
            try:
                with COLLECTOR.relaxed():  # documents form no cycles: see sync/collector.py
                    outcomes = await apply_group(self.platform, group)
            except Exception as exc:  # the transaction failed: none of the group is stored
                outcomes = [exc] * len(group)  # type: ignore[list-item]
            for patch, outcome in zip(group, outcomes, strict=True):
                if outcome is None:
                    patch.done.set_result(None)
                else:
                    patch.done.set_exception(outcome)


_patchers: WeakKeyDictionary[Platform, Patcher] = WeakKeyDictionary()


def patcher(platform: Platform) -> Patcher:
    found = _patchers.get(platform)
    if found is None:
        found = _patchers[platform] = Patcher(platform)
    return found
