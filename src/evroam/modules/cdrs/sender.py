"""CDRs Sender interface (CPO): our CDRs for their token owner, paginated (DIGEST §7.3)."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from evroam.deps import Exchange, PageDep, PlatformDep, exchange_for
from evroam.modules.cdrs import service
from evroam.protocol.envelope import Envelope
from evroam.protocol.pagination import text_page_response
from evroam.settings import Role
from evroam.versions import VersionSpec

SenderExchange = Annotated[Exchange, Depends(exchange_for(Role.CPO))]


def build_sender_router(spec: VersionSpec) -> APIRouter:
    router = APIRouter(tags=["cdrs"])

    @router.get("", response_model=Envelope[list[dict[str, Any]]])
    async def get_cdrs(
        request: Request, page: PageDep, ex: SenderExchange, platform: PlatformDep
    ) -> Response:
        """The caller's CDRs (by token owner), oldest first; last_updated is creation time."""
        found = await service.list_own(platform, ex, page)
        return text_page_response(
            public_url=platform.settings.public_url,
            path=request.url.path,
            query=request.url.query,
            page=page,
            documents=found.documents,
            total=found.total,
            end=found.end,
        )

    return router
