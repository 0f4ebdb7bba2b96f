"""Routing headers and receiver URLs for pushes of our own objects (DIGEST §2.3)."""

from evroam.partners.model import InterfaceRole, Partner
from evroam.protocol.routing import PartyRef, routing_headers
from evroam.push.worker import Rejected

RECEIVING_ROLES = ("EMSP", "NSP", "HUB", "NAP", "OTHER", "SCSP")


def push_headers(partner: Partner, owner_country: str, owner_party: str) -> dict[str, str]:
    """From the owning party to the partner's receiving party (its first eMSP/NSP/… role)."""
    ranked = sorted(
        partner.roles,
        key=lambda r: RECEIVING_ROLES.index(r.role) if r.role in RECEIVING_ROLES else 99,
    )
    to = PartyRef(ranked[0].country_code, ranked[0].party_id) if ranked else None
    return routing_headers(PartyRef(owner_country, owner_party), to)


def receiver_url(partner: Partner, module: str) -> str:
    endpoint = partner.endpoint(module, InterfaceRole.RECEIVER)
    if endpoint is None:
        raise Rejected(f"{partner.name} no longer publishes a {module} Receiver interface")
    return endpoint.url
