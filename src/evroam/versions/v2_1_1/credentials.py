"""OCPI 2.1.1 Credentials wire model (2.1.1 credentials.md §4): one party, flat, no roles.

A 2.1.1 connection carries exactly one party and names no role: the partner's role is the
counterpart of ours (`versions.counterpart_of`), given to `to_domain` by the caller.
"""

from pydantic import Field

from evroam.model import BusinessDetails
from evroam.model import OcpiObject as Wire
from evroam.modules.credentials.model import Credentials as DomainCredentials
from evroam.partners.model import PartyRole
from evroam.protocol.types import URL, CiString2, CiString3, CredentialsTokenString
from evroam.versions.v2_1_1.text import for_peer


class Credentials(Wire):
    token: CredentialsTokenString
    url: URL
    business_details: BusinessDetails
    party_id: CiString3 = Field(min_length=3)
    country_code: CiString2 = Field(min_length=2)

    def to_domain(self, counterpart: str | None = None) -> DomainCredentials:
        role = PartyRole(
            role=counterpart or "OTHER",
            country_code=self.country_code,
            party_id=self.party_id,
            business_details=self.business_details.model_dump(mode="json", exclude_none=True),
        )
        return DomainCredentials(token=self.token, url=self.url, roles=[role])

    @classmethod
    def from_domain(cls, credentials: DomainCredentials) -> "Credentials":
        if len(credentials.roles) != 1:
            raise ValueError("2.1.1 credentials carry exactly one party")
        party = credentials.roles[0]
        return cls.model_validate(
            {
                "token": credentials.token,
                "url": credentials.url,
                "business_details": for_peer(party.business_details),  # ASCII (A.51)
                "party_id": party.party_id,
                "country_code": party.country_code,
            }
        )
