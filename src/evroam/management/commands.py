"""Management: commands sent to CPO partners (eMSP), sent and followed over JSON.

Operator and helpdesk only (admin token): this is also the only way besides the CLI to send
UNLOCK_CONNECTOR, which a driver must never trigger (Commands §13.3.6, CONFORMANCE K.323).
"""

from typing import Annotated, Any

from fastapi import APIRouter, Body
from pydantic import BaseModel, Field
from starlette.responses import Response

from evroam.deps import PlatformDep
from evroam.errors import EvroamError, InvalidParameters, NotFound
from evroam.management.auth import Admin
from evroam.management.locations import Limit, Listing, Offset
from evroam.modules.commands import sending
from evroam.modules.commands.compose import compose
from evroam.modules.commands.model import CommandType
from evroam.modules.locations.publish import parse_party
from evroam.protocol.envelope import Envelope, OcpiResponse
from evroam.protocol.routing import PartyRef

router = APIRouter(prefix="/commands", tags=["management"], dependencies=[Admin])


class CommandRequest(BaseModel):
    """A command for a CPO partner: the OCPI command object without response_url."""

    partner: str = Field(description="The partner's name (`evroam partner list`).")
    type: CommandType
    command: dict[str, Any] = Field(
        description="The fields of the command; `token` may be given as {uid, type} only."
    )
    cpo: str | None = Field(default=None, description="The CPO party, COUNTRY*PARTY.")
    party: str | None = Field(default=None, description="Our eMSP party, COUNTRY*PARTY.")
    wait: bool = Field(default=False, description="Answer only once the result is final.")


def _party(text: str | None) -> PartyRef | None:
    try:
        return PartyRef(*parse_party(text)) if text else None
    except EvroamError as exc:
        raise InvalidParameters(str(exc)) from exc


@router.post("", response_model=Envelope[sending.SentCommand])
async def post_command(platform: PlatformDep, body: Annotated[CommandRequest, Body()]) -> Response:
    """Send a command; with `wait`, answer its final result (or TIMEOUT at the deadline)."""
    party = _party(body.party)
    command = compose(platform, body.type, body.command, party)
    sent = await sending.send_command(
        platform, body.partner, command, cpo=_party(body.cpo), party=party
    )
    if body.wait:
        sent = await sending.wait_for_result(platform, sent.id)
    return OcpiResponse(sent)


@router.get("", response_model=Envelope[Listing[sending.SentCommand]])
async def list_commands(platform: PlatformDep, offset: Offset = 0, limit: Limit = 50) -> Response:
    """The commands we sent, newest first, with their total."""
    found, total = await sending.list_sent(platform, offset=offset, limit=limit)
    return OcpiResponse(Listing(total=total, offset=offset, limit=limit, items=found))


@router.get("/{command_id}", response_model=Envelope[sending.SentCommand])
async def get_command(command_id: str, platform: PlatformDep) -> Response:
    """One command we sent: its answer, result (and every result received), deadline."""
    try:
        return OcpiResponse(await sending.get_sent(platform, command_id))
    except EvroamError as exc:
        raise NotFound(str(exc)) from exc
