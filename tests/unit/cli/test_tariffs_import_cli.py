"""`evroam tariffs import` and `list`: our own Tariffs from a file, beside `tariffs price`."""

import json
from pathlib import Path

from tests.unit.cli import test_locations_cli as cli
from tests.unit.cli.test_locations_cli import app, evroam, runner, summary_row

config = cli.config  # the same fixtures: a settings file, wide tables
wide_tables = cli.wide_tables


def tariffs_file(tmp_path: Path, fmt: str = "ndjson") -> Path:
    out = tmp_path / f"net.{fmt}"
    result = runner.invoke(app, ["sim", "network", "--locations", "1", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return tmp_path / f"net.tariffs.{fmt}"


class TestTariffsImport:
    def test_generated_tariffs_are_stored_and_listed(self, config: Path, tmp_path: Path) -> None:
        path = tariffs_file(tmp_path, "json")
        count = len(json.loads(path.read_text()))
        result = evroam(config, "tariffs", "import", str(path), "--batch", "50")
        assert result.exit_code == 0, result.output
        assert summary_row(result.output) == [count, 0, 0, 0]
        listing = evroam(config, "tariffs", "list", "--limit", "2")
        assert f"1–2 of {count}" in listing.output
        assert "NL-AC-STANDARD" in listing.output

    def test_changed_price_counts_as_updated(self, config: Path, tmp_path: Path) -> None:
        path = tariffs_file(tmp_path)
        lines = path.read_text().splitlines()
        evroam(config, "tariffs", "import", str(path))
        first = json.loads(lines[0])
        first["elements"][0]["price_components"][0]["price"] = 0.99
        path.write_text("\n".join([json.dumps(first), *lines[1:]]) + "\n")
        result = evroam(config, "tariffs", "import", str(path))
        assert summary_row(result.output) == [0, 1, len(lines) - 1, 0]

    def test_rejects_are_listed_with_their_lines(self, config: Path, tmp_path: Path) -> None:
        good = tariffs_file(tmp_path).read_text().splitlines()[0]
        path = tmp_path / "mixed.ndjson"
        foreign = json.loads(good) | {"country_code": "BE", "party_id": "ABC"}
        path.write_text(f'{good}\n\n{{"id": "X"}}\n[]\n{json.dumps(foreign)}\n')
        result = evroam(config, "tariffs", "import", str(path))
        assert result.exit_code == 1
        assert summary_row(result.output) == [1, 0, 0, 3]
        assert "│    3 │ country_code: Field required" in result.output
        assert "│    4 │ expected a JSON object, found list" in result.output
        assert "│    5 │ Tariff NL-AC-STANDARD belongs to BE*ABC" in result.output

    def test_price_command_is_still_there(self) -> None:
        result = runner.invoke(app, ["tariffs", "--help"])
        assert {"price", "import", "list"} <= set(result.output.split())

    def test_empty_list_says_how_to_import(self, config: Path) -> None:
        assert "evroam tariffs import" in evroam(config, "tariffs", "list").output
