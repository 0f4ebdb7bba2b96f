"""Shared benchmark plumbing: two live platforms on loopback, their databases, a clock."""

import asyncio
import tempfile
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractAsyncContextManager, contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from evroam.platform import Platform
from evroam.settings import load_settings
from evroam.sim.processes import Node, connect, free_port, start, stop, write_settings
from evroam.storage.database import normalize_url


def database(workdir: Path, name: str, postgres: str | None) -> dict[str, Any]:
    if postgres:
        return {"url": postgres, "db_schema": f"bench_{name}_{uuid.uuid4().hex[:8]}"}
    return {"url": f"sqlite+aiosqlite:///{workdir / name}.db"}


def node(workdir: Path, name: str, party: str, postgres: str | None, **extra: Any) -> Node:
    role, country, party_id = party.split(":")
    port = free_port()
    settings = {
        "public_url": f"http://127.0.0.1:{port}",
        "database": database(workdir, name, postgres),
        "parties": [
            {
                "role": role,
                "country_code": country,
                "party_id": party_id,
                "business_details": {"name": name},
            }
        ],
        **extra,
    }
    return Node(name, write_settings(workdir / f"{name}.toml", settings), port)


@contextmanager
def live_pair(postgres: str | None, **extra: Any) -> Iterator[tuple[Node, Node, Path]]:
    """A registered CPO and eMSP as server processes; removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="evroam-bench-") as tmp:
        workdir = Path(tmp)
        cpo = node(workdir, "cpo", "CPO:NL:CPO", postgres, **extra)
        emsp = node(workdir, "emsp", "EMSP:DE:MSP", postgres, **extra)
        start(cpo, workdir)
        start(emsp, workdir)
        try:
            connect(cpo, emsp)
            yield cpo, emsp, workdir
        finally:
            stop(cpo)
            stop(emsp)
            if postgres:  # leave the database as it was found
                # a thread of its own: the benchmark may be inside an event loop here
                with ThreadPoolExecutor(1) as pool:
                    pool.submit(asyncio.run, drop_schemas(postgres, [cpo, emsp])).result()


async def drop_schemas(postgres: str, nodes: list[Node]) -> None:
    """Drop the PostgreSQL schemas the nodes' databases were made in."""
    engine = create_async_engine(normalize_url(postgres))
    try:
        async with engine.begin() as conn:
            for found in nodes:
                schema = load_settings(found.config).database.db_schema
                if schema:
                    await conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    finally:
        await engine.dispose()


def opened(node: Node) -> AbstractAsyncContextManager[Platform]:
    """The node's platform, opened in this process (its database, no server)."""
    return node.opened()


async def wait_for(predicate: Any, *, timeout: float, interval: float = 0.1) -> float:
    """Poll an async predicate until true; returns when it became true (perf_counter)."""
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        if await predicate():
            return time.perf_counter()
        await asyncio.sleep(interval)
    raise TimeoutError(f"condition not reached within {timeout:.0f} s")


def peak_rss_mb(pid: int) -> float:
    """Peak resident memory of a live process (VmHWM), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")
