"""Storing pulled objects of one module: check the owner, upsert, remove the stale.

A module plugs in with a `PullModule` (see `locations.py`, `tariffs.py`). Objects are stored
with `partner_id` = the partner they came from; rows of other partners and our own rows
(`partner_id` NULL) are never written or removed by a pull.
"""

import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from pydantic import BaseModel
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from evroam.partners.model import Partner
from evroam.storage.documents import DocumentRepository, DocumentRow, ObjectKey, StoredRow
from evroam.sync.prepare import Prepared, PreparedPage, Rejected, named_key
from evroam.sync.prepare import describe as describe
from evroam.sync.prepare import problems as problems

log = logging.getLogger("evroam.sync")

REMOVAL_SLICE = 5000  # rows read at a time when a full pull looks for what was not returned

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class PullModule(Generic[M]):
    """How the engine reads and stores the objects of one module (`columns`: its own, each
    the model field of that name).

    `model` validates an object as the partner sends it; in 2.2.1 the wire object is the
    domain object (versions/v2_2_1), so pages are validated straight into the stored model.
    A version with another shape would map it to the domain model in `model`'s validators.
    """

    name: str
    repository: type[DocumentRepository[M]]
    model: type[M]
    columns: tuple[str, ...] = ()


@dataclass
class PageOutcome:
    """What storing one page did."""

    stored: int = 0
    unchanged: int = 0
    skipped: int = 0
    newest: datetime | None = None

    def saw(self, moment: datetime) -> None:
        self.newest = moment if self.newest is None or moment > self.newest else self.newest


def may_own(partner: Partner, key: ObjectKey) -> bool:
    """The partner speaks for the object's party, or is a Hub speaking for many (§1.7)."""
    hub = any(role.role == "HUB" for role in partner.roles)
    return hub or partner.carries(key.country_code, key.party_id)


def raw_key(item: dict[str, Any]) -> list[ObjectKey]:
    """The key an invalid object names, if its owner and id are at least strings."""
    key = named_key(item)
    return [] if key is None else [ObjectKey(*key)]


class SeenKeys:
    """The keys one pull has met, held compactly (ids per party: ~100 bytes a key)."""

    def __init__(self) -> None:
        self._ids: dict[tuple[str, str], set[str]] = {}

    def add(self, key: ObjectKey) -> None:
        norm = key.normalised()
        self._ids.setdefault((norm.country_code, norm.party_id), set()).add(norm.object_id)

    def first(self, key: ObjectKey) -> bool:
        """Add the key; whether it was new."""
        norm = key.normalised()
        ids = self._ids.setdefault((norm.country_code, norm.party_id), set())
        size = len(ids)
        ids.add(norm.object_id)
        return len(ids) > size

    def update(self, keys: Iterable[ObjectKey]) -> None:
        for key in keys:
            self.add(key)

    def __contains__(self, key: ObjectKey) -> bool:
        norm = key.normalised()
        return norm.object_id in self._ids.get((norm.country_code, norm.party_id), ())

    def __len__(self) -> int:
        return sum(len(ids) for ids in self._ids.values())


def same_document(stored: str, document: str) -> bool:
    """Whether two JSON texts hold the same document: alike as text (SQLite keeps the text we
    wrote), else alike once parsed (PostgreSQL's jsonb writes its own form)."""
    return stored == document or bool(json.loads(stored) == json.loads(document))


class PageStore(Generic[M]):
    """Stores the prepared pages of one pull, remembering what it has seen (dedupe)."""

    def __init__(self, module: PullModule[M], partner: Partner) -> None:
        self.module = module
        self.partner = partner
        self.partner_id = partner.id
        self.seen = SeenKeys()
        self._owners: dict[tuple[str, str], bool] = {}  # party → the partner may own it

    def _skip(self, outcome: PageOutcome, name: str, why: str) -> None:
        outcome.skipped += 1
        log.warning(
            "Pull of %s from %s: skipped %s: %s", self.module.name, self.partner.name, name, why
        )

    def _reject(self, outcome: PageOutcome, rejected: Rejected) -> None:
        self._skip(outcome, rejected.name, rejected.why)
        if rejected.key is not None:  # returned, though broken: not removed (B.71)
            self.seen.add(ObjectKey(*rejected.key))

    def accept(self, obj: Prepared, outcome: PageOutcome) -> ObjectKey | None:
        """The object's key, or None when it is not the partner's or was seen already."""
        key = ObjectKey(*obj.key)
        party = (key.country_code, key.party_id)
        if party not in self._owners:
            self._owners[party] = may_own(self.partner, key)
        if not self._owners[party]:
            self._skip(outcome, named(key), "its party is not one this partner carries")
            return None
        if not self.seen.first(key):
            return None  # re-read after a step back (paging.py): stored already
        return key

    async def store(self, session: AsyncSession, page: PreparedPage) -> PageOutcome:
        """Upsert the valid objects of one page in the caller's transaction, in bulk.

        One query reads the stored rows of the page, one executemany writes the changes.
        """
        outcome = PageOutcome()
        for rejected in page.rejected:
            self._reject(outcome, rejected)
        accepted = [(key, obj) for obj in page.objects if (key := self.accept(obj, outcome))]
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
        self, key: ObjectKey, obj: Prepared, stored: StoredRow | None, outcome: PageOutcome
    ) -> DocumentRow | None:
        """What to write for the object, or None: not ours to replace, older, or the same."""
        if stored is not None and stored.partner_id != self.partner_id:
            self._skip(outcome, named(key), "stored already as another party's or our own object")
            return None
        outcome.saw(obj.last_updated)
        if stored is not None and obj.last_updated < stored.last_updated:
            outcome.unchanged += 1  # newer: pushed to us while we pulled
            return None
        if stored is not None and same_document(stored.text, obj.document):
            outcome.unchanged += 1
            return None
        pk = None if stored is None else stored.pk
        return DocumentRow(key, obj.document, obj.last_updated, self.partner_id, obj.columns, pk)


def named(key: ObjectKey) -> str:
    """A stored or accepted object's name for a log line (as `describe`)."""
    return f"{key.country_code}*{key.party_id}/{key.object_id}"


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
