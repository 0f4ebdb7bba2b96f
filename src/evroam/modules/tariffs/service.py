"""Tariffs rules, version-neutral (2.2.1 Tariffs chapter 11; DIGEST §8.1).

Receiver: a partner's Tariffs by owner party and id, PUT replaces, DELETE removes; the URL
party must be carried by the partner and equal the body's. Sender: our own Tariffs.
"""

from typing import Any

from evroam.errors import InvalidParameters, NotFound
from evroam.exchange import Exchange
from evroam.modules.locations.service import check_owner
from evroam.modules.tariffs.model import Tariff
from evroam.modules.tariffs.repository import TariffRepository, tariffs
from evroam.platform import Platform
from evroam.protocol.pagination import PageRequest
from evroam.protocol.types import ci_key
from evroam.storage.documents import ObjectKey, TextPage


async def get_received(platform: Platform, exchange: Exchange, key: ObjectKey) -> dict[str, Any]:
    check_owner(platform, exchange.partner, key.country_code, key.party_id)
    async with platform.sessions() as session:
        document = await TariffRepository(session).get_document(key)
    if document is None:
        raise NotFound(f"Unknown tariff {key.object_id}")
    return document


async def put_received(
    platform: Platform, exchange: Exchange, key: ObjectKey, tariff: Tariff
) -> bool:
    """Create or replace a partner's Tariff; True when created."""
    check_owner(platform, exchange.partner, key.country_code, key.party_id)
    for in_url, in_body in (
        (key.object_id, tariff.id),
        (key.country_code, tariff.country_code),
        (key.party_id, tariff.party_id),
    ):
        if ci_key(in_url) != ci_key(in_body):
            raise InvalidParameters(f"URL names {in_url!r} but the body carries {in_body!r}")
    async with platform.unit_of_work() as session:
        return await TariffRepository(session).put(
            key, tariff, last_updated=tariff.last_updated, partner_id=exchange.partner.id
        )


async def delete_received(platform: Platform, exchange: Exchange, key: ObjectKey) -> None:
    check_owner(platform, exchange.partner, key.country_code, key.party_id)
    async with platform.unit_of_work() as session:
        if not await TariffRepository(session).delete(key):
            raise NotFound(f"Unknown tariff {key.object_id}")


async def list_own(platform: Platform, exchange: Exchange, page: PageRequest) -> TextPage:
    """GET list of the Sender: our Tariffs (of the addressed party, if any) as stored JSON,
    paginated."""
    c = tariffs.c
    conditions: list[Any] = [c.partner_id.is_(None)]
    if exchange.addressed:
        conditions += [
            c.country_code == exchange.local.country_code,
            c.party_id == exchange.local.party_id,
        ]
    async with platform.sessions() as session:
        return await TariffRepository(session).page_text(page, *conditions)
