"""Deep-page GET benchmark (issue #3): `GET /locations?limit=50` at offset 50,000 of 100,000.

The CPO's store is filled in bulk (not timed): generated Locations written straight into the
`locations` table, in batches. The CPO runs as `evroam serve` (one uvicorn worker) with a
registered eMSP; the eMSP's token drives, with `wrk`, 32 connections for `--seconds`:

1. the server's own `Link` for offset 50,000 (the next link of `offset=49950&limit=50`: it
   carries the keyset cursor, as a client following links sends it);
2. the same page as a spec client builds it by hand, `offset=50000&limit=50` (no cursor);
3. 400 consecutive deep pages asked in turn (a cycle longer than the page cache holds, so
   every page is read from the database): the cost of a page not kept in memory;
4. the ceiling: a bare ASGI app under the same uvicorn (one worker, same options) answering
   every request with the bytes and headers of (1).

Run: .venv/bin/python -m bench.locations_get [--postgres URL] [--locations 100000]
     [--offset 50000] [--connections 32] [--seconds 10]
"""

import argparse
import asyncio
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterator, MutableMapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console
from rich.table import Table
from sqlalchemy import insert, text

from bench.harness import live_pair, opened, peak_rss_mb
from evroam.modules.locations.repository import locations
from evroam.partners.client import next_link
from evroam.protocol.auth import TokenEncoding, encode_token
from evroam.protocol.timestamps import parse_datetime
from evroam.sim.network import location_data
from evroam.sim.processes import Node, free_port

console = Console(width=130)
BATCH = 2_000
LIMIT = 50
OWNER = ("NL", "CPO")
SEED = 7
# Response headers the ceiling repeats (the id headers are fresh per request on evroam).
COPIED_HEADERS = (
    "content-type",
    "x-total-count",
    "x-limit",
    "link",
    "ocpi-from-country-code",
    "ocpi-from-party-id",
    "ocpi-to-country-code",
    "ocpi-to-party-id",
    "x-request-id",
    "x-correlation-id",
)


# ── the store ─────────────────────────────────────────────────────────────────────────────


def rows(start: int, stop: int) -> Iterator[dict[str, Any]]:
    """Table rows of generated Locations `start`..`stop - 1` (numbered from 1)."""
    for number in range(start, stop):
        document = location_data(SEED, number, OWNER)
        yield {
            "country_code": document["country_code"].upper(),
            "party_id": document["party_id"].upper(),
            "object_id": document["id"].upper(),
            "last_updated": parse_datetime(document["last_updated"]),
            "partner_id": None,
            "document": document,
            "publish": bool(document.get("publish", True)),
        }


async def fill(node: Node, count: int) -> int:
    """Write `count` of our own Locations, in executemany batches (not through the service);
    returns how many are published (the others are not listed)."""
    published = 0
    async with opened(node) as platform:
        for start in range(1, count + 1, BATCH):
            batch = list(rows(start, min(start + BATCH, count + 1)))
            published += sum(row["publish"] for row in batch)
            async with platform.unit_of_work() as session:
                await session.execute(insert(locations), batch)
        async with platform.unit_of_work() as session:
            await session.execute(text("ANALYZE locations"))  # as autovacuum would, soon
    return published


# ── the load ──────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class Load:
    """One wrk run: throughput and latency percentiles (ms), with its errors."""

    requests: int
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    non_2xx: int
    socket_errors: int


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far (load-independent cost measure)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wrk_command(url: str, header: str | None, connections: int, seconds: int) -> list[str]:
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "--latency"]
    if header:
        command += ["-H", header]
    return [*command, url]


def run_wrk(command: list[str]) -> Load:
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    return Load(
        requests=int(_find(r"(\d+) requests in", output)),
        requests_per_second=float(_find(r"Requests/sec:\s+([\d.]+)", output)),
        p50_ms=_milliseconds(_find(r"\n\s+50%\s+(\S+)", output)),
        p99_ms=_milliseconds(_find(r"\n\s+99%\s+(\S+)", output)),
        non_2xx=int(_find(r"Non-2xx or 3xx responses:\s+(\d+)", output, "0")),
        socket_errors=sum(
            int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", output)
        ),
    )


