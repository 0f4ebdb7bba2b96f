"""Our own Locations: the CPO's data, managed through this service and pushed to partners.

Every change is written with its outbox rows in one transaction (ARCHITECTURE, outbox), and
keeps the `last_updated` cascade the Sender must maintain (Connector → EVSE → Location, §5.1).
Saving an object identical to the stored one changes nothing and pushes nothing.
"""

import json
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, Protocol, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from evroam.errors import EvroamError
from evroam.modules.locations.enums import Status
from evroam.modules.locations.model import Location
from evroam.modules.locations.repository import LocationRepository, locations
from evroam.modules.locations.visibility import (
    audience_of,
    audience_of_location,
    partners_holding,
    partners_shown,
    store_audiences,
)
from evroam.partners.model import Partner
from evroam.platform import Platform
from evroam.protocol.timestamps import format_datetime, utc_now
from evroam.protocol.types import ci_key
from evroam.push.outbox import Change, enqueue, recipients
from evroam.settings import Role
from evroam.storage.documents import DocumentRepository, DocumentRow, ObjectKey

CHUNK = 1000  # objects read and written per round of queries in a bulk save


class OwnObject(Protocol):
    """What a bulk save needs of a Location or Tariff of ours."""

    @property
    def country_code(self) -> str: ...
    @property
    def party_id(self) -> str: ...
    @property
    def id(self) -> str: ...
    @property
    def last_updated(self) -> datetime: ...
    def model_dump_json(self, *, exclude_none: bool = ...) -> str: ...


Own = TypeVar("Own", bound=OwnObject)


@dataclass
class SaveResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # saved, but worth a look


def key_of(location: Location) -> ObjectKey:
    return ObjectKey(location.country_code, location.party_id, location.id)


def cascade(location: Location) -> Location:
    """Raise each parent's last_updated to its newest child's (CONFORMANCE E.120)."""
    for evse in location.evses or []:
        evse.last_updated = max([evse.last_updated, *(c.last_updated for c in evse.connectors)])
    location.last_updated = max(
        [location.last_updated, *(e.last_updated for e in location.evses or [])]
    )
    return location


def check_ours(platform: Platform, location: Location) -> None:
    """Refuse a Location that is not of one of our CPO parties."""
    platform.check_own_cpo(f"Location {location.id}", location.country_code, location.party_id)


async def save_locations(platform: Platform, items: Iterable[Location]) -> SaveResult:
    """Create or replace our Locations in one transaction, queueing a PUT for each change."""
    batch = list(items)
    for location in batch:
        check_ours(platform, location)
    result = SaveResult()
    async with platform.unit_of_work() as session:
        partners = await recipients(session, "locations")
        await save_own(
            LocationRepository(session),
            [cascade(location) for location in batch],
            result,
            Saving("locations", utc_now(), partners, own_columns, _published, _shown_to),
        )
        await store_audiences(session, batch)
    platform.push_wakeup.set()
    return result


def own_columns(location: Location) -> dict[str, Any]:
    return {"publish": location.publish}


def _published(location: Location) -> bool:
    return location.publish


async def _shown_to(
    session: AsyncSession, location: Location, partners: list[Partner]
) -> list[Partner]:
    """The partners holding a Token the unpublished Location is shown to (E.154)."""
    return await partners_holding(session, audience_of_location(location), partners)


@dataclass(frozen=True)
class Saving(Generic[Own]):
    """How a batch of our objects of one module is saved: columns, and which are pushed."""

    module: str
    now: datetime
    partners: list[Partner]
    columns: Callable[[Own], dict[str, Any]]
    pushed: Callable[[Own], bool]  # to every partner
    # those of `partners` an object not pushed to every partner still goes to
    audience: Callable[[AsyncSession, Own, list[Partner]], Awaitable[list[Partner]]] | None = None


