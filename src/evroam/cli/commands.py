"""`evroam commands`: send a command to a CPO partner and print its final result (eMSP).

The command goes from this process straight to the partner; its result arrives at the running
server's response_url, so the command waits by reading the database until the result is there
or the deadline passed (then TIMEOUT). UNLOCK_CONNECTOR is for the operator only (K.323).
"""

import json
import secrets
from datetime import timedelta
from typing import Annotated, Any

import typer
from pydantic import ValidationError
from rich.markup import escape
from rich.table import Table

from evroam.cli import app, fail, out, run, settings_of
from evroam.cli.locations import LimitOption, OffsetOption
from evroam.errors import EvroamError
from evroam.modules.commands import sending
from evroam.modules.commands.compose import compose
from evroam.modules.commands.model import CommandResultType, CommandType
from evroam.modules.commands.sending import SentCommand
from evroam.modules.locations.enums import TokenType
from evroam.modules.locations.publish import parse_party
from evroam.platform import Platform
from evroam.protocol.routing import PartyRef
from evroam.protocol.timestamps import format_datetime, utc_now

commands_app = typer.Typer(
    help="Remote start/stop, reservations and unlock at a CPO partner (eMSP).",
    no_args_is_help=True,
)
app.add_typer(commands_app, name="commands")

Partner = Annotated[str, typer.Argument(help="The CPO partner's name (`evroam partner list`).")]
Location = Annotated[str, typer.Option("--location", help="The Location id.")]
Evse = Annotated[str | None, typer.Option("--evse", help="The EVSE uid.")]
TokenUid = Annotated[str, typer.Option("--token", help="The uid of one of our tokens.")]
TokenKind = Annotated[TokenType, typer.Option("--token-type", help="Its type.")]
Cpo = Annotated[str | None, typer.Option("--cpo", help="The CPO party, COUNTRY*PARTY.")]
Party = Annotated[str | None, typer.Option("--party", help="Our eMSP party, COUNTRY*PARTY.")]
NoWait = Annotated[bool, typer.Option("--no-wait", help="Print the answer, do not wait.")]
AsJson = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]


def _send(
    ctx: typer.Context, partner: str, kind: CommandType, fields: dict[str, Any], **how: Any
) -> None:
    """Send, wait for the final result (unless --no-wait), print it; exit 1 unless ACCEPTED."""

    async def work(platform: Platform) -> SentCommand:
        party = _party(how.get("party"))
        try:
            command = compose(platform, kind, fields, party)
        except ValidationError as exc:
            raise EvroamError(f"Invalid {kind.value}: {exc.errors()[0]['msg']}") from exc
        sent = await sending.send_command(
            platform, partner, command, cpo=_party(how.get("cpo")), party=party
        )
        return sent if how.get("no_wait") else await sending.wait_for_result(platform, sent.id)

    sent = run(settings_of(ctx), work)
    if how.get("as_json"):
        out.print_json(sent.model_dump_json())
    else:
        _print(sent)
    if sent.outcome not in (CommandResultType.ACCEPTED, "PENDING"):
        raise typer.Exit(1)


def _party(text: str | None) -> PartyRef | None:
    return PartyRef(*parse_party(text)) if text else None


def _print(sent: SentCommand) -> None:
    colour = "green" if sent.outcome == CommandResultType.ACCEPTED else "yellow"
    out.print(f"{sent.command.value} to {escape(sent.cpo)}: [bold {colour}]{sent.outcome}[/]")
    for label, text in (("answer", sent.response_message), ("result", sent.result_message)):
        if text:
            out.print(f"  {label}: {escape(text)}")
    if sent.late:
        out.print("  (the result arrived after the deadline)")
    out.print(f"  command id {sent.id}", style="dim")


@commands_app.command("start-session")
def start_session(
    ctx: typer.Context,
    partner: Partner,
    location: Location,
    token: TokenUid,
    evse: Evse = None,
    connector: Annotated[str | None, typer.Option("--connector", help="Connector id.")] = None,
    token_type: TokenKind = TokenType.APP_USER,
    authorization_reference: Annotated[str | None, typer.Option("--auth-ref")] = None,
    cpo: Cpo = None,
    party: Party = None,
    no_wait: NoWait = False,
    as_json: AsJson = False,
) -> None:
    """Start a charging session for one of our tokens (no connector: the charger chooses)."""
    fields = {
        "location_id": location,
        "evse_uid": evse,
        "connector_id": connector,
        "token": {"uid": token, "type": token_type.value},
        "authorization_reference": authorization_reference,
    }
    how = {"cpo": cpo, "party": party, "no_wait": no_wait, "as_json": as_json}
    _send(ctx, partner, CommandType.START_SESSION, _given(fields), **how)