def _find(pattern: str, text: str, default: str | None = None) -> str:
    match = re.search(pattern, text)
    if match:
        return match.group(1)
    if default is None:
        raise RuntimeError(f"wrk output without {pattern!r}:\n{text}")
    return default


def _milliseconds(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value).groups()  # type: ignore[union-attr]
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit]


# ── the ceiling: a bare ASGI app with the same bytes ──────────────────────────────────────

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]


def fixed_app(body: bytes, headers: list[tuple[bytes, bytes]]) -> Any:
    """An ASGI app answering every HTTP request with `body` and `headers`."""

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    return app


def serve_fixed(recorded: Path, port: int) -> None:
    """Serve the recorded response with uvicorn as `evroam serve` does (one worker)."""
    import uvicorn

    saved = json.loads(recorded.read_text())
    body = bytes.fromhex(saved["body"])
    headers = [(k.encode(), v.encode()) for k, v in saved["headers"]]
    headers.append((b"content-length", str(len(body)).encode()))
    app = fixed_app(body, headers)
    uvicorn.run(app, host="127.0.0.1", port=port, access_log=False, server_header=False)


@contextmanager
def ceiling_server(response: httpx.Response, workdir: Path) -> Iterator[tuple[str, int]]:
    """The fixed-page app in its own process; yields its URL and pid."""
    recorded = workdir / "page.json"
    headers = [(k, v) for k, v in response.headers.items() if k in COPIED_HEADERS]
    recorded.write_text(json.dumps({"body": response.content.hex(), "headers": headers}))
    port = free_port()
    command = [sys.executable, "-m", "bench.locations_get", "--serve-fixed", str(recorded)]
    process = subprocess.Popen([*command, "--port", str(port)])
    url = f"http://127.0.0.1:{port}/ocpi/2.2.1/sender/locations"
    try:
        _wait_up(url, process)
        yield url, process.pid
    finally:
        process.terminate()
        process.wait(timeout=10)