async def save_own(
    repo: DocumentRepository[Any], objects: Sequence[Own], result: SaveResult, how: Saving[Own]
) -> None:
    """Save our objects in bulk, `CHUNK` at a time: one query reads the stored versions, an
    executemany writes the changed ones, one more enqueues their pushes. Each object counts
    as if saved on its own in order: unchanged when equal to the stored (or earlier in the
    batch) document, created when its key is new."""
    for start in range(0, len(objects), CHUNK):
        chunk = objects[start : start + CHUNK]
        keys = [ObjectKey(o.country_code, o.party_id, o.id).normalised() for o in chunk]
        stored = await repo.stored_rows(keys)
        current: dict[ObjectKey, str | dict[str, Any]] = {k: r.document for k, r in stored.items()}
        rows: dict[ObjectKey, DocumentRow] = {}
        changes: list[Change] = []
        some: list[tuple[Change, list[Partner]]] = []  # unpublished: to the partners shown
        for obj, key in zip(chunk, keys, strict=True):
            text = obj.model_dump_json(exclude_none=True)
            if key in current and _as_dict(current[key]) == json.loads(text):
                result.unchanged += 1
                continue
            created = key not in current
            result.created += created
            result.updated += not created
            pk = stored[key].pk if key in stored else None
            rows[key] = DocumentRow(key, text, obj.last_updated, None, how.columns(obj), pk)
            current[key] = text
            owner = ObjectKey(obj.country_code, obj.party_id, obj.id)
            if how.pushed(obj):
                changes.append(Change(how.module, owner, (obj.id,)))
            elif how.audience is not None:
                chosen = await how.audience(repo.session, obj, how.partners)
                if chosen:
                    some.append((Change(how.module, owner, (obj.id,)), chosen))
        await repo.write_many(list(rows.values()))
        await enqueue(repo.session, changes, now=how.now, partners=how.partners)
        for change, chosen in some:
            await enqueue(repo.session, [change], now=how.now, partners=chosen)


def _as_dict(document: str | dict[str, Any]) -> dict[str, Any]:
    return json.loads(document) if isinstance(document, str) else document


@dataclass(frozen=True)
class StatusChange:
    """One EVSE's new status, as a charger reports it."""

    location_id: str
    evse_uid: str
    status: Status
    party: tuple[str, str] | None = None


async def set_evse_status(
    platform: Platform,
    location_id: str,
    evse_uid: str,
    status: Status,
    *,
    party: tuple[str, str] | None = None,
) -> Location:
    """Change one EVSE's status now: stored, cascaded, and PATCHed to every partner."""
    [location] = await set_evse_statuses(
        platform, [StatusChange(location_id, evse_uid, status, party)]
    )
    return location


async def set_evse_statuses(platform: Platform, changes: Iterable[StatusChange]) -> list[Location]:
    """Apply a burst of status changes in one transaction; each is queued as its own PATCH.

    A hot path (every charger event): each stored document, validated when it was saved, is
    read once per burst, edited in place and written back once.
    """
    now = utc_now()
    stamp = format_datetime(now)
    default_party = _single_cpo(platform)
    documents: dict[ObjectKey, dict[str, Any]] = {}
    patches: list[Change] = []
    some: list[tuple[Change, Partner]] = []  # of unpublished Locations: to the partners shown
    partners: list[Partner] | None = None
    async with platform.unit_of_work() as session:
        repo = LocationRepository(session)
        for change in changes:
            key, document = await _burst_document(repo, documents, change, default_party)
            evse = _evse_document(document, change.evse_uid)
            evse["status"], evse["last_updated"], document["last_updated"] = (
                change.status.value,
                stamp,
                stamp,
            )
            patch = Change("locations", key, (document["id"], evse["uid"]), frozenset({"status"}))
            if document["publish"]:
                patches.append(patch)
            elif audience_of(document):
                if partners is None:
                    partners = await recipients(session, "locations")
                shown = await partners_shown(session, document, partners)
                some.extend((patch, partner) for partner in shown)
        for key, document in documents.items():
            await repo.replace_document(key, document, last_updated=now)
        await enqueue(session, patches, now=now)
        for patch, partner in some:
            await enqueue(session, [patch], now=now, partners=[partner])
    platform.push_wakeup.set()
    return [Location.model_validate(d) for d in documents.values()]


