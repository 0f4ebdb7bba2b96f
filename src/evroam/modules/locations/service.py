"""Locations rules, version-neutral (2.2.1 Locations chapter 8; DIGEST §5).

Receiver side: a partner's Locations, EVSEs and Connectors stored as it pushes them; the URL
party must be one the partner carries and equal the body's; ids in URL and body must match;
a child PUT or PATCH sets the parents' `last_updated` (§5.1 cascade). A rejected request
changes nothing: every write is one transaction after all checks.

Sender side: our own published Locations, found by id among our parties.
"""

import asyncio
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import or_
from sqlalchemy.ext.asyncio import AsyncSession

from evroam.errors import InvalidParameters, NotFound, UnknownLocation
from evroam.exchange import Exchange
from evroam.modules.locations.model import EVSE, Connector, Location
from evroam.modules.locations.repository import LocationRepository, locations
from evroam.modules.locations.visibility import unpublished_shown_to
from evroam.modules.patching import apply_patch, dump_patch, validate_patch
from evroam.partners.model import Partner
from evroam.platform import Platform
from evroam.protocol.pagination import PageRequest
from evroam.protocol.types import ci_key
from evroam.storage.documents import ObjectKey, TextPage
from evroam.storage.listing import Listed


@dataclass(frozen=True)
class LocationPath:
    """Which object a Location URL addresses: the Location, one EVSE, or one Connector."""

    country_code: str
    party_id: str
    location_id: str
    evse_uid: str | None = None
    connector_id: str | None = None

    @property
    def key(self) -> ObjectKey:
        return ObjectKey(self.country_code, self.party_id, self.location_id)


# ── receiver: a partner's objects ──────────────────────────────────────────────────────────

_writers: WeakKeyDictionary[Platform, defaultdict[ObjectKey, asyncio.Lock]] = WeakKeyDictionary()


@asynccontextmanager
async def _rewriting(platform: Platform, key: ObjectKey) -> AsyncIterator[AsyncSession]:
    """One transaction that reads, changes and writes back one Location, one at a time.

    A child PUT or PATCH rewrites the whole Location document: two of them overlapping (a burst
    of EVSE status PATCHes) would each write back the other's stale EVSEs, and all changes but
    one were lost while every PATCH was answered 1000. This serialises them within the process;
    several processes on one database also need a locking read (see the repository).
    """
    lock = _writers.setdefault(platform, defaultdict(asyncio.Lock))[key.normalised()]
    async with lock, platform.unit_of_work() as session:
        yield session


def check_owner(platform: Platform, partner: Partner, country_code: str, party_id: str) -> None:
    """A partner may only write and read objects of the parties it carries (CONFORMANCE A.35).

    Never those of our own parties, even when it claims to carry them (a Hub, or a partner
    registered with a party id we use ourselves): we are their data owner, and a write there
    would turn our own object into the partner's.
    """
    wanted = (ci_key(country_code), ci_key(party_id))
    if any((ci_key(p.country_code), ci_key(p.party_id)) == wanted for p in platform.parties):
        raise NotFound(f"{country_code}/{party_id} is a party of this platform, not a partner's")
    if not (partner.carries(country_code, party_id) or any(r.role == "HUB" for r in partner.roles)):
        raise NotFound(f"{country_code}/{party_id} is not a party of this connection")


async def get_received(
    platform: Platform, exchange: Exchange, path: LocationPath
) -> dict[str, Any]:
    """The stored Location, EVSE or Connector as the partner pushed it; 404 when unknown."""
    check_owner(platform, exchange.partner, path.country_code, path.party_id)
    async with platform.sessions() as session:
        document = await LocationRepository(session).get_document(path.key)
    if document is None:
        raise NotFound(f"Unknown location {path.location_id}")
    return select(document, path)


