"""Outbound Locations calls: pushing our objects to a partner's Receiver (DIGEST §5.1)."""

from typing import Any

from evroam.errors import PartnerError, PartnerHttpError
from evroam.modules.locations.repository import locations
from evroam.modules.locations.visibility import partners_shown
from evroam.partners.client import PartnerClient, join_url
from evroam.partners.model import Partner
from evroam.platform import Platform
from evroam.push.routing import push_headers, receiver_url
from evroam.push.worker import Claimed, Rejected, rejection
from evroam.storage.documents import ObjectKey, by_key, key_params
from evroam.storage.point_reads import json_value, read_one
from evroam.versions import by_number


async def own_location(platform: Platform, row: Claimed) -> dict[str, Any] | None:
    """Our current Location document for an outbox row (None if it is not ours any more):
    a point read of a statement built once (storage.point_reads)."""
    key = ObjectKey(row.country_code, row.party_id, row.object_id)
    found = await read_one(platform.engine, by_key(locations).own_document, key_params(key))
    return None if found is None else dict(json_value(found[0]))


def target(document: dict[str, Any], path: str) -> tuple[dict[str, Any], list[str]]:
    """The object an outbox path addresses and its URL segments with the ids' own spelling."""
    parts = path.split("/")
    segments = [document["id"]]
    if len(parts) == 1:
        return document, segments
    evse = next((e for e in document.get("evses") or [] if e["uid"].upper() == parts[1]), None)
    if evse is None:
        return document, segments  # the EVSE is gone from our data: send the whole Location
    segments.append(evse["uid"])
    if len(parts) == 2:
        return evse, segments
    connector = next((c for c in evse["connectors"] if c["id"].upper() == parts[2]), None)
    if connector is None:
        return evse, segments
    return connector, [*segments, connector["id"]]


async def deliver_location(
    platform: Platform, client: PartnerClient, partner: Partner, row: Claimed
) -> None:
    """Send the current state: PATCH of the changed fields, else PUT at the row's level."""
    document = await own_location(platform, row)
    if document is None or not await _shown(platform, partner, document):
        return  # gone, or unpublished and not (or no longer) shown to this partner
    base = join_url(
        receiver_url(partner, "locations"), document["country_code"], document["party_id"]
    )
    headers = push_headers(partner, document["country_code"], document["party_id"])
    obj, segments = target(document, row.path)
    url = join_url(base, *segments)
    if row.fields is None or len(segments) < len(row.path.split("/")):
        await _put(client, url, obj, headers)
        return
    body = {name: obj[name] for name in row.fields if name in obj}
    body["last_updated"] = obj["last_updated"]
    try:
        await client.request("PATCH", url, json_body=body, headers=headers)
    except PartnerError as exc:
        if not rejection(exc):
            raise
        await _repair(client, base, url, document, obj, headers)


async def _shown(platform: Platform, partner: Partner, document: dict[str, Any]) -> bool:
    """Published, or unpublished and shown to a Token the partner holds (E.154) where the
    partner's version can say so (a 2.1.1 peer would show it to everyone)."""
    if document.get("publish"):
        return True
    spec = by_number(partner.version or "")
    if spec is not None and not spec.private_locations:
        return False
    async with platform.sessions() as session:
        return bool(await partners_shown(session, document, [partner]))


async def _repair(
    client: PartnerClient,
    base: str,
    url: str,
    document: dict[str, Any],
    obj: dict[str, Any],
    headers: dict[str, str],
) -> None:
    """A PATCH failed: GET the object at the receiver; missing → PUT the whole Location (A.41)."""
    try:
        await client.request("GET", url, headers=headers)
    except PartnerHttpError as exc:
        if exc.http_status != 404:
            raise
        await _put(client, join_url(base, document["id"]), document, headers)
        return
    await _put(client, url, obj, headers)


async def _put(
    client: PartnerClient, url: str, body: dict[str, Any], headers: dict[str, str]
) -> None:
    try:
        await client.request("PUT", url, json_body=body, headers=headers)
    except PartnerError as exc:
        if rejection(exc):
            raise Rejected(str(exc)) from exc
        raise
