"""CDRs Sender interface (CPO): our CDRs for their token owner, paginated (DIGEST §7.3)."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from evroam.deps import LIST_PARAMETERS, Exchange, exchange_for, list_lane, sender_list
from evroam.modules.cdrs import service
from evroam.protocol.envelope import Envelope
from evroam.settings import Role
from evroam.versions import VersionSpec

sender_exchange = exchange_for(Role.CPO)
SenderExchange = Annotated[Exchange, Depends(sender_exchange)]
build_sender_lane = list_lane(sender_exchange, service.list_own)


def build_sender_router(spec: VersionSpec) -> APIRouter:
    router = APIRouter(tags=["cdrs"])

    @router.get("", response_model=Envelope[list[dict[str, Any]]], openapi_extra=LIST_PARAMETERS)
    async def get_cdrs(request: Request) -> Response:
        """The caller's CDRs (by token owner), oldest first; last_updated is creation time."""
        return await sender_list(request, sender_exchange, service.list_own)

    return router
