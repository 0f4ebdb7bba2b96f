"""What a functional-module request is between: the caller and our party it addressed.

Kept apart from `evroam.deps` (FastAPI dependencies) so services, and the CLI that uses them,
do not import the web framework.
"""

from dataclasses import dataclass

from evroam.partners.auth import Caller
from evroam.partners.model import Partner, PartyRole
from evroam.settings import PartySettings


@dataclass(frozen=True)
class Exchange:
    """A functional-module request resolved to parties: our addressed party and the sender."""

    caller: Caller
    local: PartySettings
    remote: PartyRole | None
    addressed: bool = False  # the request named our party in OCPI-to-*

    @property
    def partner(self) -> Partner:
        return self.caller.partner
