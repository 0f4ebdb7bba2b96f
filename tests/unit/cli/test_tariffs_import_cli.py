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


def spare_tariff(tmp_path: Path, text: str = "Cheaper at night") -> Path:
    """A file with one Tariff no Connector uses."""
    path = tmp_path / "spare.json"
    spare = {
        "country_code": "NL",
        "party_id": "CPO",
        "id": "SPARE",
        "currency": "EUR",
        "tariff_alt_text": [{"language": "en", "text": text}],
        "elements": [{"price_components": [{"type": "ENERGY", "price": 0.3, "step_size": 1}]}],
        "last_updated": "2026-05-01T08:00:00Z",
    }
    path.write_text(json.dumps([spare]))
    return path


class TestTariffsDelete:
    def test_unused_tariff_is_deleted(self, config: Path, tmp_path: Path) -> None:
        evroam(config, "tariffs", "import", str(spare_tariff(tmp_path)))
        result = evroam(config, "tariffs", "delete", "spare")
        assert result.exit_code == 0, result.output
        assert "Deleted Tariff spare of NL*CPO" in result.output
        assert "None yet" in evroam(config, "tariffs", "list").output

    def test_tariff_of_a_connector_is_kept_223(self, config: Path, tmp_path: Path) -> None:
        path = tariffs_file(tmp_path)
        evroam(config, "tariffs", "import", str(path))
        evroam(config, "locations", "import", str(tmp_path / "net.ndjson"))
        first = json.loads((tmp_path / "net.ndjson").read_text().splitlines()[0])
        used = first["evses"][0]["connectors"][0]["tariff_ids"][0]
        result = evroam(config, "tariffs", "delete", used)
        assert result.exit_code == 1
        assert "still named in tariff_ids" in " ".join(result.output.split())
        assert used in evroam(config, "tariffs", "list", "--limit", "100").output

    def test_unknown_tariff_says_so(self, config: Path) -> None:
        result = evroam(config, "tariffs", "delete", "NOPE")
        assert result.exit_code == 1
        assert "No Tariff NOPE of NL*CPO" in result.output

    def test_malformed_party_is_a_usage_error(self, config: Path) -> None:
        result = evroam(config, "tariffs", "delete", "SPARE", "--party", "NLCPO")
        assert result.exit_code == 2
        assert "write COUNTRY*PARTY" in result.output


class TestImportAdvice:
    def test_alt_text_with_a_price_is_saved_with_a_warning_224(
        self, config: Path, tmp_path: Path
    ) -> None:
        result = evroam(config, "tariffs", "import", str(spare_tariff(tmp_path, "EUR 0.30/kWh")))
        assert result.exit_code == 0, result.output
        assert summary_row(result.output) == [1, 0, 0, 0]
        flat = " ".join(result.output.split())
        assert "Saved, but worth a look" in flat
        assert "CONFORMANCE 224" in flat
