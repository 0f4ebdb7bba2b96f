"""Tariffs Sender interface (CPO): our Tariffs, paginated (DIGEST §8.1)."""

from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from evroam.deps import LIST_PARAMETERS, exchange_for, list_lane, sender_list
from evroam.modules.tariffs import service
from evroam.protocol.envelope import Envelope
from evroam.settings import Role
from evroam.versions import VersionSpec

sender_exchange = exchange_for(Role.CPO)
build_sender_lane = list_lane(sender_exchange, service.list_own)


def build_sender_router(spec: VersionSpec) -> APIRouter:
    router = APIRouter(tags=["tariffs"])

    @router.get("", response_model=Envelope[list[dict[str, Any]]], openapi_extra=LIST_PARAMETERS)
    async def get_tariffs(request: Request) -> Response:
        """Our Tariffs, oldest first, with date_from/date_to/offset/limit
        (and the cursor our Link carries)."""
        return await sender_list(request, sender_exchange, service.list_own)

    return router
