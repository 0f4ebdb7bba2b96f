"""The version-neutral Token and its authorization objects (2.2.1 Tokens §12.3, §12.4).

Optional values are None when absent, so `model_dump(exclude_none=True)` writes back what came
in and invents nothing. TokenType lives with the Locations enums (PublishTokenType uses it).
"""

from enum import StrEnum

from pydantic import Field

from evroam.model import DisplayText, OcpiObject
from evroam.modules.locations.enums import TokenType
from evroam.modules.sessions.model import ProfileType  # the driver's default (Sessions §9.4.6)
from evroam.protocol.timestamps import OcpiDateTime
from evroam.protocol.types import CiString2, CiString3, CiString36, String2, String64

__all__ = [
    "AllowedType",
    "AuthorizationInfo",
    "EnergyContract",
    "LocationReferences",
    "ProfileType",
    "Token",
    "TokenType",
    "WhitelistType",
]


class WhitelistType(StrEnum):
    """How a CPO may authorize the token (Tokens §12.4.5)."""

    ALWAYS = "ALWAYS"  # locally, never in real time
    ALLOWED = "ALLOWED"  # locally or in real time, the CPO chooses
    ALLOWED_OFFLINE = "ALLOWED_OFFLINE"  # in real time; locally only when the eMSP is unreachable
    NEVER = "NEVER"  # always in real time


class AllowedType(StrEnum):
    """The answer of an authorization (Tokens §12.4.1)."""

    ALLOWED = "ALLOWED"
    BLOCKED = "BLOCKED"
    EXPIRED = "EXPIRED"
    NO_CREDIT = "NO_CREDIT"
    NOT_ALLOWED = "NOT_ALLOWED"  # valid, but not at this Location or EVSE


class EnergyContract(OcpiObject):
    """The driver's own energy supplier and contract (Tokens §12.4.2)."""

    supplier_name: String64
    contract_id: String64 | None = None


class LocationReferences(OcpiObject):
    """A Location and, optionally, some of its EVSEs (Tokens §12.4.3)."""

    location_id: CiString36 = Field(min_length=1)
    evse_uids: list[CiString36] | None = None


class Token(OcpiObject):
    """A driver's token as its eMSP issued it (Tokens §12.3.2)."""

    country_code: CiString2 = Field(min_length=2)
    party_id: CiString3 = Field(min_length=3)
    uid: CiString36 = Field(min_length=1)
    type: TokenType
    contract_id: CiString36 = Field(min_length=1)
    visual_number: String64 | None = None
    issuer: String64
    group_id: CiString36 | None = None
    valid: bool
    whitelist: WhitelistType
    language: String2 | None = None
    default_profile_type: ProfileType | None = None
    energy_contract: EnergyContract | None = None
    last_updated: OcpiDateTime


class AuthorizationInfo(OcpiObject):
    """The eMSP's answer to a real-time authorization (Tokens §12.3.1)."""

    allowed: AllowedType
    token: Token
    location: LocationReferences | None = None
    authorization_reference: CiString36 | None = None
    info: DisplayText | None = None
