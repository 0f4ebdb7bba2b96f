"""Versions and credentials endpoints (Versions chapter 6, Credentials chapter 7).

Configuration modules: no routing headers are read or sent. Token A reaches these only.
"""

from typing import Any

from fastapi import APIRouter
from starlette.responses import Response

from evroam.deps import CredentialsCaller, PlatformDep, VersionsCaller
from evroam.errors import NotFound
from evroam.modules.credentials import service
from evroam.platform import Platform
from evroam.protocol.envelope import Envelope, OcpiResponse
from evroam.versions import VersionSpec, counterpart_of, offered


def build_versions_router() -> APIRouter:
    """GET {versions_url}: every version we serve."""
    router = APIRouter(tags=["versions"])

    @router.get("/versions", response_model=Envelope[list[dict[str, str]]])
    async def get_versions(caller: VersionsCaller, platform: PlatformDep) -> Response:
        """The OCPI versions this platform supports, with their version-details URLs."""
        data = [
            {"version": s.number, "url": platform.version_url(s)}
            for s in offered(platform.settings)
        ]
        return OcpiResponse(data)

    return router


def build_version_details_router(spec: VersionSpec) -> APIRouter:
    """GET {version_url}: the endpoints of one version, generated from its endpoint table."""
    router = APIRouter(tags=["versions"])

    @router.get("", response_model=Envelope[dict[str, Any]], name=f"version_details_{spec.number}")
    async def get_version_details(caller: VersionsCaller, platform: PlatformDep) -> Response:
        """Every module interface we serve in this version, with its role (2.2) and URL."""
        check_offered(platform, spec)
        base = platform.version_url(spec)
        endpoints = [
            {"identifier": e.module, "role": e.role.value, "url": f"{base}/{e.path}"}
            for e in spec.endpoints_for(platform.local_roles)
        ]
        if not spec.endpoint_roles:
            endpoints = [{k: v for k, v in e.items() if k != "role"} for e in endpoints]
        return OcpiResponse({"version": spec.number, "endpoints": endpoints})

    return router


def build_credentials_router(spec: VersionSpec) -> APIRouter:
    """GET / POST / PUT / DELETE {credentials_url} for one version."""
    router = APIRouter(tags=["credentials"])
    model = spec.credentials_model

    def offered_by(platform: Platform, body: Any) -> Any:
        check_offered(platform, spec)
        return body.to_domain(counterpart_of({r.value for r in platform.local_roles}))

    @router.get("", response_model=Envelope[dict[str, Any]])
    async def get_credentials(caller: CredentialsCaller, platform: PlatformDep) -> Response:
        """Our credentials as seen by the caller: the token it uses to call us."""
        check_offered(platform, spec)
        return OcpiResponse(model.from_domain(platform.credentials(caller.token)))

    @router.post("", response_model=Envelope[dict[str, Any]])
    async def post_credentials(
        body: model,  # type: ignore[valid-type]
        caller: CredentialsCaller,
        platform: PlatformDep,
    ) -> Response:
        """Register: we fetch your versions with your token, then answer with our token C."""
        ours = await service.accept_registration(platform, caller, offered_by(platform, body), spec)
        return OcpiResponse(model.from_domain(ours))

    @router.put("", response_model=Envelope[dict[str, Any]])
    async def put_credentials(
        body: model,  # type: ignore[valid-type]
        caller: CredentialsCaller,
        platform: PlatformDep,
    ) -> Response:
        """Update: we re-fetch your endpoints, switch to this version and issue a new token."""
        ours = await service.accept_update(platform, caller, offered_by(platform, body), spec)
        return OcpiResponse(model.from_domain(ours))

    @router.delete("", response_model=Envelope[None])
    async def delete_credentials(caller: CredentialsCaller, platform: PlatformDep) -> Response:
        """Unregister: every token of this connection becomes void."""
        check_offered(platform, spec)
        await service.accept_unregistration(platform, caller)
        return OcpiResponse()

    return router


def check_offered(platform: Platform, spec: VersionSpec) -> None:
    """A version this platform does not offer (settings, or its parties) has no endpoints."""
    if spec not in offered(platform.settings):
        raise NotFound(f"OCPI {spec.number} is not offered here; GET /ocpi/versions lists ours")
