"""Full pull benchmark (issue #3): 100,000 Locations pulled from one evroam into another.

Target: `evroam sync locations --full` over loopback in ≤ 15 s end to end, each server's
peak RSS ≤ 250 MB.

Two `evroam serve` processes (CPO and eMSP, registered with each other; push, scheduled
pulls and the simulated chargers off, so nothing but the pull moves data). The CPO's store is
filled first, not timed, through the bulk own-data save (generated Locations, 1,000 per
transaction). Timed: the eMSP's `evroam sync locations --partner cpo --full` as its own
process (the server has no trigger for a pull), from spawn to exit. Its CPU time and peak RSS
include the worker processes it prepares pages in (`sync.workers`, reaped before it exits),
and are reported apart from the servers'. Afterwards the eMSP's store is compared with the
CPO's published Locations, document by document (digests, streamed).

The CPO answers at most `http.page_limit` objects a page (default 100); this benchmark sets
it to `--page-limit` (1000 unless told) on both platforms, and says so.

Run: .venv/bin/python -m bench.full_pull [--postgres URL] [--locations 100000]
     [--page-limit 1000]
"""

import argparse
import asyncio
import hashlib
import json
import os
import shlex
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table
from sqlalchemy import select, text

from bench.harness import live_pair, opened, peak_rss_mb
from evroam.modules.locations.publish import save_locations
from evroam.modules.locations.repository import locations
from evroam.settings import load_settings
from evroam.sim.network import generate_locations
from evroam.sim.processes import Node
from evroam.storage.database import normalize_url

console = Console(width=max(Console().width, 100))
BATCH = 1000


@dataclass(frozen=True)
class Timed:
    """The timed CLI run: wall seconds, its peak RSS, its JSON report and exit status."""

    seconds: float
    cpu_seconds: float
    peak_rss_mb: float
    report: dict[str, Any]
    returncode: int
    stderr: str


async def build(cpo: Node, count: int) -> tuple[int, float]:
    """Save `count` generated Locations on the CPO; how many are published, and seconds."""
    began, published, batch = time.perf_counter(), 0, []
    async with opened(cpo) as platform:
        for location in generate_locations(count, 42, "NL", "CPO"):
            published += location.publish
            batch.append(location)
            if len(batch) == BATCH:
                await save_locations(platform, batch)
                batch = []
        if batch:
            await save_locations(platform, batch)
    return published, time.perf_counter() - began


def sync_command(emsp: Node) -> list[str]:
    return [
        sys.executable,
        "-m",
        "evroam",
        "-c",
        str(emsp.config),
        "sync",
        "locations",
        "--partner",
        "cpo",
        "--full",
        "--json",
    ]


def timed_sync(command: list[str]) -> Timed:
    """Run the command; wall time from spawn to exit, and its own peak RSS (wait4)."""
    with tempfile.TemporaryFile() as stdout, tempfile.TemporaryFile() as stderr:
        began = time.perf_counter()
        process = subprocess.Popen(command, stdout=stdout, stderr=stderr)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - began
        process.returncode = os.waitstatus_to_exitcode(status)
        stdout.seek(0)
        stderr.seek(0)
        output, errors = stdout.read(), stderr.read().decode(errors="replace")
    reports = json.loads(output) if output.strip() else [{}]
    # ru_maxrss is in KiB on Linux
    cpu = usage.ru_utime + usage.ru_stime
    return Timed(seconds, cpu, usage.ru_maxrss / 1024, reports[0], process.returncode, errors)


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) a live process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def digests(node: Node, *, published_only: bool) -> dict[str, str]:
    """Each Location's id → digest of its document, streamed (never all documents at once)."""
    c = locations.c
    query = select(c.object_id, c.document).order_by(c.pk)
    if published_only:
        query = query.where(c.publish.is_(True), c.partner_id.is_(None))
    found: dict[str, str] = {}
    async with opened(node) as platform, platform.sessions() as session:
        result = await session.stream(query.execution_options(yield_per=2000))
        async for object_id, document in result:
            canonical = json.dumps(document, sort_keys=True, separators=(",", ":"))
            found[object_id] = hashlib.blake2b(canonical.encode(), digest_size=16).hexdigest()
    return found


