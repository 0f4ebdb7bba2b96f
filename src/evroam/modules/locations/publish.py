"""Our own Locations: the CPO's data, managed through this service and pushed to partners.

Every change is written with its outbox rows in one transaction (ARCHITECTURE, outbox), and
keeps the `last_updated` cascade the Sender must maintain (Connector → EVSE → Location, §5.1).
Saving an object identical to the stored one changes nothing and pushes nothing.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from evroam.errors import EvroamError
from evroam.modules.locations.enums import Status
from evroam.modules.locations.model import Location
from evroam.modules.locations.repository import LocationRepository, locations
from evroam.platform import Platform
from evroam.protocol.timestamps import format_datetime, utc_now
from evroam.protocol.types import ci_key
from evroam.push.outbox import Change, enqueue, recipients
from evroam.settings import Role
from evroam.storage.documents import ObjectKey


@dataclass
class SaveResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[str] = field(default_factory=list)


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
    result = SaveResult()
    now = utc_now()
    async with platform.unit_of_work() as session:
        partners = await recipients(session, "locations")
        repo = LocationRepository(session)
        for location in items:
            check_ours(platform, location)
            await _save(repo, session, cascade(location), result, partners=partners, now=now)
    platform.push_wakeup.set()
    return result


async def _save(
    repo: LocationRepository,
    session: AsyncSession,
    location: Location,
    result: SaveResult,
    **kw: object,
) -> None:
    key = key_of(location)
    document = location.model_dump(mode="json", exclude_none=True)
    if await repo.get_document(key) == document:
        result.unchanged += 1
        return
    created = await repo.put(
        key, location, last_updated=location.last_updated, publish=location.publish
    )
    result.created += created
    result.updated += not created
    if location.publish:
        await enqueue(session, [Change("locations", key, (location.id,))], **kw)  # type: ignore[arg-type]


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

    A hot path (every charger event): the stored document, validated when it was saved, is
    edited in place instead of being re-validated as a whole Location.
    """
    now = utc_now()
    stamp = format_datetime(now)
    documents: dict[ObjectKey, dict[str, Any]] = {}
    default_party = _single_cpo(platform)
    async with platform.unit_of_work() as session:
        repo = LocationRepository(session)
        partners = await recipients(session, "locations")
        for change in changes:
            key, document = await _own_document(
                repo, change.location_id, change.party or default_party
            )
            evse = _evse_document(document, change.evse_uid)
            evse["status"], evse["last_updated"], document["last_updated"] = (
                change.status.value,
                stamp,
                stamp,
            )
            await repo.replace_document(key, document, last_updated=now)
            documents[key] = document
            if document["publish"]:
                patch = Change(
                    "locations", key, (document["id"], evse["uid"]), frozenset({"status"})
                )
                await enqueue(session, [patch], now=now, partners=partners)
    platform.push_wakeup.set()
    return [Location.model_validate(d) for d in documents.values()]


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
        found = await repo.find_documents(repo.where(key), locations.c.partner_id.is_(None))
        if found:
            return key, found[0]
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