async def put_received(
    platform: Platform, exchange: Exchange, path: LocationPath, body: Location | EVSE | Connector
) -> bool:
    """PUT at any level; True when a new object was created (HTTP 201)."""
    check_owner(platform, exchange.partner, path.country_code, path.party_id)
    check_ids(path, body)
    async with _rewriting(platform, path.key) as session:
        repo = LocationRepository(session)
        if isinstance(body, Location):
            return await _store(repo, path, body, exchange.partner)
        current = await repo.get(path.key, for_update=True)
        if current is None:
            raise UnknownLocation(f"Unknown location {path.location_id}: PUT the Location first")
        created = place(current, path, body)
        await _store(repo, path, current, exchange.partner)
        return created


async def patch_received(
    platform: Platform, exchange: Exchange, path: LocationPath, data: dict[str, Any]
) -> None:
    """PATCH at any level: only the given fields change; `last_updated` is required (A.38)."""
    check_owner(platform, exchange.partner, path.country_code, path.party_id)
    model = Connector if path.connector_id else EVSE if path.evse_uid else Location
    changes = validate_patch(model, data, required=("last_updated",))
    _check_patch_ids(path, changes)
    async with _rewriting(platform, path.key) as session:
        repo = LocationRepository(session)
        if path.evse_uid is not None:  # an EVSE status: the hot path, on the stored document
            await _patch_child(repo, path, changes, exchange.partner)
            return
        current = await repo.get(path.key, for_update=True)
        if current is None:
            raise NotFound(f"Unknown location {path.location_id}")
        patched = patch_object(current, path, data)
        await _store(repo, path, patched, exchange.partner)


async def _patch_child(
    repo: LocationRepository, path: LocationPath, changes: dict[str, Any], partner: Partner
) -> None:
    """PATCH of an EVSE or Connector applied to the stored document: only that object is
    validated again (as apply_patch does), not the whole Location with all its EVSEs, and the
    document is written back as it is otherwise (it was stored from a validated Location)."""
    document = await repo.get_document(path.key, for_update=True)
    if document is None:
        raise NotFound(f"Unknown location {path.location_id}")
    moment = patch_child(document, path, changes)
    check_unique_document(document)
    await repo.replace_document(
        path.key, document, last_updated=moment, partner_id=partner.id, publish=document["publish"]
    )


async def _store(
    repo: LocationRepository, path: LocationPath, location: Location, partner: Partner
) -> bool:
    check_unique(location)
    return await repo.put(
        path.key,
        location,
        last_updated=location.last_updated,
        partner_id=partner.id,
        publish=location.publish,
    )


def check_ids(path: LocationPath, body: Location | EVSE | Connector) -> None:
    """URL and body must name the same object and owner (CONFORMANCE A.32–A.34, E.133, E.134)."""
    if isinstance(body, Location):
        pairs = [
            (path.location_id, body.id),
            (path.country_code, body.country_code),
            (path.party_id, body.party_id),
        ]
    elif isinstance(body, EVSE):
        pairs = [(path.evse_uid or "", body.uid)]
    else:
        pairs = [(path.connector_id or "", body.id)]
    for in_url, in_body in pairs:
        if ci_key(in_url) != ci_key(in_body):
            raise InvalidParameters(f"URL names {in_url!r} but the body carries {in_body!r}")


def check_unique(location: Location) -> None:
    """EVSE uids are unique in the Location and Connector ids in their EVSE (Locations §8.3.2,
    §8.3.3); with a duplicate, the URL of a child would name two objects."""
    evses = location.evses or []
    _unique("EVSE uid", [e.uid for e in evses])
    for evse in evses:
        _unique(f"Connector id in EVSE {evse.uid}", [c.id for c in evse.connectors])


def _unique(what: str, ids: list[str]) -> None:
    keys = [ci_key(i) for i in ids]
    repeated = sorted({k for k in keys if keys.count(k) > 1})
    if repeated:
        raise InvalidParameters(f"{what} appears more than once: {', '.join(repeated)}")


