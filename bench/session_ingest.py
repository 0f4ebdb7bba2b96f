"""Session PATCH ingest benchmark (issue #5): the eMSP's Sessions Receiver under a stream of
PATCHes, each appending one charging period (CONFORMANCE F.169).

Two `evroam serve` processes on loopback, registered (the CPO registers at the eMSP); only the
eMSP's server is measured. Not timed: the CPO's token is read and `--sessions` Sessions are
PUT. Timed: `--connections` keep-alive connections each PATCH their own sessions in turn
(a CPO sends one session's changes in order), `--patches` per session, every PATCH carrying
kwh, last_updated and one new period. Each answer must be HTTP 200 with status_code 1000.
Then every Session is read back through the Receiver GET: it must hold exactly `--patches`
periods, i.e. none lost and none doubled.

The load generator is a minimal HTTP/1.1 client on asyncio streams (one process, no
per-request object churn), so the client is not what is measured.

Run: .venv/bin/python -m bench.session_ingest [--sessions 200] [--patches 25]
     [--connections 32] [--postgres postgresql://…/test]
"""

import argparse
import asyncio
import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console
from rich.table import Table

from bench.harness import live_pair, peak_rss_mb
from evroam.protocol.auth import TokenEncoding, encode_token
from evroam.sim.processes import Node

console = Console()
RECEIVER = "/ocpi/2.2.1/receiver/sessions/NL/CPO"


def session(session_id: str) -> dict[str, object]:
    return {
        "country_code": "NL",
        "party_id": "CPO",
        "id": session_id,
        "start_date_time": "2026-03-01T10:00:00Z",
        "kwh": 0,
        "cdr_token": {
            "country_code": "DE",
            "party_id": "MSP",
            "uid": f"U{session_id}",
            "type": "RFID",
            "contract_id": f"DE-MSP-{session_id}",
        },
        "auth_method": "WHITELIST",
        "location_id": "LOC1",
        "evse_uid": "EVSE1",
        "connector_id": "1",
        "currency": "EUR",
        "status": "ACTIVE",
        "last_updated": "2026-03-01T10:00:00Z",
    }


def patch(number: int) -> bytes:
    """The n-th PATCH of a session: energy so far, one new period, its moment."""
    minute, second = divmod(number, 60)
    moment = f"2026-03-01T{10 + minute // 60:02d}:{minute % 60:02d}:{second:02d}Z"
    body = {
        "kwh": number * 0.25,
        "charging_periods": [
            {
                "start_date_time": moment,
                "dimensions": [{"type": "ENERGY", "volume": 0.25}, {"type": "POWER", "volume": 11}],
            }
        ],
        "last_updated": moment,
    }
    return json.dumps(body, separators=(",", ":")).encode()


@dataclass
class Connection:
    """One keep-alive HTTP/1.1 connection speaking for the CPO."""

    port: int
    authorization: str
    reader: asyncio.StreamReader | None = None
    writer: asyncio.StreamWriter | None = None
    failures: list[str] = field(default_factory=list)

    async def open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)

    async def call(self, method: str, path: str, body: bytes = b"") -> tuple[int, bytes]:
        assert self.reader is not None
        assert self.writer is not None
        head = (
            f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Authorization: {self.authorization}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        )
        self.writer.write(head.encode() + body)
        status_line = await self.reader.readline()
        length = 0
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode().partition(":")
            if name.lower() == "content-length":
                length = int(value)
        return int(status_line.split()[1]), await self.reader.readexactly(length)

    async def expect(self, method: str, path: str, body: bytes, status: int) -> bool:
        code, answer = await self.call(method, path, body)
        if code == status and b'"status_code":1000' in answer:
            return True
        self.failures.append(f"{method} {path}: HTTP {code} {answer[:200]!r}")
        return False

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()


async def put_sessions(connections: list[Connection], ids: list[str]) -> None:
    async def one(connection: Connection, mine: list[str]) -> None:
        for session_id in mine:
            body = json.dumps(session(session_id)).encode()
            await connection.expect("PUT", f"{RECEIVER}/{session_id}", body, 201)

    count = len(connections)
    await asyncio.gather(*(one(c, ids[i::count]) for i, c in enumerate(connections)))


