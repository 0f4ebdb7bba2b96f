"""Whom a counterparty's data goes to: the one partner carrying the token owner's party.

Sessions and CDRs (and later command results) belong to the eMSP whose party issued the
token: they are pushed to that partner only, never broadcast (ARCHITECTURE, privacy; issue #5
item 4). A party carried by several connections (directly and through a Hub, say) goes to
one of them: a direct carrier before a Hub, then the oldest connection.
"""

from sqlalchemy.ext.asyncio import AsyncSession

from evroam.partners.model import InterfaceRole, Partner
from evroam.partners.repository import PartnerRepository
from evroam.protocol.routing import PartyRef, routing_headers
from evroam.protocol.types import ci_key


def _direct(partner: Partner, country_code: str, party_id: str) -> bool:
    wanted = (ci_key(country_code), ci_key(party_id))
    return any((r.key[1], r.key[2]) == wanted and r.role != "HUB" for r in partner.roles)


async def token_owner_partner(
    session: AsyncSession, module: str, country_code: str, party_id: str
) -> Partner | None:
    """The connected partner carrying the party that publishes the module's Receiver."""
    fitting = [
        p
        for p in await PartnerRepository(session).all()
        if p.connected
        and p.carries(country_code, party_id)
        and p.endpoint(module, InterfaceRole.RECEIVER) is not None
    ]
    fitting.sort(key=lambda p: (not _direct(p, country_code, party_id), p.id or 0))
    return fitting[0] if fitting else None


def owner_headers(owner: PartyRef, token_owner: PartyRef) -> dict[str, str]:
    """Routing headers from our CPO party to the eMSP party owning the token (DIGEST §2.3)."""
    return routing_headers(owner, token_owner)