def _check_patch_ids(path: LocationPath, changes: dict[str, Any]) -> None:
    expected = {
        "id": path.connector_id or path.location_id,
        "uid": path.evse_uid,
        "country_code": path.country_code,
        "party_id": path.party_id,
    }
    for name, in_url in expected.items():
        if name in changes and in_url is not None and ci_key(str(changes[name])) != ci_key(in_url):
            raise InvalidParameters(f"PATCH may not change {name} ({changes[name]!r} ≠ {in_url!r})")


# ── object surgery, shared by receiver and sender ──────────────────────────────────────────


def find_evse(location: Location, uid: str) -> EVSE | None:
    return next((e for e in location.evses or [] if ci_key(e.uid) == ci_key(uid)), None)


def find_connector(evse: EVSE, connector_id: str) -> Connector | None:
    return next((c for c in evse.connectors if ci_key(c.id) == ci_key(connector_id)), None)


def place(location: Location, path: LocationPath, child: EVSE | Connector) -> bool:
    """Put an EVSE or Connector into the Location, cascading last_updated; True if new."""
    if isinstance(child, EVSE):
        evses = location.evses or []
        existing = find_evse(location, child.uid)
        location.evses = (
            [child if e is existing else e for e in evses] if existing else [*evses, child]
        )
        location.last_updated = child.last_updated
        return existing is None
    evse = find_evse(location, path.evse_uid or "")
    if evse is None:
        raise InvalidParameters(f"Unknown EVSE {path.evse_uid}: PUT the EVSE first")
    existing_connector = find_connector(evse, child.id)
    connectors = [child if c is existing_connector else c for c in evse.connectors]
    evse.connectors = connectors if existing_connector else [*connectors, child]
    evse.last_updated = location.last_updated = child.last_updated
    return existing_connector is None


def patch_object(location: Location, path: LocationPath, data: dict[str, Any]) -> Location:
    """The Location after a PATCH at the path's level, with last_updated cascaded up."""
    if path.evse_uid is None:
        return apply_patch(location, data)
    evse = find_evse(location, path.evse_uid)
    if evse is None:
        raise NotFound(f"Unknown EVSE {path.evse_uid}")
    if path.connector_id is None:
        place(location, path, apply_patch(evse, data))
        return location
    connector = find_connector(evse, path.connector_id)
    if connector is None:
        raise NotFound(f"Unknown connector {path.connector_id}")
    place(location, path, apply_patch(connector, data))
    return location


def patch_child(document: dict[str, Any], path: LocationPath, changes: dict[str, Any]) -> datetime:
    """PATCH an EVSE or a Connector inside a stored Location document (validated `changes`,
    from validate_patch), cascading last_updated up (§5.1); the new last_updated."""
    evses: list[dict[str, Any]] = document.get("evses") or []
    evse_at = _index(evses, "uid", path.evse_uid or "")
    if evse_at is None:
        raise NotFound(f"Unknown EVSE {path.evse_uid}")
    evse = dict(evses[evse_at])
    if path.connector_id is None:
        evse, moment = _patched(EVSE, evse, changes)
    else:
        connectors = list(evse["connectors"])
        at = _index(connectors, "id", path.connector_id)
        if at is None:
            raise NotFound(f"Unknown connector {path.connector_id}")
        connectors[at], moment = _patched(Connector, connectors[at], changes)
        evse |= {"connectors": connectors, "last_updated": connectors[at]["last_updated"]}
    evses[evse_at] = evse
    document["last_updated"] = evse["last_updated"]
    return moment


def _index(items: list[dict[str, Any]], name: str, wanted: str) -> int | None:
    return next((i for i, item in enumerate(items) if ci_key(item[name]) == ci_key(wanted)), None)


def _patched(
    model: type[EVSE] | type[Connector], stored: dict[str, Any], changes: dict[str, Any]
) -> tuple[dict[str, Any], datetime]:
    """The stored object with the changes, validated whole; as JSON and its last_updated."""
    updated = model.model_validate({**stored, **dump_patch(model, changes)})
    return updated.model_dump(mode="json", exclude_none=True), updated.last_updated


