"""Storing pulled objects of one module: parse, check the owner, upsert, remove the stale.

A module plugs in with a `PullModule` (see `locations.py`, `tariffs.py`). Objects are stored
with `partner_id` = the partner they came from; rows of other partners and our own rows
(`partner_id` NULL) are never written or removed by a pull.
"""

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from evroam.partners.model import Partner
from evroam.storage.documents import DocumentRepository, ObjectKey

log = logging.getLogger("evroam.sync")

M = TypeVar("M", bound=BaseModel)


def no_columns(_: Any) -> dict[str, Any]:
    return {}


def owner_key(obj: Any) -> ObjectKey:
    """Client-owned objects name their owner party and id alike (§1.7)."""
    return ObjectKey(obj.country_code, obj.party_id, obj.id)


def last_updated_of(obj: Any) -> datetime:
    moment = obj.last_updated
    assert isinstance(moment, datetime)
    return moment


@dataclass(frozen=True)
class PullModule(Generic[M]):
    """How the engine parses and stores the objects of one module (`columns`: its own)."""

    name: str
    repository: type[DocumentRepository[M]]
    parse: Callable[[dict[str, Any]], M]
    columns: Callable[[M], dict[str, Any]] = field(default=no_columns)


@dataclass
class PageOutcome:
    """What storing one page did."""

    stored: int = 0
    unchanged: int = 0
    skipped: int = 0
    newest: datetime | None = None

    def saw(self, moment: datetime) -> None:
        self.newest = moment if self.newest is None else max(self.newest, moment)


def may_own(partner: Partner, key: ObjectKey) -> bool:
    """The partner speaks for the object's party, or is a Hub speaking for many (§1.7)."""
    hub = any(role.role == "HUB" for role in partner.roles)
    return hub or partner.carries(key.country_code, key.party_id)


def describe(item: dict[str, Any]) -> str:
    """Which object, for a log line: owner and id only (objects may carry token uids)."""
    parts = (str(item.get(name, "?"))[:36] for name in ("country_code", "party_id", "id"))
    return "{}*{}/{}".format(*parts)


def raw_key(item: dict[str, Any]) -> list[ObjectKey]:
    """The key an invalid object names, if its owner and id are at least strings."""
    parts = [item.get(name) for name in ("country_code", "party_id", "id")]
    if not all(isinstance(p, str) for p in parts):
        return []
    return [ObjectKey(*parts).normalised()]  # type: ignore[arg-type]


def problems(exc: ValidationError) -> str:
    """The fields that failed and why, without their values."""
    return "; ".join(
        f"{'.'.join(str(p) for p in e['loc']) or 'object'}: {e['type']}" for e in exc.errors()
    )


class PageStore(Generic[M]):
    """Stores the objects of pages of one pull, remembering what it has seen (dedupe)."""

    def __init__(self, module: PullModule[M], partner: Partner) -> None:
        self.module = module
        self.partner = partner
        self.partner_id = partner.id
        self.seen: set[ObjectKey] = set()

    def _skip(self, outcome: PageOutcome, item: dict[str, Any], why: str) -> None:
        outcome.skipped += 1
        log.warning(
            "Pull of %s from %s: skipped %s: %s",
            self.module.name,
            self.partner.name,
            describe(item),
            why,
        )

    def parse(self, item: object, outcome: PageOutcome) -> M | None:
        """The object, or None when it is invalid, not the partner's, or already seen."""
        if not isinstance(item, dict):
            self._skip(outcome, {}, f"not a JSON object but {type(item).__name__}")
            return None
        try:
            obj = self.module.parse(item)
        except ValidationError as exc:
            self._skip(outcome, item, f"invalid ({problems(exc)})")
            self.seen.update(raw_key(item))  # returned, though broken: not removed (B.71)
            return None
        key = owner_key(obj).normalised()
        if not may_own(self.partner, key):
            self._skip(outcome, item, "its party is not one this partner carries")
            return None
        if key in self.seen:
            return None  # re-read after a step back (paging.py): stored already
        self.seen.add(key)
        return obj

    async def store(self, session: AsyncSession, items: Iterable[object]) -> PageOutcome:
        """Upsert the valid objects of one page in the caller's transaction."""
        outcome = PageOutcome()
        repo = self.module.repository(session)
        for item in items:
            obj = self.parse(item, outcome)
            if obj is not None:
                await self._upsert(repo, obj, item, outcome)  # type: ignore[arg-type]
        return outcome

    async def _upsert(
        self,
        repo: DocumentRepository[M],
        obj: M,
        item: dict[str, Any],
        outcome: PageOutcome,
    ) -> None:
        key, moment = owner_key(obj), last_updated_of(obj)
        stored = await stored_row(repo, key)
        if stored is not None and stored.partner_id != self.partner_id:
            self._skip(outcome, item, "stored already as another party's or our own object")
            return
        outcome.saw(moment)
        if stored is not None and not stored.replaced_by(obj, moment):
            outcome.unchanged += 1  # the same, or newer (pushed to us while we pulled)
            return
        await repo.put(
            key, obj, last_updated=moment, partner_id=self.partner_id, **self.module.columns(obj)
        )
        outcome.stored += 1


@dataclass(frozen=True)
class StoredRow:
    """The stored version of an object: whose it is, its document and last_updated."""

    partner_id: int | None
    document: dict[str, Any]
    last_updated: datetime

    def replaced_by(self, obj: BaseModel, moment: datetime) -> bool:
        """Whether the pulled object should replace this one: it differs and is not older."""
        return moment >= self.last_updated and self.document != obj.model_dump(
            mode="json", exclude_none=True
        )


async def stored_row(repo: DocumentRepository[Any], key: ObjectKey) -> StoredRow | None:
    c, norm = repo.table.c, key.normalised()
    query = select(c.partner_id, c.document, c.last_updated).where(
        c.country_code == norm.country_code,
        c.party_id == norm.party_id,
        c.object_id == norm.object_id,
    )
    row = (await repo.session.execute(query)).first()
    return None if row is None else StoredRow(row.partner_id, dict(row.document), row.last_updated)


async def remove_missing(
    repo: DocumentRepository[Any], partner_id: int, seen: set[ObjectKey], before: datetime
) -> int:
    """Delete the partner's objects a full pull did not return (CONFORMANCE B.71).

    Only objects last updated before the pull started: one the partner pushed to us while we
    were pulling is newer than the list we got, and stays.
    """
    c = repo.table.c
    query = select(c.pk, c.country_code, c.party_id, c.object_id).where(
        c.partner_id == partner_id, c.last_updated < before
    )
    rows = (await repo.session.execute(query)).all()
    gone = [r.pk for r in rows if ObjectKey(r.country_code, r.party_id, r.object_id) not in seen]
    for start in range(0, len(gone), 500):
        await repo.session.execute(delete(repo.table).where(c.pk.in_(gone[start : start + 500])))
    return len(gone)
