"""The Partner record: one remote platform, its parties, endpoints and tokens."""

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from evroam.partners.lifecycle import CONNECTED, LifecycleEvent, PartnerState, next_state
from evroam.protocol.auth import TokenEncoding
from evroam.protocol.timestamps import format_datetime
from evroam.protocol.types import ci_key


class InterfaceRole(StrEnum):
    SENDER = "SENDER"
    RECEIVER = "RECEIVER"


class TokenKind(StrEnum):
    """What an inbound token we issued is for."""

    INVITATION = "INVITATION"  # CREDENTIALS_TOKEN_A: versions and credentials only, once
    CREDENTIALS = "CREDENTIALS"  # the token the partner uses for everything after registration


@dataclass(frozen=True)
class Endpoint:
    """One entry of a version-details document."""

    identifier: str
    role: InterfaceRole | None
    url: str

    def as_dict(self) -> dict[str, Any]:
        return {"identifier": self.identifier, "role": self.role, "url": self.url}


@dataclass(frozen=True)
class PartyRole:
    """A (role, country_code, party_id) a platform carries, with its business details."""

    role: str
    country_code: str
    party_id: str
    business_details: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.role, ci_key(self.country_code), ci_key(self.party_id))

    def as_dict(self) -> dict[str, Any]:
        return {
            "role": self.role,
            "country_code": self.country_code,
            "party_id": self.party_id,
            "business_details": self.business_details,
        }


@dataclass
class Partner:
    """A remote platform and the state of our credentials connection with it."""

    name: str
    state: PartnerState
    created_at: datetime
    updated_at: datetime
    id: int | None = None
    version: str | None = None
    versions_url: str | None = None
    endpoints: list[Endpoint] = field(default_factory=list)
    roles: list[PartyRole] = field(default_factory=list)
    token_out: str | None = field(default=None, repr=False)
    token_encoding: TokenEncoding | None = None
    registered_at: datetime | None = None
    last_contact_at: datetime | None = None
    last_error: str | None = None

    @property
    def connected(self) -> bool:
        return self.state in CONNECTED

    def apply(self, event: LifecycleEvent) -> None:
        """Move along the lifecycle; raises InvalidTransition when the step is not allowed."""
        self.state = next_state(self.state, event)

    def endpoint(self, identifier: str, role: InterfaceRole | None = None) -> Endpoint | None:
        """The partner's URL for a module (and interface role, where it publishes one)."""
        for endpoint in self.endpoints:
            if endpoint.identifier != identifier:
                continue
            if role is None or endpoint.role in (None, role):
                return endpoint
        return None

    def carries(self, country_code: str, party_id: str) -> bool:
        """Whether this partner speaks for the party (CiString comparison)."""
        wanted = (ci_key(country_code), ci_key(party_id))
        return any((r.key[1], r.key[2]) == wanted for r in self.roles)


def describe(partner: Partner) -> dict[str, Any]:
    """A partner as JSON, without any token."""
    stamp = format_datetime
    return {
        "name": partner.name,
        "state": partner.state,
        "version": partner.version,
        "versions_url": partner.versions_url,
        "token_encoding": partner.token_encoding,
        "roles": [r.as_dict() for r in partner.roles],
        "endpoints": [e.as_dict() for e in partner.endpoints],
        "registered_at": stamp(partner.registered_at) if partner.registered_at else None,
        "last_contact_at": stamp(partner.last_contact_at) if partner.last_contact_at else None,
        "last_error": partner.last_error,
    }
