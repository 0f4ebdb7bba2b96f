"""OCPI 2.1.1 (tag 2.1.1-d2): spoken at the edge, stored as 2.2.1 (ARCHITECTURE layer 1).

Version details carry no interface role and a connection carries one party, so a platform
speaks 2.1.1 when it hosts a single CPO or eMSP (`VersionSpec.serves`). 2.1.1 names the two
sides "CPO interface" and "eMSP interface"; our URLs say which (`/ocpi/2.1.1/cpo/locations`).
Only credentials has routes of its own here: every functional request is translated by
`edge.py` to the 2.2.1 interface of the same module and role and its answer translated back,
so both versions run the same services, checks and storage.
"""

from typing import TYPE_CHECKING

from evroam.partners.model import InterfaceRole
from evroam.protocol.auth import TokenEncoding
from evroam.settings import Role
from evroam.versions import EndpointSpec, Requirement, VersionSpec
from evroam.versions.v2_1_1 import credentials

if TYPE_CHECKING:
    from fastapi import APIRouter

    from evroam.partners.client import VersionEdge
    from evroam.partners.model import Partner
    from evroam.platform import Platform
    from evroam.protocol.context import ASGIApp

VERSION = "2.1.1"
CPO, EMSP = frozenset({Role.CPO}), frozenset({Role.EMSP})
SENDER, RECEIVER = InterfaceRole.SENDER, InterfaceRole.RECEIVER


def _credentials_router(spec: VersionSpec) -> "APIRouter":
    # imported when the app is built: the credentials service imports this package
    from evroam.modules.credentials.routes import build_credentials_router

    return build_credentials_router(spec)


def _edge(module: str, role: InterfaceRole, served_by: frozenset[Role]) -> EndpointSpec:
    side = "cpo" if served_by == CPO else "emsp"
    return EndpointSpec(
        module=module, role=role, path=f"{side}/{module}", served_by=served_by, build_router=None
    )


ENDPOINTS: tuple[EndpointSpec, ...] = (
    EndpointSpec(
        module="credentials",
        role=SENDER,
        path="credentials",
        served_by=CPO | EMSP,
        build_router=_credentials_router,
        functional=False,
    ),
    _edge("locations", SENDER, CPO),
    _edge("locations", RECEIVER, EMSP),
    _edge("tariffs", SENDER, CPO),
    _edge("tariffs", RECEIVER, EMSP),
    _edge("sessions", SENDER, CPO),
    _edge("sessions", RECEIVER, EMSP),
    _edge("cdrs", SENDER, CPO),
    _edge("cdrs", RECEIVER, EMSP),
    _edge("tokens", RECEIVER, CPO),
    _edge("tokens", SENDER, EMSP),
    _edge("commands", RECEIVER, CPO),
    _edge("commands", SENDER, EMSP),
)

REQUIREMENTS: tuple[Requirement, ...] = (
    Requirement(module="credentials", role=None),
    Requirement(module="locations", role=SENDER, ours=Role.EMSP, theirs=Role.CPO),
)

# The interface a 2.1.1 party's endpoint of each module is, by the party's role.
ROLE_OF_PEER_ENDPOINT: dict[str, dict[str, InterfaceRole]] = {
    "CPO": {
        "locations": SENDER,
        "tariffs": SENDER,
        "sessions": SENDER,
        "cdrs": SENDER,
        "tokens": RECEIVER,
        "commands": RECEIVER,
    },
    "EMSP": {
        "locations": RECEIVER,
        "tariffs": RECEIVER,
        "sessions": RECEIVER,
        "cdrs": RECEIVER,
        "tokens": SENDER,
        "commands": SENDER,
    },
}


def _middleware(app: "ASGIApp", *, max_body_bytes: int) -> "ASGIApp":
    from evroam.versions.v2_1_1.edge import LegacyEdge  # it serves through the whole app

    return LegacyEdge(app, max_body_bytes=max_body_bytes)


def _peer_edge(platform: "Platform", partner: "Partner") -> "VersionEdge":
    from evroam.versions.v2_1_1.peer import PeerEdge  # it reads the store

    return PeerEdge(platform, partner)


SPEC = VersionSpec(
    number=VERSION,
    token_encoding=TokenEncoding.RAW,
    endpoints=ENDPOINTS,
    requirements=REQUIREMENTS,
    credentials_model=credentials.Credentials,
    endpoint_roles=False,
    single_party=True,
    middleware=_middleware,
    peer_edge=_peer_edge,
    peer_endpoint_roles=ROLE_OF_PEER_ENDPOINT,
    unsupported_commands=frozenset({"CANCEL_RESERVATION"}),
    private_locations=False,
)
