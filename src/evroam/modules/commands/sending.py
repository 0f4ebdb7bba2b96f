"""eMSP: sending commands to a CPO partner and receiving their results (DIGEST §10.1).

Each command is stored before it is sent, so a result that overtakes the synchronous answer
is not lost; the answer's timeout sets its deadline. No result by then: TIMEOUT (K.309). A
result arriving later is still recorded, marked late. Results are accepted only from the
partner the command went to, at the URL we generated for it.
"""

import asyncio
import logging
import uuid
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel, computed_field
from sqlalchemy import func, select, update

from evroam.errors import EvroamError, PartnerError, PartnerOcpiError
from evroam.modules.commands import results
from evroam.modules.commands.client import post_command
from evroam.modules.commands.model import (
    Command,
    CommandResponse,
    CommandResponseType,
    CommandType,
    command_type,
    plain,
)
from evroam.modules.commands.repository import add_row, commands_sent, row
from evroam.modules.credentials.service import get_partner
from evroam.partners.model import InterfaceRole, Partner
from evroam.platform import Platform
from evroam.protocol.routing import PartyRef
from evroam.protocol.status import StatusCode
from evroam.protocol.timestamps import utc_now
from evroam.settings import Role
from evroam.versions import by_number, supported

log = logging.getLogger("evroam.commands")
SENDER_PATH = "sender/commands"


class SentCommand(BaseModel):
    """A command we sent and what became of it."""

    id: str
    partner_id: int
    command: CommandType
    cpo: str  # the CPO party addressed, COUNTRY*PARTY
    request: dict[str, Any]
    response: str | None
    response_message: str | None
    timeout_seconds: int | None
    created_at: datetime
    deadline: datetime | None
    result: str | None
    result_message: str | None
    result_at: datetime | None
    results: list[dict[str, Any]]
    late: bool
    timed_out_at: datetime | None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def final(self) -> bool:
        """Nothing more is expected (a late result may still come after TIMEOUT)."""
        if self.result is not None or self.outcome == "ERROR":
            return True
        return self.response not in (None, CommandResponseType.ACCEPTED)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def outcome(self) -> str:
        """The last word: the result, the refusal, PENDING, SENDING (no answer yet), or ERROR
        (the CPO could not be reached or refused the request)."""
        if self.result is not None:
            return self.result
        if self.response is None:
            return "ERROR" if self.response_message else "SENDING"
        return "PENDING" if self.response == CommandResponseType.ACCEPTED else self.response

    @classmethod
    def of(cls, values: dict[str, Any]) -> "SentCommand":
        return cls(cpo=f"{values['country_code']}*{values['party_id']}", **values)


def our_emsp(platform: Platform, party: PartyRef | None = None) -> PartyRef:
    """The eMSP party sending: the one named, else our first eMSP."""
    emsps = [PartyRef(p.country_code, p.party_id) for p in platform.parties if p.role is Role.EMSP]
    if party is not None and party in emsps:
        return party
    if party is None and emsps:
        return emsps[0]
    raise EvroamError(f"{party or 'No party'} is not an eMSP party of this platform.")


def response_url(platform: Platform, partner: Partner, kind: CommandType, uid: str) -> str:
    spec = by_number(partner.version or "") or supported()[0]
    endpoint = spec.endpoint("commands", InterfaceRole.SENDER)
    path = endpoint.path if endpoint is not None else SENDER_PATH
    return f"{platform.version_url(spec)}/{path}/{kind.value}/{uid}"


def cpo_of(partner: Partner, cpo: PartyRef | None) -> PartyRef:
    cpos = [PartyRef(r.country_code, r.party_id) for r in partner.roles if r.role == "CPO"]
    if cpo is not None and cpo in cpos:
        return cpo
    if cpo is None and cpos:
        return cpos[0]
    raise EvroamError(
        f"{partner.name} carries no CPO party {cpo or ''}; see `evroam partner show`."
    )


