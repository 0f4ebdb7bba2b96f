"""`evroam tokens`: our own driver Tokens (eMSP): issue, import, block, unblock, list, show.

Every change is stored with its outbox rows and pushed to every CPO partner publishing a Tokens
Receiver (a block is PATCHed at once); Tokens are never deleted, only blocked.
"""

import json
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.markup import escape
from rich.table import Table

from evroam.cli import app, fail, out, run, settings_of
from evroam.cli.locations import (
    Kind,
    LimitOption,
    OffsetOption,
    import_command,
    print_listing,
    problems,
)
from evroam.errors import EvroamError
from evroam.modules.locations.enums import TokenType
from evroam.modules.locations.publish import parse_party
from evroam.modules.tokens import publish
from evroam.modules.tokens.authorization import TokenPolicy
from evroam.modules.tokens.model import LocationReferences, ProfileType, Token, WhitelistType
from evroam.modules.tokens.publish import NewToken, OwnToken
from evroam.platform import Platform
from evroam.protocol.timestamps import format_datetime

tokens_app = typer.Typer(
    help=(
        "Our own driver Tokens (eMSP): issue, import, block, unblock, list, show.\n\n"
        "Every change is pushed to every CPO partner that publishes a Tokens Receiver; a block"
        " reaches them at once. Tokens are never deleted: block one that must not charge."
    ),
    no_args_is_help=True,
)
app.add_typer(tokens_app, name="tokens")

TOKENS = Kind("Tokens", Token, publish.check_ours, publish.save_tokens)

UidArgument = Annotated[
    str, typer.Argument(metavar="UID", help="The Token's uid (an RFID card's chip id as read).")
]
TypeOption = Annotated[
    TokenType,
    typer.Option(
        "--type", "-t", case_sensitive=False, help="The Token's type (uid + type is unique)."
    ),
]
PartyOption = Annotated[
    str | None,
    typer.Option("--party", help="COUNTRY*PARTY of our eMSP party, when we host several."),
]


def _party(text: str | None) -> tuple[str, str] | None:
    try:
        return parse_party(text) if text else None
    except EvroamError as exc:
        fail(str(exc), code=2)


tokens_app.command("import")(import_command(TOKENS, "tokens"))


@tokens_app.command("issue")
def issue(
    ctx: typer.Context,
    token_type: TypeOption = TokenType.RFID,
    uid: Annotated[
        str | None,
        typer.Option(help="Required for RFID and OTHER; generated for APP_USER and AD_HOC_USER."),
    ] = None,
    contract_id: Annotated[
        str | None, typer.Option(help="The driver's contract id (default: a new eMA-ID).")
    ] = None,
    party: PartyOption = None,
    issuer: Annotated[
        str | None, typer.Option(help="Printed on the card (default: the party's name).")
    ] = None,
    visual_number: Annotated[str | None, typer.Option(help="The number printed on it.")] = None,
    group_id: Annotated[
        str | None, typer.Option(help="Tokens of one group act as one (≤ 20 characters).")
    ] = None,
    whitelist: Annotated[
        WhitelistType | None,
        typer.Option(
            case_sensitive=False,
            help="How CPOs may authorize it (default: NEVER for app users, else ALLOWED).",
        ),
    ] = None,
    language: Annotated[str | None, typer.Option(help="ISO 639-1 language, e.g. nl.")] = None,
    profile: Annotated[
        ProfileType | None, typer.Option(case_sensitive=False, help="Default charging profile.")
    ] = None,
    expires: Annotated[
        str | None,
        typer.Option(help="From then on refused as EXPIRED (UTC, e.g. 2027-01-01T00:00:00Z)."),
    ] = None,
    location: Annotated[
        list[str] | None,
        typer.Option(
            help="Only at this Location (LOC or LOC:EVSE1,EVSE2); repeat for several."
            " Real-time requests must then name the Location."
        ),
    ] = None,
) -> None:
    """Issue a new Token of ours and push it to every CPO partner."""
    try:
        new = NewToken(
            type=token_type,
            uid=uid,
            contract_id=contract_id,
            party=party,
            issuer=issuer,
            visual_number=visual_number,
            group_id=group_id,
            whitelist=whitelist,
            language=language,
            default_profile_type=profile,
            policy=_policy(expires, location),
        )
    except ValidationError as exc:
        fail(f"{problems(exc)}. See `evroam tokens issue --help`.", code=2)

    async def work(platform: Platform) -> Token:
        return await publish.issue_token(platform, new)

    token = run(settings_of(ctx), work)
    out.print(f"Issued [bold]{escape(token.type)}[/] token [green]{escape(token.uid)}[/]:")
    out.print(token_table([token]))


def _policy(expires: str | None, locations: list[str] | None) -> TokenPolicy | None:
    if expires is None and not locations:
        return None
    references = [_reference(text) for text in locations] if locations else None
    return TokenPolicy.model_validate({"expires_at": expires, "locations": references})


