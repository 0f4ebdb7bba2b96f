"""Storing pulled objects of one module: parse, check the owner, upsert, remove the stale.

A module plugs in with a `PullModule` (see `locations.py`, `tariffs.py`). Objects are stored
with `partner_id` = the partner they came from; rows of other partners and our own rows
(`partner_id` NULL) are never written or removed by a pull.
"""

import json
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from evroam.partners.model import Partner
from evroam.storage.documents import DocumentRepository, DocumentRow, ObjectKey, StoredRow

log = logging.getLogger("evroam.sync")

REMOVAL_SLICE = 5000  # rows read at a time when a full pull looks for what was not returned

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
    """How the engine reads and stores the objects of one module (`columns`: its own).

    `model` validates an object as the partner sends it; in 2.2.1 the wire object is the
    domain object (versions/v2_2_1), so pages are validated straight into the stored model.
    A version with another shape would map it to the domain model in `model`'s validators.
    """

    name: str
    repository: type[DocumentRepository[M]]
    model: type[M]
    columns: Callable[[M], dict[str, Any]] = field(default=no_columns)

    def parse(self, item: dict[str, Any]) -> M:
        return self.model.model_validate(item)


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


class SeenKeys:
    """The keys one pull has met, held compactly (ids per party: ~100 bytes a key)."""

    def __init__(self) -> None:
        self._ids: dict[tuple[str, str], set[str]] = {}

    def add(self, key: ObjectKey) -> None:
        norm = key.normalised()
        self._ids.setdefault((norm.country_code, norm.party_id), set()).add(norm.object_id)

    def update(self, keys: Iterable[ObjectKey]) -> None:
        for key in keys:
            self.add(key)

    def __contains__(self, key: ObjectKey) -> bool:
        norm = key.normalised()
        return norm.object_id in self._ids.get((norm.country_code, norm.party_id), ())

    def __len__(self) -> int:
        return sum(len(ids) for ids in self._ids.values())


def named(obj: Any) -> dict[str, Any]:
    """The fields `describe` names, of a validated object."""
    return {"country_code": obj.country_code, "party_id": obj.party_id, "id": obj.id}


class PageStore(Generic[M]):
    """Stores the objects of pages of one pull, remembering what it has seen (dedupe)."""

    def __init__(self, module: PullModule[M], partner: Partner) -> None:
        self.module = module
        self.partner = partner
        self.partner_id = partner.id
        self.seen = SeenKeys()

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
        """The object, or None when it is invalid (skipped and logged)."""
        if not isinstance(item, dict):
            self._skip(outcome, {}, f"not a JSON object but {type(item).__name__}")
            return None
        try:
            return self.module.parse(item)
        except ValidationError as exc:
            self._skip(outcome, item, f"invalid ({problems(exc)})")
            self.seen.update(raw_key(item))  # returned, though broken: not removed (B.71)
            return None

    def accept(self, obj: M, outcome: PageOutcome) -> ObjectKey | None:
        """The object's key, or None when it is not the partner's or was seen already."""
        key = owner_key(obj).normalised()
        if not may_own(self.partner, key):
            self._skip(outcome, named(obj), "its party is not one this partner carries")
            return None
        if key in self.seen:
            return None  # re-read after a step back (paging.py): stored already
        self.seen.add(key)
        return key

    async def store(
        self, session: AsyncSession, objects: list[M] | None, items: Iterable[object] = ()
    ) -> PageOutcome:
        """Upsert the valid objects of one page in the caller's transaction, in bulk.

        `objects` are validated already; otherwise each of `items` is validated here.
        One query reads the stored rows of the page, one executemany writes the changes.
        """
        outcome = PageOutcome()
        if objects is None:
            objects = [obj for item in items if (obj := self.parse(item, outcome)) is not None]
        accepted = [(key, obj) for obj in objects if (key := self.accept(obj, outcome))]
        repo = self.module.repository(session)
        stored = await repo.stored_rows(key for key, _ in accepted)
        rows = [
            row
            for key, obj in accepted
            if (row := self._row(key, obj, stored.get(key), outcome)) is not None
        ]
        await repo.write_many(rows)
        outcome.stored += len(rows)
        return outcome

    def _row(
        self, key: ObjectKey, obj: M, stored: StoredRow | None, outcome: PageOutcome
    ) -> DocumentRow | None:
        """What to write for the object, or None: not ours to replace, older, or the same."""
        if stored is not None and stored.partner_id != self.partner_id:
            self._skip(outcome, named(obj), "stored already as another party's or our own object")
            return None
        moment = last_updated_of(obj)
        outcome.saw(moment)
        if stored is not None and moment < stored.last_updated:
            outcome.unchanged += 1  # newer: pushed to us while we pulled
            return None
        document = obj.model_dump_json(exclude_none=True)
        if stored is not None and stored.document == json.loads(document):
            outcome.unchanged += 1
            return None
        columns = self.module.columns(obj)
        pk = None if stored is None else stored.pk
        return DocumentRow(key, document, moment, self.partner_id, columns, pk)


async def remove_missing(
    repo: DocumentRepository[Any], partner_id: int, seen: SeenKeys, before: datetime
) -> int:
    """Delete the partner's objects a full pull did not return (CONFORMANCE B.71).

    Only objects last updated before the pull started: one the partner pushed to us while we
    were pulling is newer than the list we got, and stays. The partner's rows are read in
    slices of primary keys, so a large store is never held at once.
    """
    c, after, removed = repo.table.c, 0, 0
    while True:
        query = (
            select(c.pk, c.country_code, c.party_id, c.object_id)
            .where(c.partner_id == partner_id, c.last_updated < before, c.pk > after)
            .order_by(c.pk)
            .limit(REMOVAL_SLICE)
        )
        rows = (await repo.session.execute(query)).all()
        if not rows:
            return removed
        after = rows[-1].pk
        gone = [
            r.pk for r in rows if ObjectKey(r.country_code, r.party_id, r.object_id) not in seen
        ]
        if gone:
            await repo.session.execute(delete(repo.table).where(c.pk.in_(gone)))
            removed += len(gone)
