"""Commands Receiver interface (CPO): POST `/{command}` (DIGEST §10.2). GET, PUT, PATCH and
DELETE are not part of the interface: HTTP 405 (CONFORMANCE K.324)."""

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Path
from starlette.responses import Response

from evroam.deps import Exchange, PlatformDep, exchange_for
from evroam.errors import MethodNotAllowed
from evroam.modules.commands import service
from evroam.modules.commands.model import CommandResponse
from evroam.protocol.envelope import Envelope, OcpiResponse
from evroam.settings import Role
from evroam.versions import VersionSpec

ReceiverExchange = Annotated[Exchange, Depends(exchange_for(Role.CPO))]
CommandName = Annotated[
    str, Path(max_length=30, description="START_SESSION, STOP_SESSION, RESERVE_NOW, …")
]
NOT_AVAILABLE = ["GET", "PUT", "PATCH", "DELETE"]


def build_receiver_router(spec: VersionSpec) -> APIRouter:
    router = APIRouter(tags=["commands"])

    @router.post("/{command}", response_model=Envelope[CommandResponse])
    async def post_command(
        command: CommandName,
        body: Annotated[Any, Body(description="The command object matching {command}.")],
        ex: ReceiverExchange,
        platform: PlatformDep,
    ) -> Response:
        """Whether we can forward the command, and within how many seconds its result will be
        POSTed to its response_url."""
        reply = await service.answer_command(platform, ex, command, body)
        return OcpiResponse(reply.response, status_code=reply.status_code)

    @router.api_route("", methods=[*NOT_AVAILABLE, "POST"], include_in_schema=False)
    @router.api_route("/{command}", methods=NOT_AVAILABLE, include_in_schema=False)
    async def not_available() -> Response:
        raise MethodNotAllowed("The commands Receiver only takes POST /{command}")

    return router
