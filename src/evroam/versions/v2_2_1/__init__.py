"""OCPI 2.2.1 (tag v2.2.1-d2): the version as plain data, bound to the version-free modules."""

from evroam.modules.credentials.routes import build_credentials_router
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
)

REQUIREMENTS: tuple[Requirement, ...] = (
    # Without it the partner cannot be updated or unregistered.
    Requirement(module="credentials", role=None),
)

SPEC = VersionSpec(
    number=VERSION,
    token_encoding=TokenEncoding.BASE64,
    endpoints=ENDPOINTS,
    requirements=REQUIREMENTS,
    credentials_model=credentials.Credentials,
)
