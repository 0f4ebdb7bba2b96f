"""OCPI-to/from routing headers (DIGEST §1.3, §2.3): parties, not platforms, are addressed.

Used on functional modules only; configuration modules (versions, credentials, hubclientinfo)
neither read nor send them.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass

from evroam.errors import InvalidParameters
from evroam.protocol.types import ci_key

TO_COUNTRY = "OCPI-to-country-code"
TO_PARTY = "OCPI-to-party-id"
FROM_COUNTRY = "OCPI-from-country-code"
FROM_PARTY = "OCPI-from-party-id"

_COUNTRY = re.compile(r"^[A-Za-z]{2}$")
_PARTY = re.compile(r"^[A-Za-z0-9]{3}$")


@dataclass(frozen=True)
class PartyRef:
    """A party address: country_code and party_id, compared case-insensitively."""

    country_code: str
    party_id: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "country_code", ci_key(self.country_code))
        object.__setattr__(self, "party_id", ci_key(self.party_id))

    def __str__(self) -> str:
        return f"{self.country_code}*{self.party_id}"


@dataclass(frozen=True)
class Routing:
    """The routing headers of one request: addressee and sender, either may be absent."""

    to: PartyRef | None
    from_: PartyRef | None


def parse_routing(headers: Mapping[str, str]) -> Routing:
    """Read the four headers (names case-insensitive); a half or malformed pair is 2001."""
    return Routing(
        to=_pair(headers, TO_COUNTRY, TO_PARTY),
        from_=_pair(headers, FROM_COUNTRY, FROM_PARTY),
    )


def _pair(headers: Mapping[str, str], country_header: str, party_header: str) -> PartyRef | None:
    country = headers.get(country_header) or headers.get(country_header.lower())
    party = headers.get(party_header) or headers.get(party_header.lower())
    if country is None and party is None:
        return None
    if country is None or party is None:
        raise InvalidParameters(f"{country_header} and {party_header} must be sent together")
    if not _COUNTRY.fullmatch(country.strip()) or not _PARTY.fullmatch(party.strip()):
        raise InvalidParameters(f"Malformed {country_header}/{party_header}")
    return PartyRef(country.strip(), party.strip())


def routing_headers(from_party: PartyRef, to_party: PartyRef | None) -> dict[str, str]:
    """Headers for a message from one party to another (to may be omitted: open routing)."""
    headers = {FROM_COUNTRY: from_party.country_code, FROM_PARTY: from_party.party_id}
    if to_party is not None:
        headers[TO_COUNTRY] = to_party.country_code
        headers[TO_PARTY] = to_party.party_id
    return headers
