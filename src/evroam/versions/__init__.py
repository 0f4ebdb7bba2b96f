"""Supported OCPI versions. A version is plain data: its number, token encoding and endpoint table.

This package is the only place where a version number appears; everything else asks it.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from evroam.partners.model import InterfaceRole
from evroam.protocol.auth import TokenEncoding
from evroam.settings import PartySettings, Role

if TYPE_CHECKING:
    from fastapi import APIRouter

    from evroam.protocol.lane import LaneRoute
    from evroam.settings import Settings


@dataclass(frozen=True)
class EndpointSpec:
    """One row of a version's endpoint table: a module interface we serve, and who serves it."""

    module: str
    role: InterfaceRole
    path: str
    served_by: frozenset[Role]
    # None: served by the version's edge, which translates to the version we store (v2_1_1)
    build_router: Callable[["VersionSpec"], "APIRouter"] | None
    functional: bool = True
    # The endpoint's requests answered on the fast lane, given its URL path (protocol/lane.py)
    build_lane: Callable[[str], list["LaneRoute"]] | None = None


@dataclass(frozen=True)
class Requirement:
    """An endpoint we need the partner to publish when our role meets theirs (None = any)."""

    module: str
    role: InterfaceRole | None
    ours: Role | None = None
    theirs: Role | None = None


@dataclass(frozen=True)
class VersionSpec:
    """What one OCPI version looks like to the rest of the platform."""

    number: str
    token_encoding: TokenEncoding
    endpoints: tuple[EndpointSpec, ...]
    requirements: tuple[Requirement, ...]
    credentials_model: Any  # the version's wire Credentials class (pydantic), see credentials.py
    # 2.2: endpoints carry their interface role. 2.1.1: no role, one party per connection
    endpoint_roles: bool = True
    single_party: bool = False
    # A version spoken by translation to and from the one we store (v2_1_1): the ASGI
    # middleware serving its peers, and the PartnerClient edge of our calls to them
    middleware: Callable[..., Any] | None = None
    peer_edge: Callable[[Any, Any], Any] | None = None  # (Platform, Partner) -> VersionEdge
    # A version without endpoint roles: which interface a peer's endpoint is, by its role
    peer_endpoint_roles: Mapping[str, Mapping[str, InterfaceRole]] | None = None
    unsupported_commands: frozenset[str] = frozenset()  # CommandTypes the version lacks
    # Whether a peer can be told a Location is unpublished (2.2: publish, publish_allowed_to)
    private_locations: bool = True

    @property
    def key(self) -> tuple[int, ...]:
        return version_key(self.number)

    def path_of(self, endpoint: EndpointSpec) -> str:
        """The URL path (below the public URL) where this version serves the endpoint."""
        return f"/ocpi/{self.number}/{endpoint.path}"

    def serves(self, parties: "Iterable[PartySettings]") -> bool:
        """Whether a platform hosting these parties can speak this version: a version without
        endpoint roles carries one party, a CPO or an eMSP (its only roles)."""
        if not self.single_party:
            return True
        hosted = list(parties)
        return len(hosted) == 1 and hosted[0].role in (Role.CPO, Role.EMSP)

    def endpoint(self, module: str, role: InterfaceRole) -> EndpointSpec | None:
        return next((e for e in self.endpoints if e.module == module and e.role == role), None)

    def endpoints_for(self, local_roles: Iterable[Role]) -> list[EndpointSpec]:
        """The endpoint rows this platform serves, given the roles of its local parties."""
        roles = set(local_roles)
        return [e for e in self.endpoints if e.served_by & roles]

    def required_from(
        self, local_roles: Iterable[Role], remote_roles: Iterable[str] | None
    ) -> list[Requirement]:
        """What the partner must publish; with remote_roles None only role-independent needs."""
        ours = set(local_roles)
        theirs = None if remote_roles is None else set(remote_roles)
        needed = []
        for req in self.requirements:
            if req.ours is not None and req.ours not in ours:
                continue
            if req.theirs is not None and (theirs is None or req.theirs not in theirs):
                continue
            needed.append(req)
        return needed


def version_key(number: str) -> tuple[int, ...]:
    """Order version numbers numerically: 2.1.1 < 2.2 < 2.2.1 < 2.10."""
    try:
        return tuple(int(part) for part in number.split("."))
    except ValueError:
        return (0,)


def supported() -> list[VersionSpec]:
    """Every version this build serves, newest first."""
    from evroam.versions import v2_1_1, v2_2_1

    return sorted([v2_2_1.SPEC, v2_1_1.SPEC], key=lambda s: s.key, reverse=True)


def offered(settings: "Settings") -> list[VersionSpec]:
    """The versions one platform offers partners, newest first: those its settings name
    (`versions`) that can carry its parties."""
    parties = settings.require_parties()
    return [s for s in supported() if s.number in settings.versions and s.serves(parties)]


def by_number(number: str) -> VersionSpec | None:
    return next((s for s in supported() if s.number == number), None)


COUNTERPART = {"CPO": "EMSP", "EMSP": "CPO"}


def counterpart_of(roles: set[str]) -> str | None:
    """The role a partner plays where a version names none (2.1.1: one party a side, a CPO
    talking to an eMSP and back); None when the platform is not one CPO or one eMSP."""
    if len(roles) != 1:
        return None
    return COUNTERPART.get(next(iter(roles)))