async def patch_sessions(connections: list[Connection], ids: list[str], patches: int) -> int:
    """Each connection PATCHes its sessions round-robin; returns the PATCHes answered 1000."""

    async def one(connection: Connection, mine: list[str]) -> int:
        done = 0
        for number in range(1, patches + 1):
            for session_id in mine:
                path = f"{RECEIVER}/{session_id}"
                done += await connection.expect("PATCH", path, patch(number), 200)
        return done

    count = len(connections)
    return sum(await asyncio.gather(*(one(c, ids[i::count]) for i, c in enumerate(connections))))


async def stored_periods(connection: Connection, ids: list[str]) -> dict[str, int]:
    counts = {}
    for session_id in ids:
        _, answer = await connection.call("GET", f"{RECEIVER}/{session_id}")
        counts[session_id] = len(json.loads(answer)["data"].get("charging_periods") or [])
    return counts


async def measure(emsp: Node, token: str, args: argparse.Namespace) -> dict[str, object]:
    assert emsp.process is not None
    server = emsp.process.pid
    authorization = encode_token(token, TokenEncoding.BASE64)
    connections = [Connection(emsp.port, authorization) for _ in range(args.connections)]
    await asyncio.gather(*(c.open() for c in connections))
    ids = [f"S{n:05d}" for n in range(args.sessions)]
    try:
        await put_sessions(connections, ids)
        started, cpu = time.perf_counter(), cpu_seconds(server)
        acknowledged = await patch_sessions(connections, ids, args.patches)
        elapsed, cpu = time.perf_counter() - started, cpu_seconds(server) - cpu
        counts = await stored_periods(connections[0], ids)
    finally:
        for connection in connections:
            connection.close()
    failures = [f for c in connections for f in c.failures]
    wrong = {k: v for k, v in counts.items() if v != args.patches}
    return {
        "patches": args.sessions * args.patches,
        "acknowledged": acknowledged,
        "seconds": elapsed,
        "rate": acknowledged / elapsed,
        "cpu_per_patch": cpu / max(acknowledged, 1),
        "stored_periods": sum(counts.values()),
        "sessions_wrong": len(wrong),
        "failures": failures[:5],
    }


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of a live process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def report(result: dict[str, object], rss: float, args: argparse.Namespace) -> None:
    table = Table(title="Session PATCH ingest at the eMSP (one `evroam serve`)")
    table.add_column("measure")
    table.add_column("value", justify="right")
    table.add_row("database", "PostgreSQL" if args.postgres else "SQLite")
    table.add_row("sessions × PATCHes", f"{args.sessions} × {args.patches}")
    table.add_row("connections", str(args.connections))
    table.add_row("PATCHes answered 1000", f"{result['acknowledged']} of {result['patches']}")
    table.add_row("time", f"{result['seconds']:.2f} s")
    table.add_row("rate", f"[bold]{result['rate']:,.0f} PATCH/s[/]")
    per_patch = float(result["cpu_per_patch"])  # type: ignore[arg-type]
    table.add_row("eMSP server CPU per PATCH", f"{per_patch * 1e6:,.0f} µs")
    table.add_row("  i.e. PATCHes per CPU second", f"{1 / per_patch:,.0f}")
    table.add_row("periods stored (GET)", str(result["stored_periods"]))
    table.add_row("sessions with a period lost or doubled", str(result["sessions_wrong"]))
    table.add_row("eMSP server peak RSS", f"{rss:.0f} MB")
    console.print(table)
    for failure in result["failures"]:  # type: ignore[attr-defined]
        console.print(f"[red]{failure}[/]")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=200)
    parser.add_argument("--patches", type=int, default=25)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--postgres", default=None)
    args = parser.parse_args()
    with live_pair(args.postgres) as (cpo, emsp, _):
        token = cpo.partner_token("emsp")
        result = asyncio.run(measure(emsp, token, args))
        assert emsp.process is not None
        rss = peak_rss_mb(emsp.process.pid)
    report(result, rss, args)
    lost = result["stored_periods"] != result["patches"] or result["sessions_wrong"]
    raise SystemExit(1 if lost or result["acknowledged"] != result["patches"] else 0)


if __name__ == "__main__":
    main()