def check_unique_document(document: dict[str, Any]) -> None:
    """check_unique on a stored document."""
    evses = document.get("evses") or []
    _unique("EVSE uid", [e["uid"] for e in evses])
    for evse in evses:
        _unique(f"Connector id in EVSE {evse['uid']}", [c["id"] for c in evse["connectors"]])


def select(document: dict[str, Any], path: LocationPath) -> dict[str, Any]:
    """The part of a stored Location document the path addresses, or NotFound."""
    if path.evse_uid is None:
        return document
    evse = next(
        (e for e in document.get("evses") or [] if ci_key(e["uid"]) == ci_key(path.evse_uid)), None
    )
    if evse is None:
        raise NotFound(f"Unknown EVSE {path.evse_uid}")
    if path.connector_id is None:
        return dict(evse)
    connector = next(
        (c for c in evse["connectors"] if ci_key(c["id"]) == ci_key(path.connector_id)), None
    )
    if connector is None:
        raise NotFound(f"Unknown connector {path.connector_id}")
    return dict(connector)


# ── sender: our own published locations ────────────────────────────────────────────────────


def _ours(party: tuple[str, str] | None, unpublished: tuple[int, ...] = ()) -> list[Any]:
    """Conditions selecting our own published Locations (of `party` only, if given), and the
    unpublished ones whose row keys are given (those the caller may see: visibility.py)."""
    c = locations.c
    shown = (
        c.publish.is_(True) if not unpublished else or_(c.publish.is_(True), c.pk.in_(unpublished))
    )
    conditions: list[Any] = [c.partner_id.is_(None), shown]
    if party is not None:
        conditions += [c.country_code == party[0], c.party_id == party[1]]
    return conditions


def _addressed(exchange: Exchange) -> tuple[str, str] | None:
    """Our party the request named in OCPI-to-*, if it did."""
    local = exchange.local
    return (local.country_code, local.party_id) if exchange.addressed else None


async def _unpublished_seen_by(
    platform: Platform, exchange: Exchange, party: tuple[str, str] | None
) -> tuple[int, ...]:
    """Our unpublished Locations the caller holds a Token for (CONFORMANCE E.154)."""
    partner_id = exchange.partner.id
    assert partner_id is not None
    return await unpublished_shown_to(platform.engine, partner_id, party)


@lru_cache(maxsize=256)
def _published(
    party: tuple[str, str] | None,
    unpublished: tuple[int, ...],
    date_from: datetime | None,
    date_to: datetime | None,
) -> Listed:
    """The list of our published Locations (and the unpublished ones given) in a date window:
    a pure function of its arguments, so kept for the requests that repeat them."""
    window = PageRequest(0, 1, 1, date_from, date_to)
    return LocationRepository.listing(window, *_ours(party, unpublished))


async def list_published(platform: Platform, exchange: Exchange, page: PageRequest) -> TextPage:
    """GET list of the Sender: our published Locations as stored JSON, paginated (DIGEST §5.2),
    and the unpublished ones the caller holds a Token for."""
    party = _addressed(exchange)
    unpublished = await _unpublished_seen_by(platform, exchange, party)
    found = _published(party, unpublished, page.date_from, page.date_to)
    return await LocationRepository.served_page(platform.engine, page, found)


async def get_published(
    platform: Platform, exchange: Exchange, path: LocationPath
) -> dict[str, Any]:
    """GET one of our Locations the caller may see, EVSE or Connector by id; 404 when unknown."""
    c, party = locations.c, _addressed(exchange)
    conditions = _ours(party, await _unpublished_seen_by(platform, exchange, party))
    async with platform.sessions() as session:
        repo = LocationRepository(session)
        found = await repo.find_documents(c.object_id == ci_key(path.location_id), *conditions)
    if not found:
        raise NotFound(f"Unknown location {path.location_id}")
    return select(found[0], path)
