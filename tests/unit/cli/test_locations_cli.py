"""`evroam locations`: import (JSON array or NDJSON, streamed, rejects by line), list, status."""

import asyncio
import io
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from evroam.cli import load_commands, out
from evroam.cli.locations import Parsed, Reject, read_documents
from evroam.modules.locations.enums import Status
from evroam.modules.locations.model import Location
from evroam.modules.locations.publish import find_own_location, own_locations
from evroam.platform import Platform
from evroam.settings import load_settings
from evroam.sim.processes import write_settings
from tests.conftest import DatabaseFactory
from tests.support import party

runner = CliRunner()
app = load_commands()


@pytest.fixture(autouse=True)
def wide_tables(monkeypatch: pytest.MonkeyPatch) -> None:
    """Table cells on one line, whatever terminal the tests run in."""
    monkeypatch.setattr(out, "_width", 200)


@pytest.fixture
def config(database: DatabaseFactory, tmp_path: Path) -> Path:
    settings = {
        "database": database("cli").model_dump(exclude_none=True),
        "parties": [party("CPO:NL:CPO")],
    }
    return write_settings(tmp_path / "cli.toml", settings)


def evroam(config: Path, *args: str) -> Result:
    return runner.invoke(app, ["-c", str(config), *args])


def network(tmp_path: Path, count: int, name: str = "net.ndjson") -> Path:
    out = tmp_path / name
    result = runner.invoke(app, ["sim", "network", "--locations", str(count), "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


def stored(config: Path, location_id: str) -> Location | None:
    async def read() -> Location | None:
        platform = await Platform.open(load_settings(config))
        try:
            return await find_own_location(platform, location_id)
        finally:
            await platform.close()

    return asyncio.run(read())


def total(config: Path) -> int:
    async def count() -> int:
        platform = await Platform.open(load_settings(config))
        try:
            return (await own_locations(platform, limit=1))[1]
        finally:
            await platform.close()

    return asyncio.run(count())


def summary_row(output: str) -> list[int]:
    """created, updated, unchanged, rejected from the summary table."""
    lines = output.splitlines()
    header = next(i for i, line in enumerate(lines) if "created" in line and "rejected" in line)
    return [int(cell) for cell in lines[header + 2].strip("│ ").split("│")]


class TestImport:
    def test_generated_network_is_stored_when_imported(self, config: Path, tmp_path: Path) -> None:
        result = evroam(config, "locations", "import", str(network(tmp_path, 12)), "--batch", "5")
        assert result.exit_code == 0, result.output
        assert summary_row(result.output) == [12, 0, 0, 0]
        assert total(config) == 12
        assert stored(config, "LOC000012") is not None

    def test_reimport_changes_nothing_when_the_file_is_the_same(
        self, config: Path, tmp_path: Path
    ) -> None:
        path = network(tmp_path, 4)
        assert evroam(config, "locations", "import", str(path)).exit_code == 0
        again = evroam(config, "locations", "import", str(path))
        assert summary_row(again.output) == [0, 0, 4, 0]

    def test_json_array_is_detected_from_the_content(self, config: Path, tmp_path: Path) -> None:
        source = network(tmp_path, 3, "net.json").read_text()
        path = tmp_path / "array.txt"  # no telling suffix: the content decides
        path.write_text(source)
        result = evroam(config, "locations", "import", str(path))
        assert result.exit_code == 0, result.output
        assert summary_row(result.output) == [3, 0, 0, 0]

    def test_bad_lines_are_listed_by_line_and_the_rest_is_stored(
        self, config: Path, tmp_path: Path
    ) -> None:
        lines = network(tmp_path, 5).read_text().splitlines()
        foreign = json.loads(lines[3]) | {"country_code": "DE", "party_id": "XYZ"}
        lines[1] = lines[1][:50]  # cut short
        lines[2] = json.dumps(json.loads(lines[2]) | {"city": None})
        lines[3] = json.dumps(foreign)
        path = tmp_path / "broken.ndjson"
        path.write_text("\n".join(lines) + "\n")
        result = evroam(config, "locations", "import", str(path), "--batch", "2")
        assert result.exit_code == 1
        assert summary_row(result.output) == [2, 0, 0, 3]
        assert "│    2 │ not valid JSON" in result.output
        assert "│    3 │ city:" in result.output
        assert "│    4 │ Location LOC000004 belongs to DE*XYZ" in result.output
        assert [stored(config, f"LOC00000{n}") is not None for n in range(1, 6)] == [
            True,
            False,
            False,
            False,
            True,
        ]

    def test_only_the_first_rejects_are_listed(self, config: Path, tmp_path: Path) -> None:
        path = tmp_path / "junk.ndjson"
        path.write_text("".join(f'{{"id": "X{n}"}}\n' for n in range(5)))
        result = evroam(config, "locations", "import", str(path), "--show-rejects", "2")
        assert result.exit_code == 1
        assert "│    2 │" in result.output
        assert "│    3 │" not in result.output
        assert "and 3 more" in result.output

    @pytest.mark.parametrize(
        ("content", "message"), [("", "is empty"), ("hello", "neither a JSON array nor NDJSON")]
    )
    def test_unreadable_file_is_explained(
        self, config: Path, tmp_path: Path, content: str, message: str
    ) -> None:
        path = tmp_path / "file.json"
        path.write_text(content)
        result = evroam(config, "locations", "import", str(path))
        assert result.exit_code == 1
        assert message in result.output
        assert str(path) in result.output

    def test_missing_file_says_so(self, config: Path, tmp_path: Path) -> None:
        result = evroam(config, "locations", "import", str(tmp_path / "nope.json"))
        assert result.exit_code == 1
        assert "Cannot read" in result.output


class TestReadDocuments:
    def read(self, data: bytes) -> list[Parsed | Reject]:
        return list(read_documents(io.BytesIO(data)))

    def test_pretty_printed_array_resumes_after_a_broken_element(self) -> None:
        data = (
            b'[\n  {\n    "a": {\n      "b": 1\n    }\n  },\n  {\n    "c": x\n  },\n  {"d": 2.5}\n]'
        )
        found = self.read(data)
        assert found[0] == Parsed(2, {"a": {"b": 1}})
        assert isinstance(found[1], Reject)
        assert found[1].line == 7
        assert "resumed at line 10" in found[1].reason
        assert found[2] == Parsed(10, {"d": pytest.approx(2.5)})

    def test_numbers_are_decimals_not_floats(self) -> None:
        [found] = self.read(b'{"price": 0.1}\n')
        assert isinstance(found, Parsed)
        assert str(found.value["price"]) == "0.1"

    def test_truncated_array_is_reported(self) -> None:
        found = self.read(b'[{"a": 1},\n{"b": 2}')
        assert found[-1] == Reject(2, "the array is not closed with ]: is the file cut short?")

    def test_elements_split_across_chunks_are_read_whole(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr("evroam.cli.locations.CHUNK", 3)
        found = self.read(b'\xef\xbb\xbf[{"name": "Stra\xc3\x9fe", "n": 123456789}, true]')
        assert found == [Parsed(1, {"name": "Straße", "n": 123456789}), Parsed(1, True)]

    @pytest.mark.parametrize("opening", [b"", b"[\n"])
    def test_objects_come_while_the_file_is_read(self, opening: bytes) -> None:
        stream = Endless(opening, b'{"id": "LOC"},\n' if opening else b'{"id": "LOC"}\n')
        found = read_documents(io.BufferedReader(stream))
        assert [next(found) for _ in range(10_000)][-1] == Parsed(
            10_000 + bool(opening), {"id": "LOC"}
        )
        assert stream.produced < 1_000_000  # 10,000 objects are 150 kB; the stream is endless


class Endless(io.RawIOBase):
    """An opening, then the same line forever: only a streaming reader gets anything out."""

    def __init__(self, opening: bytes, line: bytes) -> None:
        self.opening, self.line, self.produced = opening, line, 0
        self.pending = opening

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = 0) -> int:
        assert (offset, whence) == (0, 0)
        self.pending = self.opening  # every line is the same: a rewind is a fresh start
        return 0

    def readinto(self, buffer: Any) -> int:
        while len(self.pending) < len(buffer):
            self.pending += self.line * 64
        size = len(buffer)
        buffer[:size], self.pending = self.pending[:size], self.pending[size:]
        self.produced += size
        return size


class TestList:
    def test_lists_ids_cities_and_status_counts(self, config: Path, tmp_path: Path) -> None:
        evroam(config, "locations", "import", str(network(tmp_path, 3)))
        location = stored(config, "LOC000002")
        assert location is not None
        result = evroam(config, "locations", "list", "--offset", "1", "--limit", "1")
        assert result.exit_code == 0
        assert "LOC000002" in result.output
        assert "LOC000001" not in result.output
        assert location.city in result.output
        assert "2–2 of 3" in result.output

    def test_empty_list_says_how_to_import(self, config: Path) -> None:
        result = evroam(config, "locations", "list")
        assert result.exit_code == 0
        assert "evroam locations import" in result.output


class TestSetStatus:
    def test_status_is_stored_in_any_case(self, config: Path, tmp_path: Path) -> None:
        evroam(config, "locations", "import", str(network(tmp_path, 1)))
        result = evroam(config, "locations", "set-status", "LOC000001", "LOC000001-1", "removed")
        assert result.exit_code == 0, result.output
        location = stored(config, "LOC000001")
        assert location is not None
        assert location.evses
        assert location.evses[0].status is Status.REMOVED

    def test_unknown_status_lists_the_values(self, config: Path) -> None:
        result = evroam(config, "locations", "set-status", "L", "E", "BROKEN")
        assert result.exit_code == 2
        assert "AVAILABLE" in result.output
        assert "OUTOFORDER" in result.output

    def test_party_must_be_country_star_party(self, config: Path) -> None:
        result = evroam(config, "locations", "set-status", "L", "E", "CHARGING", "--party", "NL")
        assert result.exit_code == 2
        assert "NL*CPO" in result.output

    def test_unknown_location_says_how_to_list(self, config: Path) -> None:
        result = evroam(
            config, "locations", "set-status", "NOPE", "E", "CHARGING", "--party", "NL*CPO"
        )
        assert result.exit_code == 1
        assert "evroam locations list" in result.output