@commands_app.command("stop-session")
def stop_session(
    ctx: typer.Context,
    partner: Partner,
    session_id: Annotated[str, typer.Argument(help="The CPO's session id.")],
    cpo: Cpo = None,
    party: Party = None,
    no_wait: NoWait = False,
    as_json: AsJson = False,
) -> None:
    """Stop a charging session."""
    how = {"cpo": cpo, "party": party, "no_wait": no_wait, "as_json": as_json}
    _send(ctx, partner, CommandType.STOP_SESSION, {"session_id": session_id}, **how)


@commands_app.command("reserve")
def reserve(
    ctx: typer.Context,
    partner: Partner,
    location: Location,
    token: TokenUid,
    evse: Evse = None,
    minutes: Annotated[int, typer.Option("--minutes", min=1, help="How long to hold it.")] = 30,
    reservation_id: Annotated[str | None, typer.Option("--reservation-id")] = None,
    token_type: TokenKind = TokenType.APP_USER,
    cpo: Cpo = None,
    party: Party = None,
    no_wait: NoWait = False,
    as_json: AsJson = False,
) -> None:
    """Reserve an EVSE (no EVSE: any of the Location) for one of our tokens."""
    fields = {
        "location_id": location,
        "evse_uid": evse,
        # a positive 32-bit integer: what 2.1.1 (and OCPP 1.6 behind a CPO) can carry
        "reservation_id": reservation_id or str(secrets.randbelow(2**31 - 1) + 1),
        "expiry_date": format_datetime(utc_now() + timedelta(minutes=minutes)),
        "token": {"uid": token, "type": token_type.value},
    }
    how = {"cpo": cpo, "party": party, "no_wait": no_wait, "as_json": as_json}
    _send(ctx, partner, CommandType.RESERVE_NOW, _given(fields), **how)


@commands_app.command("cancel-reservation")
def cancel_reservation(
    ctx: typer.Context,
    partner: Partner,
    reservation_id: Annotated[str, typer.Argument(help="The id given when reserving.")],
    cpo: Cpo = None,
    party: Party = None,
    no_wait: NoWait = False,
    as_json: AsJson = False,
) -> None:
    """Cancel one of our reservations."""
    how = {"cpo": cpo, "party": party, "no_wait": no_wait, "as_json": as_json}
    _send(ctx, partner, CommandType.CANCEL_RESERVATION, {"reservation_id": reservation_id}, **how)


@commands_app.command("unlock")
def unlock(
    ctx: typer.Context,
    partner: Partner,
    location: Location,
    evse: Annotated[str, typer.Option("--evse", help="The EVSE uid.")],
    connector: Annotated[str, typer.Option("--connector", help="The connector id.")],
    cpo: Cpo = None,
    party: Party = None,
    no_wait: NoWait = False,
    as_json: AsJson = False,
) -> None:
    """Unlock a connector (helpdesk: a driver's cable is stuck). Operators only."""
    fields = {"location_id": location, "evse_uid": evse, "connector_id": connector}
    how = {"cpo": cpo, "party": party, "no_wait": no_wait, "as_json": as_json}
    _send(ctx, partner, CommandType.UNLOCK_CONNECTOR, fields, **how)


@commands_app.command("list")
def list_commands(
    ctx: typer.Context, offset: OffsetOption = 0, limit: LimitOption = 50, as_json: AsJson = False
) -> None:
    """The commands we sent, newest first, with their answer and result."""

    async def work(platform: Platform) -> tuple[list[SentCommand], int]:
        return await sending.list_sent(platform, offset=offset, limit=limit)

    found, total = run(settings_of(ctx), work)
    if as_json:
        out.print_json(json.dumps([json.loads(s.model_dump_json()) for s in found]))
        return
    if not found:
        fail("No commands sent yet: `evroam commands start-session …` sends one.", code=0)
    table = Table(title=f"Commands {offset + 1}–{offset + len(found)} of {total}")
    table.add_column("sent (UTC)", no_wrap=True)
    table.add_column("command", no_wrap=True)
    table.add_column("cpo", no_wrap=True)
    table.add_column("outcome", no_wrap=True)
    table.add_column("message", ratio=2)
    table.add_column("id", overflow="fold", ratio=1)
    for sent in found:
        table.add_row(
            sent.created_at.strftime("%m-%d %H:%M:%S"),
            sent.command.value,
            escape(sent.cpo),
            sent.outcome + (" (late)" if sent.late else ""),
            escape(sent.result_message or sent.response_message or ""),
            sent.id,
        )
    out.print(table)


def _given(fields: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in fields.items() if v is not None}
