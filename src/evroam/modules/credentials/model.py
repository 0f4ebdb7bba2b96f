"""The version-neutral credentials object: the token the other side uses to call its owner."""

from dataclasses import dataclass, field

from evroam.partners.model import PartyRole


@dataclass
class Credentials:
    token: str = field(repr=False)
    url: str
    roles: list[PartyRole]
