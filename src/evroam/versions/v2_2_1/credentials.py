"""OCPI 2.2.1 Credentials module wire models (chapter 7) and their mapping to the domain."""

from typing import Self

from pydantic import Field, model_validator

from evroam.modules.credentials.model import Credentials as DomainCredentials
from evroam.partners.model import PartyRole
from evroam.protocol.types import URL, CiString2, CiString3, CredentialsTokenString
from evroam.settings import Role
from evroam.versions.v2_2_1.types import BusinessDetails, Wire


class CredentialsRole(Wire):
    role: Role
    business_details: BusinessDetails
    party_id: CiString3 = Field(min_length=3)
    country_code: CiString2 = Field(min_length=2)


class Credentials(Wire):
    token: CredentialsTokenString
    url: URL
    roles: list[CredentialsRole] = Field(min_length=1)

    @model_validator(mode="after")
    def _roles_unique(self) -> Self:
        keys = [(r.role, r.party_id.upper(), r.country_code.upper()) for r in self.roles]
        if len(set(keys)) != len(keys):
            raise ValueError("each (role, party_id, country_code) may appear only once in roles")
        return self

    def to_domain(self, counterpart: str | None = None) -> DomainCredentials:
        """The domain object (2.2.1 names every party's role: `counterpart` is not needed)."""
        return DomainCredentials(
            token=self.token,
            url=self.url,
            roles=[
                PartyRole(
                    role=r.role.value,
                    country_code=r.country_code,
                    party_id=r.party_id,
                    business_details=r.business_details.model_dump(mode="json", exclude_none=True),
                )
                for r in self.roles
            ],
        )

    @classmethod
    def from_domain(cls, credentials: DomainCredentials) -> "Credentials":
        return cls.model_validate(
            {
                "token": credentials.token,
                "url": credentials.url,
                "roles": [role.as_dict() for role in credentials.roles],
            }
        )
