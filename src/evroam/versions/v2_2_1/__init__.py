"""OCPI 2.2.1 (tag v2.2.1-d2): the version as plain data, bound to the version-free modules."""

from evroam.modules.cdrs import receiver as cdrs_receiver
from evroam.modules.cdrs import sender as cdrs_sender
from evroam.modules.commands import receiver as commands_receiver
from evroam.modules.commands import sender as commands_sender
from evroam.modules.credentials.routes import build_credentials_router
from evroam.modules.locations import lane as locations_lane
from evroam.modules.locations import receiver as locations_receiver
from evroam.modules.locations import sender as locations_sender
from evroam.modules.sessions import lane as sessions_lane
from evroam.modules.sessions import receiver as sessions_receiver
from evroam.modules.sessions import sender as sessions_sender
from evroam.modules.tariffs import receiver as tariffs_receiver
from evroam.modules.tariffs import sender as tariffs_sender
from evroam.modules.tokens import lane as tokens_lane
from evroam.modules.tokens import receiver as tokens_receiver
from evroam.modules.tokens import sender as tokens_sender
from evroam.partners.model import InterfaceRole
from evroam.protocol.auth import TokenEncoding
from evroam.settings import Role
from evroam.versions import EndpointSpec, Requirement, VersionSpec
from evroam.versions.v2_2_1 import credentials

VERSION = "2.2.1"
ALL_ROLES = frozenset(Role)

ENDPOINTS: tuple[EndpointSpec, ...] = (
    # credentials is published once, as SENDER (its role is meaningless; CONFORMANCE C.77).
    EndpointSpec(
        module="credentials",
        role=InterfaceRole.SENDER,
        path="credentials",
        served_by=ALL_ROLES,
        build_router=build_credentials_router,
        functional=False,
    ),
    EndpointSpec(
        module="locations",
        role=InterfaceRole.SENDER,
        path="sender/locations",
        served_by=frozenset({Role.CPO}),
        build_router=locations_sender.build_sender_router,
        build_lane=locations_sender.build_sender_lane,
    ),
    EndpointSpec(
        module="locations",
        role=InterfaceRole.RECEIVER,
        path="receiver/locations",
        served_by=frozenset({Role.EMSP, Role.NSP}),
        build_router=locations_receiver.build_receiver_router,
        build_lane=locations_lane.build_receiver_lane,
    ),
    EndpointSpec(
        module="tariffs",
        role=InterfaceRole.SENDER,
        path="sender/tariffs",
        served_by=frozenset({Role.CPO}),
        build_router=tariffs_sender.build_sender_router,
        build_lane=tariffs_sender.build_sender_lane,
    ),
    EndpointSpec(
        module="tariffs",
        role=InterfaceRole.RECEIVER,
        path="receiver/tariffs",
        served_by=frozenset({Role.EMSP, Role.NSP}),
        build_router=tariffs_receiver.build_receiver_router,
    ),
    EndpointSpec(
        module="commands",
        role=InterfaceRole.RECEIVER,
        path="receiver/commands",
        served_by=frozenset({Role.CPO}),
        build_router=commands_receiver.build_receiver_router,
    ),
    EndpointSpec(
        module="commands",
        role=InterfaceRole.SENDER,
        path="sender/commands",
        served_by=frozenset({Role.EMSP}),
        build_router=commands_sender.build_sender_router,
    ),
    # Tokens: the eMSP owns the data, so it serves the Sender (DIGEST §9).
    EndpointSpec(
        module="tokens",
        role=InterfaceRole.SENDER,
        path="sender/tokens",
        served_by=frozenset({Role.EMSP}),
        build_router=tokens_sender.build_sender_router,
        build_lane=tokens_lane.build_sender_lane,
    ),
    EndpointSpec(
        module="tokens",
        role=InterfaceRole.RECEIVER,
        path="receiver/tokens",
        served_by=frozenset({Role.CPO}),
        build_router=tokens_receiver.build_receiver_router,
    ),
    EndpointSpec(
        module="sessions",
        role=InterfaceRole.SENDER,
        path="sender/sessions",
        served_by=frozenset({Role.CPO}),
        build_router=sessions_sender.build_sender_router,
        build_lane=sessions_sender.build_sender_lane,
    ),
    EndpointSpec(
        module="sessions",
        role=InterfaceRole.RECEIVER,
        path="receiver/sessions",
        served_by=frozenset({Role.EMSP}),
        build_router=sessions_receiver.build_receiver_router,
        build_lane=sessions_lane.build_receiver_lane,
    ),
    EndpointSpec(
        module="cdrs",
        role=InterfaceRole.SENDER,
        path="sender/cdrs",
        served_by=frozenset({Role.CPO}),
        build_router=cdrs_sender.build_sender_router,
        build_lane=cdrs_sender.build_sender_lane,
    ),
    EndpointSpec(
        module="cdrs",
        role=InterfaceRole.RECEIVER,
        path="receiver/cdrs",
        served_by=frozenset({Role.EMSP}),
        build_router=cdrs_receiver.build_receiver_router,
    ),
)

REQUIREMENTS: tuple[Requirement, ...] = (
    # Without it the partner cannot be updated or unregistered.
    Requirement(module="credentials", role=None),
    # An eMSP must be able to pull a CPO's Locations: the Sender interface is mandatory (§1.8).
    Requirement(module="locations", role=InterfaceRole.SENDER, ours=Role.EMSP, theirs=Role.CPO),
)

SPEC = VersionSpec(
    number=VERSION,
    token_encoding=TokenEncoding.BASE64,
    endpoints=ENDPOINTS,
    requirements=REQUIREMENTS,
    credentials_model=credentials.Credentials,
)
