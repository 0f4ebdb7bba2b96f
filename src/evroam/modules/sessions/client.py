"""Pushing our Sessions to the token owner's partner (Sessions §9.1.1; CONFORMANCE F.182).

A new Session goes as PUT; later changes as a PATCH of the changed fields with last_updated.
A PATCH *appends* the charging_periods it carries (§9.2.2), so we remember how many periods
the partner confirmed, with a digest of them and of the partner: a PATCH carries only the
periods after those. When the confirmed periods are no longer a prefix of ours, or a field
must be removed, or the outcome of a PATCH with periods is unknown, a PUT replaces the whole
Session instead: a period is never sent twice.
"""

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from evroam.errors import PartnerError
from evroam.modules.sessions.repository import SessionRepository
from evroam.partners.client import PartnerClient, join_url
from evroam.partners.model import Partner
from evroam.platform import Platform
from evroam.protocol.routing import PartyRef
from evroam.push.owner import owner_headers
from evroam.push.routing import receiver_url
from evroam.push.worker import Claimed, Rejected, rejection
from evroam.storage.documents import ObjectKey

PERIODS = "charging_periods"


def periods_digest(partner_id: int, periods: list[Any]) -> str:
    """Identifies the periods a partner holds (and whose confirmation it was)."""
    text = json.dumps([partner_id, periods], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def confirmed_periods(row: Any, partner_id: int) -> int | None:
    """How many of the stored periods the partner holds; None when unknown."""
    count, periods = row.pushed_periods, row.document.get(PERIODS) or []
    if count is None or row.pushed_digest is None or count > len(periods):
        return None
    return count if periods_digest(partner_id, periods[:count]) == row.pushed_digest else None


@dataclass(frozen=True)
class Delivery:
    """One session on its way to one partner."""

    platform: Platform
    client: PartnerClient
    key: ObjectKey
    partner_id: int
    url: str
    headers: dict[str, str]


async def deliver_session(
    platform: Platform, client: PartnerClient, partner: Partner, row: Claimed
) -> None:
    """Send the session's current state: PATCH of the changed fields, else PUT."""
    key = ObjectKey(row.country_code, row.party_id, row.object_id)
    async with platform.sessions() as db:
        stored = await SessionRepository(db).row(key)
    if stored is None or stored.partner_id is not None or partner.id is None:
        return  # gone, or not ours: nothing to send
    if not partner.carries(stored.token_country_code, stored.token_party_id):
        return  # never to anyone but the token owner's partner
    document: dict[str, Any] = stored.document
    owner = PartyRef(document["country_code"], document["party_id"])
    url = join_url(receiver_url(partner, "sessions"), owner.country_code, owner.party_id)
    delivery = Delivery(
        platform,
        client,
        key,
        partner.id,
        join_url(url, document["id"]),
        owner_headers(owner, PartyRef(stored.token_country_code, stored.token_party_id)),
    )
    body = patch_body(document, row.fields, confirmed_periods(stored, partner.id))
    if body is None:
        await _put(delivery, document)
    else:
        await _patch(delivery, document, body)


def patch_body(
    document: dict[str, Any], fields: list[str] | None, confirmed: int | None
) -> dict[str, Any] | None:
    """The PATCH of the changed fields and the unconfirmed periods; None when only a PUT can
    express the change (new session, a field gone, periods the partner may not hold)."""
    if fields is None or confirmed is None or any(f not in document for f in fields):
        return None
    body = {name: document[name] for name in fields if name != PERIODS}
    body["last_updated"] = document["last_updated"]
    new = (document.get(PERIODS) or [])[confirmed:]
    if new:
        body[PERIODS] = new
    return body


async def _record(delivery: Delivery, periods: list[Any] | None) -> None:
    """The partner holds `periods` (None: unknown until the next PUT)."""
    values: dict[str, Any] = {"pushed_periods": None, "pushed_digest": None}
    if periods is not None:
        digest = periods_digest(delivery.partner_id, periods)
        values = {"pushed_periods": len(periods), "pushed_digest": digest}
    async with delivery.platform.unit_of_work() as db:
        await SessionRepository(db).set_columns(delivery.key, **values)


async def _patch(delivery: Delivery, document: dict[str, Any], body: dict[str, Any]) -> None:
    if PERIODS in body:
        # Should the answer be lost, the partner may or may not hold these periods: until
        # confirmed, the next delivery is a PUT (never an append sent twice).
        await _record(delivery, None)
    try:
        await delivery.client.request(
            "PATCH", delivery.url, json_body=body, headers=delivery.headers
        )
    except PartnerError as exc:
        if not rejection(exc):
            raise
        await _put(delivery, document)  # a refused PATCH is repaired with the whole object
        return
    await _record(delivery, document.get(PERIODS) or [])


async def _put(delivery: Delivery, document: dict[str, Any]) -> None:
    try:
        await delivery.client.request(
            "PUT", delivery.url, json_body=document, headers=delivery.headers
        )
    except PartnerError as exc:
        if rejection(exc):
            raise Rejected(str(exc)) from exc
        raise
    await _record(delivery, document.get(PERIODS) or [])