def _wait_up(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("the ceiling server exited")
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError("the ceiling server did not start")


# ── the run ───────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class Row:
    name: str
    url: str
    load: Load
    cpu_ms_per_request: float
    body_bytes: int
    peak_rss_mb: float


def timed(name: str, command: list[str], pid: int, body_bytes: int) -> Row:
    """Run wrk against a server process; its CPU per request alongside the wrk figures."""
    console.print(f"Timed: {name} …")
    before = cpu_seconds(pid)
    load = run_wrk(command)
    cpu_ms = (cpu_seconds(pid) - before) * 1000 / max(load.requests, 1)
    return Row(name, command[-1], load, cpu_ms, body_bytes, peak_rss_mb(pid))


def deep_link(base: str, header: str, offset: int) -> tuple[str, httpx.Response]:
    """The server's own Link to `offset` (the next link of the page before it)."""
    previous = f"{base}?offset={offset - LIMIT}&limit={LIMIT}"
    response = httpx.get(previous, headers={"Authorization": header}, timeout=60)
    link = next_link(response.headers)
    assert link, f"no Link on {previous}: {response.status_code} {response.text[:200]}"
    return link, httpx.get(link, headers={"Authorization": header}, timeout=60)


DISTINCT_PAGES = 400  # 400 pages of ~200 KB: more than the page cache keeps (32 MB)


def deep_links(base: str, header: str, offset: int, count: int) -> list[str]:
    """`count` consecutive pages' Links (with cursors) around `offset`, as a client walks them."""
    link, _ = deep_link(base, header, offset - LIMIT * (count // 2))
    links = [link]
    while len(links) < count:
        response = httpx.get(links[-1], headers={"Authorization": header}, timeout=60)
        following = next_link(response.headers)
        assert following, "the walk ended before enough pages"
        links.append(following)
    return links


def cycle_script(links: list[str], workdir: Path) -> Path:
    """A wrk script asking the pages in turn: in a cycle longer than the page cache holds,
    every request is read from the database (the least recently used page is the next one)."""
    paths = ",\n".join(json.dumps(httpx.URL(link).raw_path.decode()) for link in links)
    script = workdir / "cycle.lua"
    script.write_text(
        f"local paths = {{\n{paths}\n}}\nlocal i = 0\n"
        "request = function()\n  i = i % #paths + 1\n"
        '  return wrk.format("GET", paths[i])\nend\n'
    )
    return script


def page_ids(response: httpx.Response, total: int) -> list[str]:
    """The ids of a full page, after checking the answer and its total."""
    body = response.json()
    assert response.status_code == 200, response.text[:300]
    assert body["status_code"] == 1000, body
    assert len(body["data"]) == LIMIT
    assert response.headers["x-total-count"] == str(total)
    return [location["id"] for location in body["data"]]


def measure(args: argparse.Namespace) -> tuple[list[Row], list[str]]:
    commands: list[str] = []
    found: list[Row] = []
    quiet = {"sync": {"enabled": False}, "push": {"enabled": False}}  # no background work
    with live_pair(args.postgres, **quiet) as (cpo, emsp, workdir):
        started = time.perf_counter()
        published = asyncio.run(fill(cpo, args.locations))
        console.print(
            f"Stored {args.locations:,} locations ({published:,} published) in"
            f" {time.perf_counter() - started:.0f} s (not timed)"
        )
        header = encode_token(emsp.partner_token("cpo"), TokenEncoding.BASE64)
        base = f"{cpo.base_url}/ocpi/2.2.1/sender/locations"
        link, response = deep_link(base, header, args.offset)
        by_offset = f"{base}?offset={args.offset}&limit={LIMIT}"
        by_hand = httpx.get(by_offset, headers={"Authorization": header}, timeout=60)
        assert page_ids(response, published) == page_ids(by_hand, published)
        assert cpo.process
        size = len(response.content)
        for name, url in (
            ("evroam, server's Link (cursor)", link),
            ("evroam, offset only", by_offset),
        ):
            command = wrk_command(url, f"Authorization: {header}", args.connections, args.seconds)
            commands.append(shlex.join(command).replace(header.split()[1], "<token>"))
            found.append(timed(name, command, cpo.process.pid, size))
        script = cycle_script(deep_links(base, header, args.offset, DISTINCT_PAGES), workdir)
        command = wrk_command(link, f"Authorization: {header}", args.connections, args.seconds)
        command[-1:-1] = ["-s", str(script)]
        commands.append(shlex.join(command).replace(header.split()[1], "<token>"))
        name = f"evroam, {DISTINCT_PAGES} pages in turn (none kept)"
        found.append(timed(name, command, cpo.process.pid, size))
        with ceiling_server(response, workdir) as (url, pid):
            command = wrk_command(url, None, args.connections, args.seconds)
            commands.append(shlex.join(command))
            found.append(timed("bare ASGI app, same bytes", command, pid, size))
    return found, commands


def report(args: argparse.Namespace, found: list[Row], commands: list[str]) -> None:
    backend = "PostgreSQL" if args.postgres else "SQLite"
    table = Table(
        title=f"GET /locations?limit={LIMIT} at offset {args.offset:,} of {args.locations:,}"
        f" ({backend}, one worker, {args.connections} connections, {args.seconds} s)"
    )
    for column in ("server", "req/s", "p50", "p99", "CPU/req", "body", "errors", "peak RSS"):
        table.add_column(column, justify="left" if column == "server" else "right")
    for row in found:
        load = row.load
        table.add_row(
            row.name,
            f"{load.requests_per_second:,.0f}",
            f"{load.p50_ms:.2f} ms",
            f"{load.p99_ms:.2f} ms",
            f"{row.cpu_ms_per_request:.3f} ms" if load.requests else "—",
            f"{row.body_bytes:,} B",
            str(load.non_2xx + load.socket_errors),
            f"{row.peak_rss_mb:.0f} MB",
        )
    console.print(table)
    console.print(f"load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    for command in commands:
        console.print(f"  {command}", markup=False, highlight=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", help="PostgreSQL URL (default: SQLite files)")
    parser.add_argument("--locations", type=int, default=100_000)
    parser.add_argument("--offset", type=int, default=50_000)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--serve-fixed", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_fixed:
        serve_fixed(args.serve_fixed, args.port)
        return
    if shutil.which("wrk") is None:
        sys.exit(
            "wrk is not installed: `apt-get install -y wrk` (Debian/Ubuntu) or see wrk's README"
        )
    found, commands = measure(args)
    report(args, found, commands)


if __name__ == "__main__":
    main()
