"""Tariffs Sender interface (CPO): our Tariffs, paginated (DIGEST §8.1)."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from evroam.deps import Exchange, PageDep, PlatformDep, exchange_for
from evroam.modules.tariffs import service
from evroam.protocol.envelope import Envelope
from evroam.protocol.pagination import text_page_response
from evroam.settings import Role
from evroam.versions import VersionSpec

SenderExchange = Annotated[Exchange, Depends(exchange_for(Role.CPO))]


def build_sender_router(spec: VersionSpec) -> APIRouter:
    router = APIRouter(tags=["tariffs"])

    @router.get("", response_model=Envelope[list[dict[str, Any]]])
    async def get_tariffs(
        request: Request, page: PageDep, ex: SenderExchange, platform: PlatformDep
    ) -> Response:
        """Our Tariffs, oldest first, with date_from/date_to/offset/limit
        (and the cursor our Link carries)."""
        found = await service.list_own(platform, ex, page)
        return text_page_response(
            public_url=platform.settings.public_url,
            path=request.url.path,
            query=request.url.query,
            page=page,
            data=found.data,
            returned=found.returned,
            total=found.total,
            end=found.end,
        )

    return router
