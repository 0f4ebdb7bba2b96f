"""Sessions Sender interface (CPO): our Sessions for their token owner, and charging
preferences (DIGEST §6.2). POST, PATCH and DELETE are not part of it (HTTP 405)."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from starlette.responses import Response

from evroam.deps import Exchange, PageDep, PlatformDep, exchange_for
from evroam.modules.sessions import preferences, service
from evroam.modules.sessions.model import ChargingPreferences, ChargingPreferencesResponse
from evroam.protocol.envelope import Envelope, OcpiResponse
from evroam.protocol.pagination import text_page_response
from evroam.settings import Role
from evroam.versions import VersionSpec

SenderExchange = Annotated[Exchange, Depends(exchange_for(Role.CPO))]
SessionId = Annotated[str, Path(min_length=1, max_length=36)]


def build_sender_router(spec: VersionSpec) -> APIRouter:
    router = APIRouter(tags=["sessions"])

    @router.get("", response_model=Envelope[list[dict[str, Any]]])
    async def get_sessions(
        request: Request, page: PageDep, ex: SenderExchange, platform: PlatformDep
    ) -> Response:
        """The caller's Sessions (by token owner), oldest first; date_from is required."""
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

    @router.put(
        "/{session_id}/charging_preferences",
        response_model=Envelope[ChargingPreferencesResponse],
    )
    async def put_charging_preferences(
        session_id: SessionId, body: ChargingPreferences, ex: SenderExchange, platform: PlatformDep
    ) -> Response:
        """Set the driver's charging preferences of an ongoing session."""
        answer = await preferences.set_charging_preferences(platform, ex, session_id, body)
        return OcpiResponse(answer.value)

    return router