async def drop_schemas(nodes: list[Node], postgres: str) -> None:
    """The PostgreSQL schemas the harness made for these nodes."""
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine(normalize_url(postgres))
    async with engine.begin() as conn:
        for node in nodes:
            schema = load_settings(node.config).database.db_schema
            if schema and schema.startswith("bench_"):
                await conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    await engine.dispose()


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} / {five:.2f} / {fifteen:.2f}"


async def main(count: int, postgres: str | None, page_limit: int) -> int:
    extra: dict[str, Any] = {
        "http": {"page_limit": page_limit},
        "push": {"enabled": False},
        "sync": {"enabled": False},
        "chargers": {"kind": "none"},
    }
    backend = "PostgreSQL" if postgres else "SQLite"
    with live_pair(postgres, **extra) as (cpo, emsp, _):
        try:
            console.print(f"Saving {count:,} generated Locations on the CPO (not timed)…")
            published, build_seconds = await build(cpo, count)
            console.print(
                f"  saved in {build_seconds:.1f} s ({count / build_seconds:,.0f}/s), "
                f"{published:,} published"
            )
            command = sync_command(emsp)
            load_before = load()
            console.print(f"Timed: {shlex.join(command)}")
            assert cpo.process is not None
            cpo_cpu = cpu_seconds(cpo.process.pid)
            run = timed_sync(command)
            cpo_cpu = cpu_seconds(cpo.process.pid) - cpo_cpu
            load_after = load()
            assert cpo.process is not None
            assert emsp.process is not None
            cpo_rss, emsp_rss = peak_rss_mb(cpo.process.pid), peak_rss_mb(emsp.process.pid)
            if run.returncode != 0:
                console.print(f"[red]sync failed ({run.returncode}):[/]\n{run.stderr}")
                return 1
            wanted = await digests(cpo, published_only=True)
            have = await digests(emsp, published_only=False)
        finally:
            if postgres:
                await drop_schemas([cpo, emsp], postgres)
    missing, extra_ids = wanted.keys() - have.keys(), have.keys() - wanted.keys()
    differing = sum(have[k] != v for k, v in wanted.items() if k in have)
    exact = not (missing or extra_ids or differing)
    verdict = (
        "[green]yes[/]"
        if exact
        else f"[red]no: {len(missing)} missing, {len(extra_ids)} extra, {differing} differ[/]"
    )
    pull_seconds = run.report.get("duration_ms", 0) / 1000

    table = Table(title=f"Full pull benchmark ({backend}, CPO http.page_limit = {page_limit})")
    table.add_column("measure")
    table.add_column("value", justify="right")
    for measure, value in (
        ("Locations generated / published by the CPO", f"{count:,} / {published:,}"),
        (
            "stored by the pull / pages",
            f"{run.report.get('stored', 0):,} / {run.report.get('pages')}",
        ),
        ("seconds, sync process spawn to exit", f"{run.seconds:.2f}"),
        ("seconds, the pull itself (duration_ms)", f"{pull_seconds:.2f}"),
        ("objects/s (process)", f"{published / run.seconds:,.0f}"),
        (
            "CPU seconds: sync process with its workers / CPO server meanwhile",
            f"{run.cpu_seconds:.1f} / {cpo_cpu:.1f}",
        ),
        ("CPO server peak RSS", f"{cpo_rss:.0f} MB"),
        ("eMSP server peak RSS (idle: the pull runs in the CLI)", f"{emsp_rss:.0f} MB"),
        (
            "eMSP sync CLI process peak RSS (largest of it and its workers)",
            f"{run.peak_rss_mb:.0f} MB",
        ),
        ("eMSP holds exactly the CPO's published Locations", verdict),
        ("CPO store built in (bulk save, not timed)", f"{build_seconds:.1f} s"),
        ("load average before / after", f"{load_before} / {load_after}"),
    ):
        table.add_row(measure, value)
    console.print(table)
    console.print(f"Command: {shlex.join(command)}")
    console.print(f"{os.cpu_count()} CPUs; load average over 1 / 5 / 15 minutes.")
    return 0 if exact else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--locations", type=int, default=100_000)
    parser.add_argument("--postgres", help="PostgreSQL URL (default: SQLite files)")
    parser.add_argument("--page-limit", type=int, default=1000, help="The CPO's http.page_limit")
    arguments = parser.parse_args()
    sys.exit(asyncio.run(main(arguments.locations, arguments.postgres, arguments.page_limit)))
