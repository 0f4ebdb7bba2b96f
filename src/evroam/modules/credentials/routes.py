"""Versions and credentials endpoints (Versions chapter 6, Credentials chapter 7).

Configuration modules: no routing headers are read or sent. Token A reaches these only.
"""

from typing import Any

from fastapi import APIRouter
from starlette.responses import Response

from evroam.deps import CredentialsCaller, PlatformDep, VersionsCaller
from evroam.modules.credentials import service
from evroam.protocol.envelope import Envelope, OcpiResponse
from evroam.versions import VersionSpec, supported


def build_versions_router() -> APIRouter:
    """GET {versions_url}: every version we serve."""
    router = APIRouter(tags=["versions"])

    @router.get("/versions", response_model=Envelope[list[dict[str, str]]])
    async def get_versions(caller: VersionsCaller, platform: PlatformDep) -> Response:
        """The OCPI versions this platform supports, with their version-details URLs."""
        data = [{"version": s.number, "url": platform.version_url(s)} for s in supported()]
        return OcpiResponse(data)

    return router


def build_version_details_router(spec: VersionSpec) -> APIRouter:
    """GET {version_url}: the endpoints of one version, generated from its endpoint table."""
    router = APIRouter(tags=["versions"])

    @router.get("", response_model=Envelope[dict[str, Any]], name=f"version_details_{spec.number}")
    async def get_version_details(caller: VersionsCaller, platform: PlatformDep) -> Response:
        """Every module interface we serve in this version, with its role and URL."""
        base = platform.version_url(spec)
        endpoints = [
            {"identifier": e.module, "role": e.role.value, "url": f"{base}/{e.path}"}
            for e in spec.endpoints_for(platform.local_roles)
        ]
        return OcpiResponse({"version": spec.number, "endpoints": endpoints})

    return router


def build_credentials_router(spec: VersionSpec) -> APIRouter:
    """GET / POST / PUT / DELETE {credentials_url} for one version."""
    router = APIRouter(tags=["credentials"])
    model = spec.credentials_model

    @router.get("", response_model=Envelope[dict[str, Any]])
    async def get_credentials(caller: CredentialsCaller, platform: PlatformDep) -> Response:
        """Our credentials as seen by the caller: the token it uses to call us."""
        return OcpiResponse(model.from_domain(platform.credentials(caller.token)))

    @router.post("", response_model=Envelope[dict[str, Any]])
    async def post_credentials(
        body: model,  # type: ignore[valid-type]
        caller: CredentialsCaller,
        platform: PlatformDep,
    ) -> Response:
        """Register: we fetch your versions with your token, then answer with our token C."""
        offered = body.to_domain()  # type: ignore[attr-defined]
        ours = await service.accept_registration(platform, caller, offered, spec)
        return OcpiResponse(model.from_domain(ours))

    @router.put("", response_model=Envelope[dict[str, Any]])
    async def put_credentials(
        body: model,  # type: ignore[valid-type]
        caller: CredentialsCaller,
        platform: PlatformDep,
    ) -> Response:
        """Update: we re-fetch your endpoints, switch to this version and issue a new token."""
        offered = body.to_domain()  # type: ignore[attr-defined]
        ours = await service.accept_update(platform, caller, offered, spec)
        return OcpiResponse(model.from_domain(ours))

    @router.delete("", response_model=Envelope[None])
    async def delete_credentials(caller: CredentialsCaller, platform: PlatformDep) -> Response:
        """Unregister: every token of this connection becomes void."""
        await service.accept_unregistration(platform, caller)
        return OcpiResponse()

    return router
