"""The demo: a CPO and an eMSP as separate server processes on loopback play the roaming story.

Act 1 (foundation): the eMSP invites, the CPO registers, both show their view of the other,
the CPO rotates its token, and the old token is refused while the new one works. Every step
runs the real `evroam` CLI against the real servers; nothing is simulated in process.
"""

import asyncio
import json
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console
from rich.panel import Panel
from rich.table import Table

from evroam.errors import EvroamError
from evroam.modules.credentials.service import get_partner
from evroam.platform import Platform
from evroam.protocol.auth import TokenEncoding, encode_token
from evroam.settings import load_settings

console = Console()


@dataclass
class Node:
    """One platform of the demo: its settings file, port and server process."""

    name: str
    config: Path
    port: int
    process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def versions_url(self) -> str:
        return f"{self.base_url}/ocpi/versions"

    def cli(self, *args: str) -> str:
        """Run `evroam -c <config> …` and return its standard output; fail loudly."""
        command = [sys.executable, "-m", "evroam", "-c", str(self.config), *args]
        done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
        if done.returncode != 0:
            raise EvroamError(f"`evroam {' '.join(args)}` on {self.name} failed:\n{done.stderr}")
        return done.stdout


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def write_config(
    workdir: Path, name: str, port: int, role: str, country: str, party: str, title: str
) -> Path:
    path = workdir / f"{name}.toml"
    path.write_text(
        f'public_url = "http://127.0.0.1:{port}"\n'
        f'[database]\nurl = "sqlite+aiosqlite:///{workdir / name}.db"\n'
        f'[[parties]]\nrole = "{role}"\ncountry_code = "{country}"\nparty_id = "{party}"\n'
        f'business_details = {{ name = "{title}" }}\n',
        encoding="utf-8",
    )
    return path


@contextmanager
def running(node: Node, workdir: Path) -> Iterator[Node]:
    """Start `evroam serve` for the node and stop it afterwards."""
    log = (workdir / f"{node.name}.log").open("wb")
    command = [
        sys.executable,
        "-m",
        "evroam",
        "-c",
        str(node.config),
        "serve",
        "--port",
        str(node.port),
    ]
    node.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_healthy(node, workdir)
        yield node
    finally:
        node.process.terminate()
        try:
            node.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            node.process.kill()
        log.close()


def wait_healthy(node: Node, workdir: Path, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert node.process is not None
        if node.process.poll() is not None:
            raise EvroamError(f"{node.name} server exited; see {workdir / node.name}.log")
        try:
            if httpx.get(f"{node.base_url}/health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise EvroamError(f"{node.name} server did not start within {timeout:.0f} s")


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
        table.add_row(role["role"], party, role["business_details"].get("name", ""), endpoints)
    console.print(table)


def token_of(node: Node, partner: str) -> str:
    """The token `node` currently uses to call `partner` (read from its own database)."""

    async def read() -> str:
        platform = await Platform.open(load_settings(node.config), migrate_now=False)
        try:
            token = (await get_partner(platform, partner)).token_out
        finally:
            await platform.close()
        if not token:
            raise EvroamError(f"{node.name} holds no token for {partner}")
        return token

    return asyncio.run(read())


def probe(node: Node, token: str) -> int:
    header = {"Authorization": encode_token(token, TokenEncoding.BASE64)}
    return httpx.get(node.versions_url, headers=header, timeout=10).status_code


def act_handshake(cpo: Node, emsp: Node) -> None:
    step(1, f"The eMSP invites the CPO: a single-use Token A for {emsp.versions_url}")
    invitation = json.loads(emsp.cli("partner", "invite", "chargeco", "--json"))
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
    show_view(cpo, json.loads(cpo.cli("partner", "show", "driveco", "--json")))
    show_view(emsp, json.loads(emsp.cli("partner", "show", "chargeco", "--json")))
    status = probe(emsp, invitation["token"])
    console.print(f"   Token A used again on the eMSP's versions endpoint → HTTP {status} (spent)")
    if status != 401:
        raise EvroamError("Token A still works after registration")

    step(4, "The CPO rotates its token (credentials PUT)")
    old = token_of(cpo, "driveco")
    cpo.cli("partner", "rotate", "driveco")
    new = token_of(cpo, "driveco")
    refused, accepted = probe(emsp, old), probe(emsp, new)
    console.print(
        f"   old token → HTTP {refused} (refused)   new token → HTTP {accepted} (accepted)"
    )
    if (refused, accepted) != (401, 200) or old == new:
        raise EvroamError("Rotation did not replace the token")
    console.print(emsp.cli("partner", "list"))


def run_demo(workdir: Path | None = None) -> None:
    """Play the whole story; raises EvroamError when any step does not behave as the spec says."""
    with ExitStack() as stack:
        base = workdir or Path(
            stack.enter_context(tempfile.TemporaryDirectory(prefix="evroam-demo-"))
        )
        base.mkdir(parents=True, exist_ok=True)
        ports = free_port(), free_port()
        cpo = Node(
            "CPO", write_config(base, "cpo", ports[0], "CPO", "NL", "CPO", "Charge Co"), ports[0]
        )
        emsp = Node(
            "eMSP", write_config(base, "emsp", ports[1], "EMSP", "DE", "MSP", "Drive Co"), ports[1]
        )
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
