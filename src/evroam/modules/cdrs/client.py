"""Sending our CDRs to the token owner's partner: one POST each (CDRs §10.2.1; DIGEST §7.1).

A CDR goes once: when the partner confirmed the POST, the time and the `Location` URL it
answered are recorded and the CDR is never sent again (a retry after a lost answer may repeat
the POST; the receiver keeps one, G.211). It goes to no one but the partner carrying the
token's party.
"""

from evroam.errors import PartnerError
from evroam.modules.cdrs.repository import CdrRepository
from evroam.partners.client import PartnerClient
from evroam.partners.model import Partner
from evroam.platform import Platform
from evroam.protocol.routing import PartyRef
from evroam.protocol.timestamps import utc_now
from evroam.push.owner import owner_headers
from evroam.push.routing import receiver_url
from evroam.push.worker import Claimed, Rejected, rejection
from evroam.storage.documents import ObjectKey

MAX_LOCATION = 2000  # a partner's URL is kept for display; far longer is not a URL we keep


async def deliver_cdr(
    platform: Platform, client: PartnerClient, partner: Partner, row: Claimed
) -> None:
    """POST the CDR unless the partner confirmed it already; record where it keeps it."""
    key = ObjectKey(row.country_code, row.party_id, row.object_id)
    async with platform.sessions() as db:
        repo = CdrRepository(db)
        state = await repo.push_state(key)
        document = await repo.get_document(key)
    if state is None or document is None or state[0] is not None:
        return  # not ours, or confirmed already: a CDR is sent once
    token = document["cdr_token"]
    if not partner.carries(token["country_code"], token["party_id"]):
        return  # never to anyone but the token owner's partner
    headers = owner_headers(
        PartyRef(document["country_code"], document["party_id"]),
        PartyRef(token["country_code"], token["party_id"]),
    )
    try:
        answer = await client.request(
            "POST", receiver_url(partner, "cdrs"), json_body=document, headers=headers
        )
    except PartnerError as exc:
        if rejection(exc):
            raise Rejected(str(exc)) from exc
        raise
    location = answer.headers.get("Location")
    async with platform.unit_of_work() as db:
        await CdrRepository(db).mark_pushed(
            key, at=utc_now(), location=location[:MAX_LOCATION] if location else None
        )
