"""Commands Sender interface (eMSP): the response_urls we generate, `POST /{command}/{uid}`,
where CPOs POST CommandResults (DIGEST §10.2). Answered 1000 without data (K.308)."""

from typing import Annotated

from fastapi import APIRouter, Depends, Path
from starlette.responses import Response

from evroam.deps import Exchange, PlatformDep, exchange_for
from evroam.errors import MethodNotAllowed
from evroam.modules.commands import results
from evroam.modules.commands.model import CommandResult
from evroam.protocol.envelope import Envelope, OcpiResponse
from evroam.settings import Role
from evroam.versions import VersionSpec

SenderExchange = Annotated[Exchange, Depends(exchange_for(Role.EMSP))]
CommandName = Annotated[str, Path(max_length=30)]
CommandUid = Annotated[str, Path(max_length=36)]
NOT_AVAILABLE = ["GET", "PUT", "PATCH", "DELETE"]


def build_sender_router(spec: VersionSpec) -> APIRouter:
    router = APIRouter(tags=["commands"])

    @router.post("/{command}/{uid}", response_model=Envelope[None])
    async def post_command_result(
        command: CommandName,
        uid: CommandUid,
        body: CommandResult,
        ex: SenderExchange,
        platform: PlatformDep,
    ) -> Response:
        """The charge point's result of a command we sent (only from the partner we sent it
        to; 404 for any other)."""
        await results.receive_result(platform, ex, command, uid, body)
        return OcpiResponse()

    @router.api_route("/{command}/{uid}", methods=NOT_AVAILABLE, include_in_schema=False)
    async def not_available() -> Response:
        raise MethodNotAllowed("Only POST of a CommandResult is accepted here")

    return router