def _reference(text: str) -> LocationReferences:
    location_id, _, evses = text.partition(":")
    uids = [uid for uid in evses.split(",") if uid] or None
    return LocationReferences(location_id=location_id, evse_uids=uids)


@tokens_app.command("block")
def block(
    ctx: typer.Context,
    uid: UidArgument,
    token_type: TypeOption = TokenType.RFID,
    party: PartyOption = None,
) -> None:
    """Block a Token (valid=false): CPOs refuse it from now on; PATCHed to them at once."""
    owner = _party(party)

    async def work(platform: Platform) -> Token:
        return await publish.block_token(platform, uid, token_type, party=owner)

    token = run(settings_of(ctx), work)
    out.print(f"Token [bold]{escape(token.uid)}[/] ({token.type}) is [red]blocked[/].")


@tokens_app.command("unblock")
def unblock(
    ctx: typer.Context,
    uid: UidArgument,
    token_type: TypeOption = TokenType.RFID,
    party: PartyOption = None,
) -> None:
    """Unblock a Token (valid=true): PATCHed to every CPO partner."""
    owner = _party(party)

    async def work(platform: Platform) -> Token:
        return await publish.unblock_token(platform, uid, token_type, party=owner)

    token = run(settings_of(ctx), work)
    out.print(f"Token [bold]{escape(token.uid)}[/] ({token.type}) is [green]valid[/] again.")


@tokens_app.command("list")
def list_tokens(ctx: typer.Context, offset: OffsetOption = 0, limit: LimitOption = 50) -> None:
    """Our Tokens, oldest first: type, contract, whitelist, valid or blocked."""

    async def work(platform: Platform) -> tuple[list[Token], int]:
        return await publish.own_tokens(platform, offset=offset, limit=limit)

    found, total = run(settings_of(ctx), work)
    table = token_table(found, title=f"Our Tokens {offset + 1}–{offset + len(found)} of {total}")
    print_listing(table, shown=len(found), total=total, offset=offset, group="tokens")


@tokens_app.command("show")
def show(
    ctx: typer.Context,
    uid: UidArgument,
    token_type: TypeOption = TokenType.RFID,
    party: PartyOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
) -> None:
    """One of our Tokens with its policy (expiry, where it may charge)."""
    owner = _party(party)

    async def work(platform: Platform) -> OwnToken | None:
        return await publish.find_own_token(platform, uid, token_type, party=owner)

    found = run(settings_of(ctx), work)
    if found is None:
        fail(f"No {token_type} token {uid} of ours: `evroam tokens list` shows them.")
    if as_json:
        out.print_json(json.dumps(found.model_dump(mode="json", exclude_none=True)))
        return
    out.print(detail_table(found))


def describe_policy(policy: TokenPolicy | None) -> str:
    if policy is None:
        return "none (everywhere, no expiry)"
    parts = []
    if policy.expires_at is not None:
        parts.append(f"expires {format_datetime(policy.expires_at)}")
    if policy.no_credit:
        parts.append("no credit")
    if policy.locations is not None:
        places = [
            r.location_id + (f" ({', '.join(r.evse_uids)})" if r.evse_uids else "")
            for r in policy.locations
        ]
        parts.append("only at " + "; ".join(places))
    return escape(", ".join(parts) or "none")


def token_table(found: list[Token], *, title: str | None = None) -> Table:
    """One row per Token, narrow enough for an 80-column terminal (`show` has every field)."""
    parties = {(t.country_code, t.party_id) for t in found}
    table = Table(title=title)
    table.add_column("uid", overflow="fold")
    table.add_column("type", min_width=len("AD_HOC_USER"))
    if len(parties) > 1:
        table.add_column("party", min_width=len("DE*MSP"))
    table.add_column("whitelist", overflow="fold")
    table.add_column("state", min_width=len("blocked"))
    table.add_column("last_updated (UTC)", min_width=len("2026-01-01 00:00"))
    for token in found:
        party = [escape(f"{token.country_code}*{token.party_id}")] if len(parties) > 1 else []
        table.add_row(
            escape(token.uid),
            token.type.value,
            *party,
            token.whitelist.value,
            "[green]valid[/]" if token.valid else "[red]blocked[/]",
            token.last_updated.strftime("%Y-%m-%d %H:%M"),
        )
    return table


def detail_table(found: OwnToken) -> Table:
    """Every field of one Token, and its policy."""
    table = Table(show_header=False, title=f"Token {escape(found.token.uid)}")
    table.add_column("field", style="bold")
    table.add_column("value", overflow="fold")
    document = found.token.model_dump(mode="json", exclude_none=True)
    for name, value in document.items():
        shown = value if isinstance(value, str) else json.dumps(value)
        table.add_row(name, escape(shown))
    table.add_row("policy", describe_policy(found.policy))
    return table