async def send_command(
    platform: Platform,
    partner_name: str,
    command: Command,
    *,
    cpo: PartyRef | None = None,
    party: PartyRef | None = None,
) -> SentCommand:
    """Store the command, POST it to the partner's CPO and record the synchronous answer."""
    partner = await get_partner(platform, partner_name)
    if not partner.connected or partner.endpoint("commands", InterfaceRole.RECEIVER) is None:
        raise EvroamError(f"{partner.name} is not connected or takes no commands.")
    ours, theirs = our_emsp(platform, party), cpo_of(partner, cpo)
    token = getattr(command, "token", None)
    if token is not None and PartyRef(token.country_code, token.party_id) != ours:
        raise EvroamError(
            f"The token is of {token.country_code}*{token.party_id}:"
            " an eMSP may only use its own tokens."
        )
    kind, uid = command_type(command), uuid.uuid4().hex
    spec = by_number(partner.version or "")
    if spec is not None and kind.value in spec.unsupported_commands:
        raise EvroamError(
            f"{partner.name} speaks OCPI {spec.number}, which has no {kind.value} command"
            " (a reservation there ends at its expiry_date)."
            if kind is CommandType.CANCEL_RESERVATION
            else f"{partner.name} speaks OCPI {spec.number}, which has no {kind.value} command."
        )
    body = command.model_copy(update={"response_url": response_url(platform, partner, kind, uid)})
    document = body.model_dump(mode="json", exclude_none=True)
    await _store(platform, partner, uid, kind, document, (ours, theirs))
    try:
        answer = await post_command(
            platform, partner, kind=kind, body=document, parties=(ours, theirs)
        )
    except PartnerError as exc:
        return await _record_failure(platform, uid, exc)
    return await _record_answer(platform, uid, answer)


async def _store(
    platform: Platform,
    partner: Partner,
    uid: str,
    kind: CommandType,
    document: dict[str, Any],
    parties: tuple[PartyRef, PartyRef],
) -> None:
    ours, theirs = parties
    values: dict[str, Any] = {
        "id": uid,
        "partner_id": partner.id,
        "country_code": theirs.country_code,
        "party_id": theirs.party_id,
        "sender_country_code": ours.country_code,
        "sender_party_id": ours.party_id,
        "command": kind.value,
        "request": document,
        "created_at": utc_now(),
        "results": [],
        "late": False,
    }
    async with platform.unit_of_work() as session:
        await add_row(session, commands_sent, values)


async def _record_answer(platform: Platform, uid: str, answer: CommandResponse) -> SentCommand:
    values: dict[str, Any] = {
        "response": answer.result.value,
        "response_message": plain(answer.message),
        "timeout_seconds": answer.timeout,
    }
    if answer.result is CommandResponseType.ACCEPTED:
        values["deadline"] = utc_now() + timedelta(seconds=answer.timeout)
    return await _update(platform, uid, values)


async def _record_failure(platform: Platform, uid: str, error: PartnerError) -> SentCommand:
    """No usable answer; an unknown location (2003) is the spec's REJECTED (K.301)."""
    values: dict[str, Any] = {"response_message": str(error)[:1000]}
    if isinstance(error, PartnerOcpiError) and error.status_code == StatusCode.UNKNOWN_LOCATION:
        values = {
            "response": CommandResponseType.REJECTED.value,
            "response_message": error.status_message,
        }
    log.info("Command %s was not accepted: %s", uid, error)
    return await _update(platform, uid, values)


async def _update(platform: Platform, uid: str, values: dict[str, Any]) -> SentCommand:
    async with platform.unit_of_work() as session:
        await session.execute(
            update(commands_sent).where(commands_sent.c.id == uid).values(**values)
        )
    return await get_sent(platform, uid)


async def get_sent(platform: Platform, uid: str) -> SentCommand:
    async with platform.sessions() as session:
        found = await row(session, commands_sent, uid)
    if found is None:
        raise EvroamError(
            f"No command {uid} was sent from here; `evroam commands list` shows them."
        )
    return SentCommand.of(found)


async def wait_for_result(
    platform: Platform, uid: str, *, poll: float = 0.2, at_most: float | None = None
) -> SentCommand:
    """Wait until the command is final (its result, a refusal, or TIMEOUT at the deadline)."""
    give_up = None if at_most is None else utc_now() + timedelta(seconds=at_most)
    while True:
        sent = await get_sent(platform, uid)
        if sent.final or (give_up is not None and utc_now() >= give_up):
            return sent
        if sent.deadline is not None and utc_now() >= sent.deadline:
            await results.expire(platform, uid)
            return await get_sent(platform, uid)
        await asyncio.sleep(poll)


async def list_sent(
    platform: Platform, *, offset: int = 0, limit: int = 50
) -> tuple[list[SentCommand], int]:
    """A page of the commands we sent, newest first, and their total."""
    c = commands_sent.c
    query = select(commands_sent).order_by(c.created_at.desc(), c.id).offset(offset).limit(limit)
    async with platform.sessions() as session:
        rows = (await session.execute(query)).all()
        total = (
            await session.execute(select(func.count()).select_from(commands_sent))
        ).scalar_one()
    return [SentCommand.of(dict(r._mapping)) for r in rows], int(total)
