"""`evroam sim network` run through the real Typer app, writing files that re-parse."""

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import evroam.cli.sim  # noqa: F401  (registers `sim` on the app)
from evroam.cli import app
from evroam.modules.locations.model import Location
from evroam.modules.tariffs.model import Tariff

runner = CliRunner()


def run(*args: str) -> str:
    result = runner.invoke(app, ["sim", "network", *args])
    assert result.exit_code == 0, result.output
    return result.stdout


def referenced_tariffs(locations: list[Location]) -> set[str]:
    return {
        t
        for loc in locations
        for e in loc.evses or []
        for c in e.connectors
        for t in c.tariff_ids or []
    }


class TestSimNetwork:
    def test_writes_ndjson_and_tariffs_beside_it_when_out_is_ndjson(self, tmp_path: Path) -> None:
        out = tmp_path / "net.ndjson"
        run("--locations", "40", "--seed", "3", "--out", str(out))
        lines = out.read_text(encoding="utf-8").splitlines()
        locations = [Location.model_validate_json(line) for line in lines]
        assert [loc.id for loc in locations] == [f"LOC{n:06d}" for n in range(1, 41)]
        tariff_lines = (tmp_path / "net.tariffs.ndjson").read_text(encoding="utf-8").splitlines()
        tariffs = {Tariff.model_validate_json(line).id for line in tariff_lines}
        assert referenced_tariffs(locations) <= tariffs

    def test_writes_json_arrays_when_out_is_json(self, tmp_path: Path) -> None:
        out = tmp_path / "net.json"
        run("--locations", "7", "--seed", "3", "--out", str(out))
        locations = [Location.model_validate(d) for d in json.loads(out.read_text("utf-8"))]
        assert len(locations) == 7
        tariffs = json.loads((tmp_path / "net.tariffs.json").read_text("utf-8"))
        assert referenced_tariffs(locations) <= {Tariff.model_validate(t).id for t in tariffs}

    def test_format_option_wins_over_file_name(self, tmp_path: Path) -> None:
        out = tmp_path / "net.data"
        tariffs = tmp_path / "prices.ndjson"
        run(
            "--locations", "2", "--format", "json", "--out", str(out), "--tariffs-out", str(tariffs)
        )
        assert len(json.loads(out.read_text("utf-8"))) == 2
        assert tariffs.read_text("utf-8").startswith("[")
        assert not (tmp_path / "net.tariffs.json").exists()

    def test_identical_files_when_same_seed(self, tmp_path: Path) -> None:
        first, second = tmp_path / "a.ndjson", tmp_path / "b.ndjson"
        run("--locations", "25", "--seed", "8", "--out", str(first))
        run("--locations", "25", "--seed", "8", "--out", str(second))
        assert first.read_bytes() == second.read_bytes()
        assert (tmp_path / "a.tariffs.ndjson").read_bytes() == (
            tmp_path / "b.tariffs.ndjson"
        ).read_bytes()

    def test_owner_from_options(self, tmp_path: Path) -> None:
        out = tmp_path / "be.ndjson"
        run("--locations", "3", "--country-code", "be", "--party-id", "ABC", "--out", str(out))
        for line in out.read_text("utf-8").splitlines():
            location = Location.model_validate_json(line)
            assert (location.country_code, location.party_id) == ("BE", "ABC")

    def test_locations_on_stdout_when_no_out(self) -> None:
        lines = run("--locations", "3", "--seed", "1").splitlines()
        assert [Location.model_validate_json(line).id for line in lines] == [
            "LOC000001",
            "LOC000002",
            "LOC000003",
        ]

    @pytest.mark.parametrize(
        ("option", "value", "message"),
        [("--country-code", "NLD", "two letters"), ("--party-id", "CP", "three letters")],
    )
    def test_fails_with_advice_when_owner_invalid(
        self, tmp_path: Path, option: str, value: str, message: str
    ) -> None:
        out = tmp_path / "x.ndjson"
        result = runner.invoke(app, ["sim", "network", option, value, "--out", str(out)])
        assert result.exit_code == 1
        assert message in result.stderr
        assert not out.exists()

    def test_fails_with_advice_when_folder_missing(self, tmp_path: Path) -> None:
        out = tmp_path / "missing" / "net.ndjson"
        result = runner.invoke(app, ["sim", "network", "--locations", "1", "--out", str(out)])
        assert result.exit_code == 1
        assert "Cannot write" in result.stderr
