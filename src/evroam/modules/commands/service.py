"""CPO Receiver rules: the synchronous answer to a command (2.2.1 Commands §13.1; DIGEST §10).

The answer says whether we understood the command and can forward it, with the timeout the
result will come within (K.299, K.300). Only an ACCEPTED command is stored for execution and
gets a result later (K.306, K.307). The command's token is never authorized in real time nor
stored (K.310-K.312, K.316): it goes to the charge point as the Session's token.
"""

import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from evroam.errors import InvalidParameters
from evroam.exchange import Exchange
from evroam.modules.commands import checks
from evroam.modules.commands.execution import execute
from evroam.modules.commands.model import (
    BODIES,
    CommandResponse,
    CommandResponseType,
    CommandType,
    english,
)
from evroam.modules.commands.repository import add_row, commands_received
from evroam.partners.model import Partner
from evroam.platform import Platform
from evroam.protocol.status import StatusCode
from evroam.protocol.timestamps import utc_now


@dataclass(frozen=True)
class Reply:
    """The CommandResponse and the OCPI status code it travels with (2003: unknown location)."""

    response: CommandResponse
    status_code: int = StatusCode.SUCCESS


@dataclass
class Received:
    """A parsed command on its way to an answer."""

    kind: CommandType
    body: Any
    exchange: Exchange
    columns: dict[str, Any] = field(default_factory=dict)


def parse_kind(value: str) -> CommandType:
    try:
        return CommandType(value.upper())
    except ValueError:
        raise InvalidParameters(
            f"Unknown command {value!r}: one of {', '.join(CommandType)}"
        ) from None


def check_response_url(partner: Partner, url: str) -> None:
    """The result is POSTed with this partner's token: only to a host of the partner (a URL
    elsewhere would hand our token to a third party)."""
    hosts = {urlsplit(e.url).hostname for e in partner.endpoints}
    hosts.add(urlsplit(partner.versions_url or "").hostname)
    if urlsplit(url).hostname not in hosts - {None}:
        raise InvalidParameters("response_url must point to a host of the sending platform")


async def answer_command(
    platform: Platform, exchange: Exchange, kind_text: str, body: Any
) -> Reply:
    """Validate, decide, store and (when ACCEPTED) start executing one command."""
    kind = parse_kind(kind_text)
    if not isinstance(body, dict):
        raise InvalidParameters(f"The body of {kind.value} must be a JSON object")
    command = Received(kind, BODIES[kind].model_validate(body), exchange)
    check_response_url(exchange.partner, command.body.response_url)
    timeout = platform.settings.chargers.command_timeout_seconds
    if platform.chargers is None:
        decision = checks.Decision(
            CommandResponseType.NOT_SUPPORTED, "No charge points are connected to this platform"
        )
    else:
        decision = await checks.decide(platform, platform.chargers, command)
    command_id = await _store(platform, command, decision, timeout)
    if decision.run is not None and platform.chargers is not None:
        platform.chargers.spawn(execute(platform, command_id, decision.run, timeout))
    response = CommandResponse(
        result=decision.response, timeout=timeout, message=english(decision.message)
    )
    return Reply(response, decision.status_code)


async def _store(
    platform: Platform, command: Received, decision: "checks.Decision", timeout: int
) -> str:
    """Every command is kept (traceable); only ACCEPTED ones await a result."""
    now = utc_now()
    sender = checks.sender_party(command.exchange, decision.owner)
    local = command.exchange.local
    command_id = uuid.uuid4().hex
    values = {
        "id": command_id,
        "partner_id": command.exchange.partner.id,
        "country_code": sender.country_code,
        "party_id": sender.party_id,
        "cpo_country_code": local.country_code,
        "cpo_party_id": local.party_id,
        "command": command.kind.value,
        "response_url": command.body.response_url,
        "response": decision.response.value,
        "created_at": now,
        "deadline": now + timedelta(seconds=timeout),
        **decision.columns,
    }
    async with platform.unit_of_work() as session:
        await add_row(session, commands_received, values)
    return command_id
