"""Platforms as separate server processes on loopback: settings files, start, health, stop.

Used by `make demo` and the scenario tests, so both exercise the real `evroam` CLI and server.
"""

import asyncio
import json
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

from evroam.errors import EvroamError

if TYPE_CHECKING:
    from evroam.platform import Platform


@dataclass
class Node:
    """One platform: its name, settings file, port and (while running) its server process."""

    name: str
    config: Path
    port: int
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def versions_url(self) -> str:
        return f"{self.base_url}/ocpi/versions"

    @asynccontextmanager
    async def opened(self) -> AsyncIterator["Platform"]:
        """This platform's runtime opened in the calling process (its database, no server)."""
        from evroam.platform import Platform
        from evroam.settings import load_settings

        platform = await Platform.open(load_settings(self.config), migrate_now=False)
        try:
            yield platform
        finally:
            await platform.close()

    def partner_token(self, partner: str) -> str:
        """The token this platform uses to call `partner`, read from its own database."""
        from evroam.modules.credentials.service import get_partner

        async def read() -> str | None:
            async with self.opened() as platform:
                return (await get_partner(platform, partner)).token_out

        token = asyncio.run(read())
        if not token:
            raise EvroamError(f"{self.name} holds no token for {partner}")
        return token

    def cli(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """Run `evroam -c <config> …`; with check, a non-zero exit raises with its stderr."""
        command = [sys.executable, "-m", "evroam", "-c", str(self.config), *args]
        done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
        if check and done.returncode != 0:
            raise EvroamError(f"`evroam {' '.join(args)}` on {self.name} failed:\n{done.stderr}")
        return done


def connect(initiator: Node, receiver: Node, *, as_names: tuple[str, str] | None = None) -> None:
    """The receiver invites, the initiator registers, both through the real CLI.

    `as_names` = (the receiver's name at the initiator, the initiator's name at the receiver).
    """
    receiver_name, initiator_name = as_names or (receiver.name, initiator.name)
    invitation = receiver.cli("partner", "invite", initiator_name, "--json").stdout
    token = json.loads(invitation)["token"]
    initiator.cli(
        "partner", "register", receiver_name, "--url", receiver.versions_url, "--token", token
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def write_settings(path: Path, settings: dict[str, Any]) -> Path:
    """Write a settings dict as TOML (strings, numbers, booleans, tables, arrays of tables)."""
    lines: list[str] = []
    _table(lines, [], settings)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _table(lines: list[str], prefix: list[str], data: dict[str, Any]) -> None:
    nested = {k: v for k, v in data.items() if isinstance(v, dict)}
    arrays = {k: v for k, v in data.items() if isinstance(v, list) and v and isinstance(v[0], dict)}
    for key, value in data.items():
        if key not in nested and key not in arrays and value is not None:
            lines.append(f"{key} = {_scalar(value)}")
    for key, value in nested.items():
        lines.append(f"\n[{'.'.join([*prefix, key])}]")
        _table(lines, [*prefix, key], value)
    for key, items in arrays.items():
        for item in items:
            lines.append(f"\n[[{'.'.join([*prefix, key])}]]")
            _table(lines, [*prefix, key], item)


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_scalar(v) for v in value) + "]"
    text = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'


@contextmanager
def running(node: Node, logdir: Path, *, timeout: float = 60.0) -> Iterator[Node]:
    """Run `evroam serve` for the node until the block ends (log in logdir/<name>.log)."""
    start(node, logdir, timeout=timeout)
    try:
        yield node
    finally:
        stop(node)


def start(node: Node, logdir: Path, *, timeout: float = 60.0) -> None:
    log = (logdir / f"{node.name}.log").open("ab")
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
    log.close()
    wait_healthy(node, logdir, timeout)


def stop(node: Node) -> None:
    if node.process is None:
        return
    node.process.terminate()
    try:
        node.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        node.process.kill()
        node.process.wait()
    node.process = None


def wait_healthy(node: Node, logdir: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert node.process is not None
        if node.process.poll() is not None:
            raise EvroamError(f"{node.name} server exited; see {logdir / node.name}.log")
        try:
            if httpx.get(f"{node.base_url}/health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise EvroamError(f"{node.name} server did not start within {timeout:.0f} s")
