"""Sessions Sender interface (CPO): our Sessions for their token owner, and charging
preferences (DIGEST §6.2). POST, PATCH and DELETE are not part of it (HTTP 405)."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from starlette.responses import Response

from evroam.deps import LIST_PARAMETERS, Exchange, PlatformDep, exchange_for, list_lane, sender_list
from evroam.modules.sessions import preferences, service
from evroam.modules.sessions.model import ChargingPreferences, ChargingPreferencesResponse
from evroam.protocol.envelope import Envelope, OcpiResponse
from evroam.settings import Role
from evroam.versions import VersionSpec

sender_exchange = exchange_for(Role.CPO)
SenderExchange = Annotated[Exchange, Depends(sender_exchange)]
build_sender_lane = list_lane(sender_exchange, service.list_own)
SessionId = Annotated[str, Path(min_length=1, max_length=36)]


def build_sender_router(spec: VersionSpec) -> APIRouter:
    router = APIRouter(tags=["sessions"])

    @router.get("", response_model=Envelope[list[dict[str, Any]]], openapi_extra=LIST_PARAMETERS)
    async def get_sessions(request: Request) -> Response:
        """The caller's Sessions (by token owner), oldest first; date_from is required."""
        return await sender_list(request, sender_exchange, service.list_own)

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
