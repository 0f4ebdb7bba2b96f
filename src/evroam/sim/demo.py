"""The demo: a CPO and an eMSP as separate server processes on loopback play the roaming story.

Act 1 (foundation): the eMSP invites, the CPO registers, both show their view of the other,
the CPO rotates its token, and the old token is refused while the new one works. Every step
runs the real `evroam` CLI against the real servers; nothing is simulated in process.
"""

import json
import tempfile
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table

from evroam.errors import EvroamError
from evroam.protocol.auth import TokenEncoding, encode_token
from evroam.sim.processes import Node, free_port, running, write_settings

console = Console()


def settings_for(workdir: Path, name: str, port: int, party: tuple[str, str, str, str]) -> Path:
    role, country, party_id, title = party
    settings = {
        "public_url": f"http://127.0.0.1:{port}",
        "database": {"url": f"sqlite+aiosqlite:///{workdir / name}.db"},
        "parties": [
            {
                "role": role,
                "country_code": country,
                "party_id": party_id,
                "business_details": {"name": title},
            }
        ],
    }
    return write_settings(workdir / f"{name}.toml", settings)


def step(number: int, text: str) -> None:
    console.print(f"\n[bold cyan]{number:>2}.[/] [bold]{text}[/]")


def show_view(owner: Node, partner: dict[str, Any]) -> None:
    """How `owner` sees its partner: state, version, roles and endpoints."""
    table = Table(
        title=f"{owner.name} sees {partner['name']}: {partner['state']}, OCPI {partner['version']}"
    )
    for column in ("Role", "Party", "Business", "Endpoints it publishes"):
        table.add_column(column)
    endpoints = "\n".join(
        f"{e['identifier']} ({e['role'] or '-'}) {e['url']}" for e in partner["endpoints"]
    )
    for role in partner["roles"]:
        party = f"{role['country_code']}*{role['party_id']}"
        name = role["business_details"].get("name", "")
        table.add_row(escape(role["role"]), escape(party), escape(name), escape(endpoints))
    console.print(table)


def probe(node: Node, token: str) -> int:
    header = {"Authorization": encode_token(token, TokenEncoding.BASE64)}
    return httpx.get(node.versions_url, headers=header, timeout=10).status_code


def act_handshake(cpo: Node, emsp: Node) -> None:
    step(1, f"The eMSP invites the CPO: a single-use Token A for {emsp.versions_url}")
    invitation = json.loads(emsp.cli("partner", "invite", "chargeco", "--json").stdout)
    console.print("   Token A issued: single use, handed to the CPO out of band")

    step(2, "The CPO registers with it: versions, version details, credentials POST")
    cpo.cli(
        "partner",
        "register",
        "driveco",
        "--url",
        invitation["versions_url"],
        "--token",
        invitation["token"],
    )
    console.print(
        "   Tokens exchanged; the CPO now calls the eMSP with token C, and back with token B"
    )

    step(3, "Both platforms show their view of the other")
    show_view(cpo, json.loads(cpo.cli("partner", "show", "driveco", "--json").stdout))
    show_view(emsp, json.loads(emsp.cli("partner", "show", "chargeco", "--json").stdout))
    status = probe(emsp, invitation["token"])
    console.print(f"   Token A used again on the eMSP's versions endpoint → HTTP {status} (spent)")
    if status != 401:
        raise EvroamError("Token A still works after registration")

    step(4, "The CPO rotates its token (credentials PUT)")
    old = cpo.partner_token("driveco")
    cpo.cli("partner", "rotate", "driveco")
    new = cpo.partner_token("driveco")
    refused, accepted = probe(emsp, old), probe(emsp, new)
    console.print(
        f"   old token → HTTP {refused} (refused)   new token → HTTP {accepted} (accepted)"
    )
    if (refused, accepted) != (401, 200) or old == new:
        raise EvroamError("Rotation did not replace the token")
    console.print(emsp.cli("partner", "list").stdout)


def run_demo(workdir: Path | None = None) -> None:
    """Play the whole story; raises EvroamError when any step does not behave as the spec says."""
    with ExitStack() as stack:
        base = workdir or Path(
            stack.enter_context(tempfile.TemporaryDirectory(prefix="evroam-demo-"))
        )
        base.mkdir(parents=True, exist_ok=True)
        ports = free_port(), free_port()
        cpo_party, emsp_party = ("CPO", "NL", "CPO", "Charge Co"), ("EMSP", "DE", "MSP", "Drive Co")
        cpo = Node("CPO", settings_for(base, "cpo", ports[0], cpo_party), ports[0])
        emsp = Node("eMSP", settings_for(base, "emsp", ports[1], emsp_party), ports[1])
        console.print(
            Panel.fit(
                f"CPO  (NL*CPO, Charge Co) on {cpo.base_url}\n"
                f"eMSP (DE*MSP, Drive Co)  on {emsp.base_url}\nWork directory: {base}",
                title="evroam demo: two platforms, real HTTP on loopback",
            )
        )
        stack.enter_context(running(cpo, base))
        stack.enter_context(running(emsp, base))
        act_handshake(cpo, emsp)
    console.print(
        "\n[bold green]Demo complete:[/] handshake, views, Token A spent, rotation verified."
    )
