"""`evroam partner`: the credentials lifecycle with roaming partners."""

import json
from datetime import datetime, timedelta
from typing import Annotated

import typer
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table

from evroam.cli import app, out, run, settings_of
from evroam.modules.credentials import service
from evroam.partners.model import Partner, describe
from evroam.platform import Platform
from evroam.protocol.auth import TokenEncoding
from evroam.protocol.timestamps import format_datetime

partner_app = typer.Typer(
    help="Invite, register, inspect, rotate and unregister roaming partners.", no_args_is_help=True
)
app.add_typer(partner_app, name="partner")

EncodingOption = Annotated[
    TokenEncoding | None,
    typer.Option(
        "--token-encoding",
        help="How this partner wants tokens: base64 (2.2.1, and only Base64 accepted from it)"
        " or raw (legacy peers). Default: per version, both forms accepted.",
    ),
]


@partner_app.command("invite")
def invite(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="A name you choose for the partner.")],
    expires_in_hours: Annotated[
        float | None, typer.Option(help="Lifetime of the Token A (default: settings).")
    ] = None,
    token_encoding: EncodingOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
) -> None:
    """Issue a single-use Token A; send it and the versions URL to the partner securely.

    The partner then registers with us (credentials POST). The token is shown only now.
    """
    ttl = timedelta(hours=expires_in_hours) if expires_in_hours else None

    async def work(platform: Platform) -> tuple[Partner, str, str]:
        partner, token = await service.invite(platform, name, ttl=ttl, encoding=token_encoding)
        return partner, token, platform.versions_url

    partner, token, versions_url = run(settings_of(ctx), work)
    if as_json:
        out.print_json(
            json.dumps({"name": partner.name, "versions_url": versions_url, "token": token})
        )
        return
    out.print(
        Panel.fit(
            f"Versions URL: [bold]{versions_url}[/]\nToken A:      [bold]{token}[/]\n\n"
            "Give both to the partner over a secure channel. The token works once.",
            title=f"Invitation for {escape(partner.name)}",
        )
    )


@partner_app.command("register")
def register(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="A name you choose for the partner.")],
    url: Annotated[str, typer.Option("--url", help="The partner's versions URL.")],
    token: Annotated[
        str,
        typer.Option("--token", envvar="EVROAM_TOKEN_A", help="The Token A the partner gave you."),
    ],
    token_encoding: EncodingOption = None,
    version: Annotated[
        str | None,
        typer.Option(
            "--version",
            help="Use this OCPI version (2.2.1 or 2.1.1) even if a higher one is mutual,"
            " e.g. to connect a partner on 2.1.1 that also offers an unfinished 2.2.1.",
        ),
    ] = None,
) -> None:
    """Register with a partner: pick the highest mutual version (or --version), exchange
    tokens."""

    async def work(platform: Platform) -> Partner:
        return await service.register(
            platform, name, url, token, encoding=token_encoding, version=version
        )

    partner = run(settings_of(ctx), work)
    out.print(
        f"[green]Registered[/] with [bold]{escape(partner.name)}[/] on OCPI {partner.version}."
    )
    print_partner(partner)


@partner_app.command("list")
def list_partners(ctx: typer.Context) -> None:
    """All partners with their state, version, roles and last contact."""
    partners = run(settings_of(ctx), service.list_partners)
    table = Table(title="Partners")
    for column in ("Name", "State", "Version", "Roles", "Last contact"):
        table.add_column(column)
    for p in partners:
        table.add_row(
            escape(p.name), _state(p), p.version or "-", escape(_roles(p)), _when(p.last_contact_at)
        )
    out.print(table if partners else "No partners yet: `evroam partner invite NAME` or `register`.")


@partner_app.command("show")
def show(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The partner's name.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
) -> None:
    """One partner in detail: roles, version, endpoints. Tokens are never shown."""

    async def work(platform: Platform) -> Partner:
        return await service.get_partner(platform, name)

    partner = run(settings_of(ctx), work)
    if as_json:
        out.print_json(json.dumps(describe(partner)))
        return
    print_partner(partner)


@partner_app.command("rotate")
def rotate(
    ctx: typer.Context, name: Annotated[str, typer.Argument(help="The partner's name.")]
) -> None:
    """Exchange fresh tokens with the partner (credentials PUT); also picks up new endpoints."""

    async def work(platform: Platform) -> Partner:
        return await service.rotate(platform, name)

    partner = run(settings_of(ctx), work)
    out.print(
        f"[green]Rotated[/] tokens with [bold]{escape(partner.name)}[/]; old tokens are void."
    )


@partner_app.command("unregister")
def unregister(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The partner's name.")],
    local_only: Annotated[
        bool, typer.Option(help="Forget the partner here without telling it (it is unreachable).")
    ] = False,
) -> None:
    """End the connection (credentials DELETE): all tokens of both sides become void."""

    async def work(platform: Platform) -> Partner:
        return await service.unregister(platform, name, local_only=local_only)

    partner = run(settings_of(ctx), work)
    out.print(f"[yellow]Unregistered[/] from [bold]{escape(partner.name)}[/].")


def print_partner(partner: Partner) -> None:
    summary = Table.grid(padding=(0, 2))
    summary.add_row("Name", escape(partner.name))
    summary.add_row("State", _state(partner))
    summary.add_row("Version", partner.version or "-")
    summary.add_row("Versions URL", escape(partner.versions_url or "-"))
    summary.add_row("Token encoding", partner.token_encoding or "per version (accepts both)")
    summary.add_row("Registered", _when(partner.registered_at))
    summary.add_row("Last contact", _when(partner.last_contact_at))
    if partner.last_error:
        summary.add_row("Last error", f"[red]{escape(partner.last_error)}[/]")
    out.print(Panel.fit(summary, title=f"Partner {escape(partner.name)}"))
    roles = Table(title="Parties it carries")
    for column in ("Role", "Country", "Party", "Name"):
        roles.add_column(column)
    for r in partner.roles:
        name = str(r.business_details.get("name", ""))
        roles.add_row(escape(r.role), escape(r.country_code), escape(r.party_id), escape(name))
    endpoints = Table(title="Endpoints it publishes")
    for column in ("Module", "Role", "URL"):
        endpoints.add_column(column)
    for e in partner.endpoints:
        endpoints.add_row(escape(e.identifier), e.role or "-", escape(e.url))
    out.print(roles)
    out.print(endpoints)


def _state(partner: Partner) -> str:
    colour = {"REGISTERED": "green", "INVITED": "cyan", "REGISTERING": "cyan"}.get(
        partner.state, "yellow"
    )
    return f"[{colour}]{partner.state}[/]"


def _roles(partner: Partner) -> str:
    return ", ".join(f"{r.role} {r.country_code}*{r.party_id}" for r in partner.roles) or "-"


def _when(moment: datetime | None) -> str:
    return format_datetime(moment) if moment else "never"


def _iso(moment: datetime | None) -> str | None:
    return format_datetime(moment) if moment else None