async def _burst_document(
    repo: LocationRepository,
    documents: dict[ObjectKey, dict[str, Any]],
    change: StatusChange,
    default_party: tuple[str, str] | None,
) -> tuple[ObjectKey, dict[str, Any]]:
    """The document a change applies to, read once per burst."""
    party = change.party or default_party
    if party is not None:
        guess = ObjectKey(party[0], party[1], change.location_id).normalised()
        if guess in documents:
            return guess, documents[guess]
    key, document = await _own_document(repo, change.location_id, party)
    key = key.normalised()
    return key, documents.setdefault(key, document)


def _single_cpo(platform: Platform) -> tuple[str, str] | None:
    cpos = [(p.country_code, p.party_id) for p in platform.parties if p.role is Role.CPO]
    return cpos[0] if len(cpos) == 1 else None


def _evse_document(document: dict[str, Any], evse_uid: str) -> dict[str, Any]:
    evses: list[dict[str, Any]] = document.get("evses") or []
    for evse in evses:
        if ci_key(evse["uid"]) == ci_key(evse_uid):
            return evse
    raise EvroamError(
        f"Location {document['id']} has no EVSE {evse_uid}: check the EVSE uid"
        " (`GET /manage/locations/{id}` lists them)."
    )


async def _own_document(
    repo: LocationRepository, location_id: str, party: tuple[str, str] | None
) -> tuple[ObjectKey, dict[str, Any]]:
    """Our stored Location document: by its full key when the party is known, else searched."""
    if party is not None:
        key = ObjectKey(party[0], party[1], location_id)
        found = await repo.get_own_document(key)
        if found is not None:
            return key, found
    location = await _own(repo, location_id, party)
    return key_of(location), location.model_dump(mode="json", exclude_none=True)


async def _own(
    repo: LocationRepository, location_id: str, party: tuple[str, str] | None
) -> Location:
    c = locations.c
    conditions = [c.partner_id.is_(None), c.object_id == ci_key(location_id)]
    if party is not None:
        conditions += [c.country_code == ci_key(party[0]), c.party_id == ci_key(party[1])]
    found = await repo.find_documents(*conditions, limit=2)
    if not found:
        raise EvroamError(f"No Location {location_id} of ours; `evroam locations list` shows them.")
    if len(found) > 1:
        raise EvroamError(
            f"Several of our parties have a Location {location_id}: name the party with --party."
        )
    return Location.model_validate(found[0])


async def own_locations(
    platform: Platform, *, offset: int = 0, limit: int = 50
) -> tuple[list[Location], int]:
    """A page of our Locations (all, published or not) and their total."""
    from evroam.protocol.pagination import page_request

    page = page_request(offset=offset, limit=limit, date_from=None, date_to=None, cap=max(limit, 1))
    async with platform.sessions() as session:
        found = await LocationRepository(session).page(page, locations.c.partner_id.is_(None))
    return [Location.model_validate(d) for d in found.documents], found.total


def parse_party(text: str) -> tuple[str, str]:
    """`NL*CPO` → ("NL", "CPO"): how operators name one of our CPO parties."""
    country_code, _, party_id = text.partition("*")
    if len(country_code) != 2 or len(party_id) != 3:
        raise EvroamError(f"{text!r} is not a party: write COUNTRY*PARTY, for example NL*CPO.")
    return country_code.upper(), party_id.upper()


async def find_own_location(
    platform: Platform, location_id: str, *, party: tuple[str, str] | None = None
) -> Location | None:
    """One of our Locations by id, or None; EvroamError when several of our parties have it."""
    c = locations.c
    conditions = [c.partner_id.is_(None), c.object_id == ci_key(location_id)]
    if party is not None:
        conditions += [c.country_code == ci_key(party[0]), c.party_id == ci_key(party[1])]
    async with platform.sessions() as session:
        found = await LocationRepository(session).find_documents(*conditions, limit=2)
    if len(found) > 1:
        raise EvroamError(
            f"Several of our parties have a Location {location_id}: name the party (NL*CPO)."
        )
    return Location.model_validate(found[0]) if found else None
