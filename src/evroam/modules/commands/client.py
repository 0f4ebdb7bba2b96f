"""Outbound Commands calls: a CommandResult to an eMSP's response_url (CPO, via the outbox),
and a command to a CPO's Receiver (eMSP)."""

from typing import Any

from pydantic import ValidationError
from sqlalchemy import update

from evroam.errors import EvroamError, PartnerError, PartnerProtocolError
from evroam.modules.commands.model import CommandResponse, CommandResult, CommandType, english
from evroam.modules.commands.repository import command_callbacks, commands_received, row
from evroam.partners.client import PartnerClient, join_url
from evroam.partners.model import InterfaceRole, Partner
from evroam.platform import Platform
from evroam.protocol.routing import PartyRef, routing_headers
from evroam.protocol.timestamps import utc_now
from evroam.push.worker import Claimed, Rejected, rejection

DEFAULT_TIMEOUT = 30  # seconds, when a CPO's CommandResponse names none usable


async def deliver_command_result(
    platform: Platform, client: PartnerClient, partner: Partner, claimed: Claimed
) -> None:
    """POST one owed CommandResult to its command's response_url (the outbox deliverer)."""
    async with platform.sessions() as session:
        callback = await row(session, command_callbacks, claimed.object_id)
        command = callback and await row(session, commands_received, callback["command_id"])
    if not callback or not command:
        return  # the command was removed with its partner: nothing is owed any more
    result = CommandResult(result=callback["result"], message=english(callback["message"]))
    ours = PartyRef(command["cpo_country_code"], command["cpo_party_id"])
    headers = routing_headers(ours, PartyRef(command["country_code"], command["party_id"]))
    body = result.model_dump(mode="json", exclude_none=True)
    if client.edge is not None:  # a partner on another version (2.1.1: a CommandResponse)
        body = client.edge.command_result(body)
    try:
        await client.request("POST", command["response_url"], json_body=body, headers=headers)
    except PartnerError as exc:
        if rejection(exc):  # the eMSP does not know the command: retrying will not help
            raise Rejected(str(exc)) from exc
        raise
    async with platform.unit_of_work() as session:
        await session.execute(
            update(command_callbacks)
            .where(command_callbacks.c.id == callback["id"])
            .values(delivered_at=utc_now())
        )


async def post_command(
    platform: Platform,
    partner: Partner,
    *,
    kind: CommandType,
    body: dict[str, Any],
    parties: tuple[PartyRef, PartyRef],
) -> CommandResponse:
    """POST the command to the partner's commands Receiver; its synchronous answer."""
    endpoint = partner.endpoint("commands", InterfaceRole.RECEIVER)
    if endpoint is None:
        raise EvroamError(
            f"{partner.name} publishes no commands Receiver interface: it cannot take commands"
            " (`evroam partner show` lists its endpoints)."
        )
    ours, theirs = parties
    async with platform.client_for(partner) as client:
        answer = await client.request(
            "POST",
            join_url(endpoint.url, kind.value),
            json_body=body,
            headers=routing_headers(ours, theirs),
        )
    return read_response(answer.data, url=endpoint.url)


def read_response(data: Any, *, url: str) -> CommandResponse:
    """The CommandResponse, tolerating a missing or non-positive timeout (then ours)."""
    if isinstance(data, dict) and not (
        isinstance(data.get("timeout"), int) and data["timeout"] > 0
    ):
        data = data | {"timeout": DEFAULT_TIMEOUT}
    try:
        return CommandResponse.model_validate(data)
    except ValidationError as exc:
        raise PartnerProtocolError("The answer is not a CommandResponse", url=url) from exc
