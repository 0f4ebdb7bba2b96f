"""`evroam tariffs price` end to end through the real command (typer CliRunner)."""

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from evroam.cli import load_commands
from tests.examples import EXAMPLES

D = Decimal
DATA = Path(__file__).parents[2] / "data" / "tariffs"
TARIFF_4 = str(EXAMPLES / "tariff_4_complex.json")
SATURDAY = str(DATA / "session_tariff_4_saturday.json")
runner = CliRunner()


def run(*args: str) -> Any:
    return runner.invoke(load_commands(), ["tariffs", "price", *args])


def said(result: Any) -> str:
    """stderr with Rich's line wrapping undone."""
    return " ".join(str(result.stderr).split())


def decimals(text: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(text, parse_float=Decimal)
    return document


class TestTariffsPrice:
    def test_prints_exact_cdr_totals_when_json_and_tariff_4_saturday_i261(self) -> None:
        # Saturday 13:30 Amsterdam (11:30Z): 114 min at 43 A, then 71 min parking.
        # FLAT 2.50 (x1.15 = 2.875); TIME 1.9 h x 1.25 = 2.375 (x1.20 = 2.85);
        # parking 15:24-16:35 local in Saturday 10:00-17:00: 71 -> 75 min x 6.00 = 7.50 (8.25).
        result = run(TARIFF_4, SATURDAY, "--tz", "Europe/Amsterdam", "--json")
        assert result.exit_code == 0, result.output
        doc = decimals(result.stdout)
        assert doc["total_cost"] == {"excl_vat": D("12.375"), "incl_vat": D("13.975")}
        assert doc["total_fixed_cost"] == {"excl_vat": D("2.5"), "incl_vat": D("2.875")}
        assert doc["total_time_cost"] == {"excl_vat": D("2.375"), "incl_vat": D("2.85")}
        assert doc["total_parking_cost"] == {"excl_vat": D("7.5"), "incl_vat": D("8.25")}
        assert doc["total_energy_cost"] == {"excl_vat": D(0), "incl_vat": D(0)}
        assert doc["total_reservation_cost"] == {"excl_vat": D(0), "incl_vat": D(0)}
        assert doc["total_energy"] == D(50)
        assert doc["total_time"] == D(185) / 60  # 11:30Z-14:35Z, full precision
        assert doc["total_parking_time"] == D(71) / 60
        starts = [p["start_date_time"] for p in doc["charging_periods"]]
        assert starts == ["2024-06-08T11:30:00Z", "2024-06-08T13:24:00Z"]
        assert {"type": "TIME", "volume": D("1.9")} in doc["charging_periods"][0]["dimensions"]
        assert any("elements[3]" in line["text"] for line in doc["explanation"])

    def test_defaults_to_utc_with_note_when_no_tz(self) -> None:
        # In UTC the parking 13:24-14:35 is still inside Saturday 10:00-17:00: same totals.
        result = run(TARIFF_4, SATURDAY, "--json")
        assert result.exit_code == 0
        assert "UTC" in said(result)
        assert decimals(result.stdout)["total_cost"]["excl_vat"] == D("12.375")

    def test_prints_tables_when_explain(self) -> None:
        result = run(TARIFF_4, SATURDAY, "--tz", "Europe/Amsterdam", "--explain")
        assert result.exit_code == 0
        assert "Charging periods" in result.stdout
        assert "12.375" in result.stdout
        assert "Explanation" in result.stdout

    def test_fails_without_traceback_when_file_missing(self, tmp_path: Path) -> None:
        result = run(str(tmp_path / "nope.json"), SATURDAY)
        assert result.exit_code == 1
        assert "tariff file not found" in said(result)
        assert "Traceback" not in result.output

    def test_fails_naming_the_file_when_json_invalid(self, tmp_path: Path) -> None:
        broken = tmp_path / "broken.json"
        broken.write_text("{not json")
        result = run(TARIFF_4, str(broken))
        assert result.exit_code == 1
        assert "broken.json is not valid JSON" in said(result)

    def test_fails_naming_the_field_when_tariff_invalid(self, tmp_path: Path) -> None:
        bad = tmp_path / "bad.json"
        tariff = json.loads(Path(TARIFF_4).read_text())
        tariff["elements"] = []
        bad.write_text(json.dumps(tariff))
        result = run(str(bad), SATURDAY)
        assert result.exit_code == 1
        assert "not a valid tariff" in said(result)
        assert "elements" in said(result)

    def test_fails_clearly_when_time_zone_unknown(self) -> None:
        result = run(TARIFF_4, SATURDAY, "--tz", "Mars/Olympus")
        assert result.exit_code == 1
        assert "Mars/Olympus" in said(result)

    def test_fails_clearly_when_timeline_lacks_end(self, tmp_path: Path) -> None:
        session = json.loads(Path(SATURDAY).read_text())
        session["timeline"][-1]["state"] = "PARKING"
        path = tmp_path / "session.json"
        path.write_text(json.dumps(session))
        result = run(TARIFF_4, str(path))
        assert result.exit_code == 1
        assert "END" in said(result)

    def test_uses_alternative_reading_when_option_given(self) -> None:
        # tariff_14 example 3 with --step-total MEASURED: 0.78 instead of 0.73 (A5).
        result = run(
            str(EXAMPLES / "tariff_14_step_size.json"),
            str(DATA / "session_tariff_14_example_3.json"),
            "--tz",
            "Europe/Amsterdam",
            "--step-total",
            "MEASURED",
            "--json",
        )
        assert result.exit_code == 0, result.output
        assert decimals(result.stdout)["total_cost"]["excl_vat"] == D("0.78")
