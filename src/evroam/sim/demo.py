"""The demo: a CPO and an eMSP as separate server processes on loopback play the roaming story.

Act 1 (foundation): the eMSP invites, the CPO registers, both show their view of the other,
the CPO rotates its token, and the old token is refused while the new one works. Act 2: the
CPO's network is mirrored by push and pull. Act 3 (sim/demo_charging.py): drivers of the eMSP
charge at the CPO and are billed correctly. Every step runs the real `evroam` CLI (or HTTP)
against the real servers; only the charge points are simulated, inside the CPO's server.
"""

import asyncio
import json
import secrets
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from sqlalchemy import func, select

from evroam.errors import EvroamError
from evroam.modules.locations.repository import locations
from evroam.modules.tariffs.repository import tariffs
from evroam.protocol.auth import TokenEncoding, encode_token
from evroam.sim.demo_charging import SPEED, act_charging
from evroam.sim.processes import Node, free_port, running, write_settings

console = Console()


def settings_for(
    workdir: Path, name: str, port: int, party: tuple[str, str, str, str], **extra: Any
) -> Path:
    role, country, party_id, title = party
    settings = extra | {
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


async def mirrored(node: Node, *, own: bool) -> dict[str, dict[str, Any]]:
    """Location documents by id on a node: its own, or those it received from partners."""
    column = locations.c.partner_id
    async with node.opened() as platform, platform.sessions() as session:
        query = select(locations.c.document).where(column.is_(None) if own else column.is_not(None))
        return {doc["id"]: doc for doc in (await session.execute(query)).scalars()}


async def tariff_count(node: Node, *, own: bool) -> int:
    column = tariffs.c.partner_id
    async with node.opened() as platform, platform.sessions() as session:
        query = select(func.count()).select_from(tariffs)
        query = query.where(column.is_(None) if own else column.is_not(None))
        return int((await session.execute(query)).scalar_one())


def wait_until_mirrored(cpo: Node, emsp: Node, timeout: float = 120) -> tuple[int, int]:
    """Seconds until the eMSP holds exactly the CPO's published Locations; and their count."""
    began = time.monotonic()
    while time.monotonic() - began < timeout:
        ours = {k: v for k, v in asyncio.run(mirrored(cpo, own=True)).items() if v["publish"]}
        if ours and ours == asyncio.run(mirrored(emsp, own=False)):
            return round(time.monotonic() - began), len(ours)
        time.sleep(0.5)
    raise EvroamError("The eMSP did not mirror the CPO's Locations in time; see the server logs.")


def counts_table(cpo: Node, emsp: Node) -> bool:
    ours = asyncio.run(mirrored(cpo, own=True))
    published = {k: v for k, v in ours.items() if v["publish"]}
    theirs = asyncio.run(mirrored(emsp, own=False))
    table = Table(title="Counts on both sides")
    for column in ("", "CPO (own, published)", "eMSP (mirrored)"):
        table.add_column(column, justify="right")
    evses = [sum(len(d.get("evses") or []) for d in docs.values()) for docs in (published, theirs)]
    tariffs_both = [
        asyncio.run(tariff_count(cpo, own=True)),
        asyncio.run(tariff_count(emsp, own=False)),
    ]
    table.add_row("Locations", str(len(published)), str(len(theirs)))
    table.add_row("EVSEs", str(evses[0]), str(evses[1]))
    table.add_row("Tariffs", str(tariffs_both[0]), str(tariffs_both[1]))
    console.print(table)
    match = published == theirs and tariffs_both[0] == tariffs_both[1]
    console.print(f"   Documents identical on both sides: [bold]{'yes' if match else 'NO'}[/]")
    return match


def act_network(cpo: Node, emsp: Node, workdir: Path) -> str:
    """Steps 5-8; the id of the Location whose statuses were changed by hand."""
    network = workdir / "network.ndjson"
    step(5, "The CPO generates a network of 300 Locations with their Tariffs and imports it")
    cpo.cli("sim", "network", "--locations", "300", "--seed", "7", "--out", str(network))
    cpo.cli("tariffs", "import", str(workdir / "network.tariffs.ndjson"))
    cpo.cli("locations", "import", str(network))
    ours = asyncio.run(mirrored(cpo, own=True))
    hidden = sum(1 for d in ours.values() if not d["publish"])
    console.print(f"   {len(ours)} Locations stored, {hidden} of them unpublished (never shared)")

    step(6, "The eMSP mirrors it by push: the CPO's outbox worker PUTs every Location")
    seconds, count = wait_until_mirrored(cpo, emsp)
    console.print(f"   {count} Locations mirrored by push within {seconds} s")

    step(7, "The eMSP also pulls (full sync) to verify nothing is missing")
    for module in ("tariffs", "locations"):
        report = json.loads(
            emsp.cli("sync", module, "--partner", "chargeco", "--full", "--json").stdout
        )
        console.print(f"   pull {module}: {_summary(report)}")

    step(8, "EVSE status changes travel live from the CPO to the eMSP")
    site = next(d for d in ours.values() if d["publish"])
    for evse, status in zip(site["evses"][:3], ("CHARGING", "BLOCKED", "OUTOFORDER"), strict=False):
        cpo.cli("locations", "set-status", site["id"], evse["uid"], status)
        console.print(f"   {site['id']} / {evse['uid']} → {status}")
    wait_until_mirrored(cpo, emsp)
    shown = asyncio.run(mirrored(emsp, own=False))[site["id"]]["evses"][:3]
    console.print("   the eMSP now shows: " + ", ".join(f"{e['uid']} {e['status']}" for e in shown))
    if not counts_table(cpo, emsp):
        raise EvroamError("The eMSP's copy differs from the CPO's data.")
    return str(site["id"])


def _summary(report: Any) -> str:
    items = report if isinstance(report, list) else [report]
    fields = ("pages", "stored", "unchanged", "skipped", "removed")
    return "; ".join(
        ", ".join(f"{name} {item[name]}" for name in fields if name in item) for item in items
    )


def run_demo(workdir: Path | None = None) -> None:
    """Play the whole story; raises EvroamError when any step does not behave as the spec says."""
    with ExitStack() as stack:
        base = workdir or Path(
            stack.enter_context(tempfile.TemporaryDirectory(prefix="evroam-demo-"))
        )
        base.mkdir(parents=True, exist_ok=True)
        ports = free_port(), free_port()
        cpo_party, emsp_party = ("CPO", "NL", "CPO", "Charge Co"), ("EMSP", "DE", "MSP", "Drive Co")
        admin = secrets.token_urlsafe(24)  # the CPO's management API (a driver's card tap)
        chargers = {"kind": "simulated", "speed": SPEED, "tick_seconds": 30}
        cpo_settings = settings_for(
            base, "cpo", ports[0], cpo_party, admin_token=admin, chargers=chargers
        )
        cpo = Node("CPO", cpo_settings, ports[0])
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
        changed = act_network(cpo, emsp, base)
        act_charging(cpo, emsp, base, admin=admin, avoid=changed)
    console.print(
        "\n[bold green]Demo complete:[/] handshake, views, Token A spent, rotation verified;"
        " a 300-location network mirrored by push and pull, live status changes, counts match;"
        " a remote session charged, priced, sent and reconciled as a MATCH, a card authorized in"
        " real time, a reservation made and cancelled."
    )
