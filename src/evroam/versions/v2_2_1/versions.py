"""OCPI 2.2.1 Versions module wire models (chapter 6)."""

from pydantic import Field

from evroam.partners.model import InterfaceRole
from evroam.protocol.types import URL
from evroam.versions.v2_2_1.types import Wire


class Version(Wire):
    version: str = Field(max_length=10)
    url: URL


class Endpoint(Wire):
    identifier: str = Field(max_length=40)
    role: InterfaceRole
    url: URL


class VersionDetails(Wire):
    version: str = Field(max_length=10)
    endpoints: list[Endpoint] = Field(min_length=1)
