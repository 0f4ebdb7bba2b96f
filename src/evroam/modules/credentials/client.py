"""Outbound calls of the versions and credentials modules, version-neutral.

Each function names what goes over the wire. Parsing is tolerant (unknown fields, a missing
`role` on 2.1.1 endpoints, trailing slashes); anything unusable is a PartnerProtocolError.
"""

from dataclasses import dataclass
from typing import Any

from evroam.errors import PartnerProtocolError
from evroam.modules.credentials.model import Credentials
from evroam.partners.client import PartnerClient
from evroam.partners.model import Endpoint, InterfaceRole
from evroam.versions import VersionSpec, version_key


@dataclass(frozen=True)
class VersionOffer:
    version: str
    url: str


async def fetch_versions(client: PartnerClient, versions_url: str) -> list[VersionOffer]:
    """GET {versions_url}: the versions the partner offers."""
    answer = await client.get(versions_url)
    if not isinstance(answer.data, list) or not answer.data:
        raise PartnerProtocolError("Versions answer has no list of versions", url=versions_url)
    offers = []
    for item in answer.data:
        if (
            isinstance(item, dict)
            and isinstance(item.get("version"), str)
            and isinstance(item.get("url"), str)
        ):
            offers.append(VersionOffer(item["version"], item["url"]))
    if not offers:
        raise PartnerProtocolError("Versions answer lists no usable version", url=versions_url)
    return offers


async def fetch_version_details(client: PartnerClient, url: str) -> list[Endpoint]:
    """GET {version_url}: the partner's endpoints for one version."""
    answer = await client.get(url)
    data = answer.data
    if not isinstance(data, dict) or not isinstance(data.get("endpoints"), list):
        raise PartnerProtocolError("Version details have no endpoints list", url=url)
    endpoints = [_endpoint(item) for item in data["endpoints"]]
    return [e for e in endpoints if e is not None]


def _endpoint(item: Any) -> Endpoint | None:
    if not isinstance(item, dict):
        return None
    identifier, url, role = item.get("identifier"), item.get("url"), item.get("role")
    if not isinstance(identifier, str) or not isinstance(url, str):
        return None
    # The role of `credentials` is meaningless and ignored (CONFORMANCE C.78).
    known = role in (InterfaceRole.SENDER, InterfaceRole.RECEIVER) and identifier != "credentials"
    return Endpoint(identifier, InterfaceRole(str(role)) if known else None, url)


def highest_mutual(
    offers: list[VersionOffer], ours: list[VersionSpec]
) -> tuple[VersionSpec, VersionOffer] | None:
    """The highest version both sides support (CONFORMANCE D.108)."""
    theirs = {offer.version: offer for offer in offers}
    for spec in sorted(ours, key=lambda s: version_key(s.number), reverse=True):
        if spec.number in theirs:
            return spec, theirs[spec.number]
    return None


def parse_credentials(
    spec: VersionSpec, data: Any, *, url: str, counterpart: str | None = None
) -> Credentials:
    """The partner's Credentials object from an answer's data, in the version's wire shape
    (`counterpart`: the partner's role where the version names none, 2.1.1)."""
    try:
        wire = spec.credentials_model.model_validate(data)
        credentials: Credentials = wire.to_domain(counterpart)
    except ValueError as exc:
        raise PartnerProtocolError(f"Invalid credentials object: {exc}", url=url) from exc
    return credentials


def dump_credentials(spec: VersionSpec, credentials: Credentials) -> dict[str, Any]:
    wire = spec.credentials_model.from_domain(credentials)
    dumped: dict[str, Any] = wire.model_dump(mode="json", exclude_none=True)
    return dumped


async def post_credentials(
    client: PartnerClient,
    spec: VersionSpec,
    url: str,
    ours: Credentials,
    counterpart: str | None = None,
) -> Credentials:
    answer = await client.post(url, dump_credentials(spec, ours))
    return parse_credentials(spec, answer.data, url=url, counterpart=counterpart)


async def put_credentials(
    client: PartnerClient,
    spec: VersionSpec,
    url: str,
    ours: Credentials,
    counterpart: str | None = None,
) -> Credentials:
    answer = await client.put(url, dump_credentials(spec, ours))
    return parse_credentials(spec, answer.data, url=url, counterpart=counterpart)


async def delete_credentials(client: PartnerClient, url: str) -> None:
    await client.delete(url)
