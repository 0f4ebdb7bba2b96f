"""Management: the partners and the state of each connection (tokens are never shown)."""

from typing import Any

from fastapi import APIRouter
from starlette.responses import Response

from evroam.deps import PlatformDep
from evroam.management.auth import Admin
from evroam.modules.credentials import service
from evroam.partners.model import describe
from evroam.protocol.envelope import Envelope, OcpiResponse

router = APIRouter(prefix="/partners", tags=["management"], dependencies=[Admin])


@router.get("", response_model=Envelope[list[dict[str, Any]]])
async def list_partners(platform: PlatformDep) -> Response:
    """Every partner: state, version, roles, endpoints and last contact."""
    return OcpiResponse([describe(p) for p in await service.list_partners(platform)])


@router.get("/{name}", response_model=Envelope[dict[str, Any]])
async def get_partner(name: str, platform: PlatformDep) -> Response:
    """One partner by name (404 when unknown)."""
    return OcpiResponse(describe(await service.get_partner(platform, name)))
