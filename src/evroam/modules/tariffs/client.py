"""Outbound Tariffs calls: pushing our Tariffs to a partner's Receiver (DIGEST §8.1)."""

from evroam.errors import PartnerError, PartnerHttpError
from evroam.modules.tariffs.repository import TariffRepository
from evroam.partners.client import PartnerClient, join_url
from evroam.partners.model import Partner
from evroam.platform import Platform
from evroam.push.routing import push_headers, receiver_url
from evroam.push.worker import Claimed, Rejected, rejection
from evroam.storage.documents import ObjectKey


async def deliver_tariff(
    platform: Platform, client: PartnerClient, partner: Partner, row: Claimed
) -> None:
    """PUT the Tariff as it is now, or DELETE it at the partner when we deleted it."""
    key = ObjectKey(row.country_code, row.party_id, row.object_id)
    async with platform.sessions() as session:
        document = await TariffRepository(session).get_document(key)
    headers = push_headers(partner, row.country_code, row.party_id)
    base = join_url(receiver_url(partner, "tariffs"), row.country_code, row.party_id)
    try:
        if document is None:
            await client.request("DELETE", join_url(base, row.object_id), headers=headers)
        else:
            url = join_url(base, document["id"])
            await client.request("PUT", url, json_body=document, headers=headers)
    except PartnerHttpError as exc:
        if document is None and exc.http_status == 404:
            return  # already gone at the partner
        if rejection(exc):
            raise Rejected(str(exc)) from exc
        raise
    except PartnerError as exc:
        if rejection(exc):
            raise Rejected(str(exc)) from exc
        raise
