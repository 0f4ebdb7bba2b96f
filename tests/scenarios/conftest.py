"""Scenario fixtures: platforms as real `evroam serve` processes on free loopback ports."""

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from evroam.sim.processes import Node, free_port, start, stop, write_settings
from tests.conftest import DatabaseFactory
from tests.support import party

Spawn = Callable[..., Node]


@pytest.fixture
def spawn(database: DatabaseFactory, tmp_path: Path) -> Iterator[Spawn]:
    """spawn("cpo", "CPO:NL:CPO", …) → a running platform with its own database and log."""
    nodes: list[Node] = []

    def make(name: str, *parties: str, running: bool = True) -> Node:
        port = free_port()
        settings = {
            "public_url": f"http://127.0.0.1:{port}",
            "database": database(name).model_dump(exclude_none=True),
            "parties": [party(p) for p in parties],
            # no scheduled pull: it would start at a random moment within five minutes and
            # race the pulls a test makes with the CLI
            "sync": {"enabled": False},
        }
        node = Node(name, write_settings(tmp_path / f"{name}.toml", settings), port)
        nodes.append(node)
        if running:
            start(node, tmp_path)
        return node

    yield make
    for node in nodes:
        stop(node)
