"""Real-time authorization benchmark (issue #5): `POST /tokens/{uid}/authorize` at the eMSP
with 1,000,000 Tokens stored, one worker, 32 connections; target ≥ 2,000 req/s, p99 ≤ 20 ms.

The eMSP's store is filled in bulk (not timed): generated RFID Tokens written straight into
the `tokens` table with executemany batches. The eMSP runs as `evroam serve` (one uvicorn
worker) with a registered CPO; the CPO's token drives `wrk` for `--seconds`: every request
authorizes a random one of the stored Tokens (a wrk Lua script picks the uid) with the
LocationReferences a charge point sends, so no answer comes from a cache of a few Tokens.
Before the run, one known Token must be ALLOWED and an unknown one answered 404/2004.

Run: .venv/bin/python -m bench.tokens_authorize [--postgres URL] [--tokens 1000000]
     [--connections 32] [--seconds 10]
"""

import argparse
import asyncio
import json
import os
import shlex
import shutil
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from rich.console import Console
from rich.table import Table
from sqlalchemy import text

from bench.harness import live_pair, opened, peak_rss_mb
from bench.locations_get import Load, cpu_seconds, run_wrk
from evroam.modules.locations.enums import TokenType
from evroam.modules.tokens.repository import TokenRepository, token_key
from evroam.protocol.auth import TokenEncoding, encode_token
from evroam.sim.processes import Node
from evroam.storage.documents import DocumentRow

console = Console(width=130)
BATCH = 10_000
OWNER = ("DE", "MSP")
PATH = "/ocpi/2.2.1/sender/tokens"
T0 = datetime(2026, 1, 1, tzinfo=UTC)
WHERE = {"location_id": "LOC000001", "evse_uids": ["LOC000001-1"]}
WHITELISTS = ("ALLOWED", "ALLOWED", "ALLOWED_OFFLINE", "NEVER")


def uid(number: int) -> str:
    """A 7-byte RFID chip id in hex, as a charger reads it."""
    return f"04{number:012X}"


# The stored JSON of a generated Token, written by a template: json.dumps per row was half the
# time of a fill (every value is plain ASCII, no escaping needed).
DOCUMENT = (
    '{{"country_code":"{cc}","party_id":"{pid}","uid":"{uid}","type":"RFID",'
    '"contract_id":"DEMSPC{number:08X}","visual_number":"DE-MSP-{number:09d}",'
    '"issuer":"Drive Co","valid":{valid},"whitelist":"{whitelist}","last_updated":"{stamp}Z"}}'
)


def rows(start: int, stop: int) -> Iterator[DocumentRow]:
    """Generated Tokens `start`..`stop - 1` as bulk-write rows (one in 50 blocked)."""
    for number in range(start, stop):
        stamp = T0 + timedelta(seconds=number)
        token_uid = uid(number)
        text = DOCUMENT.format(
            cc=OWNER[0],
            pid=OWNER[1],
            uid=token_uid,
            number=number,
            valid="true" if number % 50 else "false",
            whitelist=WHITELISTS[number % len(WHITELISTS)],
            stamp=stamp.replace(tzinfo=None).isoformat(),
        )
        key = token_key(OWNER[0], OWNER[1], token_uid, TokenType.RFID)
        yield DocumentRow(key, text, stamp)


async def fill(node: Node, count: int) -> None:
    """Write `count` of the eMSP's own Tokens with the repositories' bulk writes (executemany
    of JSON text, not through the service), one transaction per batch."""
    async with opened(node) as platform:
        for start in range(0, count, BATCH):
            batch = list(rows(start, min(start + BATCH, count)))
            async with platform.unit_of_work() as session:
                await TokenRepository(session).write_many(batch)
        async with platform.unit_of_work() as session:
            await session.execute(text("ANALYZE tokens"))  # as autovacuum would, soon


def lua_script(path: Path, header: str, count: int) -> Path:
    """A wrk script: POST authorize of a random stored Token, with LocationReferences."""
    path.write_text(
        f"""
math.randomseed(os.time())
wrk.method = "POST"
wrk.headers["Authorization"] = "{header}"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{json.dumps(WHERE)}'
request = function()
  local n = math.random(0, {count - 1})
  return wrk.format(nil, string.format("{PATH}/04%012X/authorize", n))
end
"""
    )
    return path


def check(base: str, header: str) -> None:
    """A known Token is answered with the AuthorizationInfo, an unknown one 404/2004."""
    known = httpx.post(
        f"{base}{PATH}/{uid(1)}/authorize", json=WHERE, headers={"Authorization": header}
    )
    body = known.json()
    assert known.status_code == 200, known.text[:300]
    assert body["data"]["allowed"] == "ALLOWED", body
    assert body["data"]["token"]["uid"] == uid(1)
    assert body["data"]["location"] == WHERE
    unknown = httpx.post(f"{base}{PATH}/FFFF/authorize", headers={"Authorization": header})
    assert (unknown.status_code, unknown.json()["status_code"]) == (404, 2004), unknown.text


def measure(args: argparse.Namespace) -> tuple[Load, float, float, str]:
    quiet = {"sync": {"enabled": False}, "push": {"enabled": False}}  # no background work
    with live_pair(args.postgres, **quiet) as (cpo, emsp, workdir):
        started = time.perf_counter()
        asyncio.run(fill(emsp, args.tokens))
        console.print(
            f"Stored {args.tokens:,} tokens in {time.perf_counter() - started:.0f} s (not timed)"
        )
        header = encode_token(cpo.partner_token("emsp"), TokenEncoding.BASE64)
        check(emsp.base_url, header)
        script = lua_script(workdir / "authorize.lua", header, args.tokens)
        command = [
            "wrk",
            "-t1",
            f"-c{args.connections}",
            f"-d{args.seconds}s",
            "--timeout",
            "10s",
            "--latency",
            "-s",
            str(script),
            emsp.base_url,
        ]
        assert emsp.process
        pid = emsp.process.pid
        before = cpu_seconds(pid)
        load = run_wrk(command)
        cpu_ms = (cpu_seconds(pid) - before) * 1000 / max(load.requests, 1)
        return load, cpu_ms, peak_rss_mb(pid), shlex.join(command)


def report(args: argparse.Namespace, load: Load, cpu_ms: float, rss: float, command: str) -> None:
    backend = "PostgreSQL" if args.postgres else "SQLite"
    table = Table(
        title=f"POST /tokens/{{uid}}/authorize, random of {args.tokens:,} tokens"
        f" ({backend}, one worker, {args.connections} connections, {args.seconds} s)"
    )
    for column in ("req/s", "p50", "p99", "CPU/req", "errors", "peak RSS", "target"):
        table.add_column(column, justify="right")
    table.add_row(
        f"{load.requests_per_second:,.0f}",
        f"{load.p50_ms:.2f} ms",
        f"{load.p99_ms:.2f} ms",
        f"{cpu_ms:.3f} ms",
        str(load.non_2xx + load.socket_errors),
        f"{rss:.0f} MB",
        "≥ 2,000 req/s, p99 ≤ 20 ms",
    )
    console.print(table)
    console.print(f"load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    console.print(f"  {command}", markup=False, highlight=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", help="PostgreSQL URL (default: SQLite files)")
    parser.add_argument("--tokens", type=int, default=1_000_000)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--seconds", type=int, default=10)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit(
            "wrk is not installed: `apt-get install -y wrk` (Debian/Ubuntu) or see wrk's README"
        )
    report(args, *measure(args))


if __name__ == "__main__":
    main()
