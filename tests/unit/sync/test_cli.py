"""`evroam sync`: what it says without partners, and for a partner it does not know."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from evroam.cli import load_commands
from evroam.cli.sync import counts, report_json, show, summary
from evroam.sim.processes import write_settings
from evroam.sync.pull import SyncReport
from tests.conftest import DatabaseFactory
from tests.support import party

runner = CliRunner()
app = load_commands()


@pytest.fixture
def config(database: DatabaseFactory, tmp_path: Path) -> Path:
    settings = {
        "database": database("sync").model_dump(exclude_none=True),
        "parties": [party("EMSP:DE:MSP")],
    }
    return write_settings(tmp_path / "sync.toml", settings)


class TestSyncCommand:
    @pytest.mark.parametrize("module", ["locations", "tariffs"])
    def test_says_so_when_no_partner_publishes_the_module(self, config: Path, module: str) -> None:
        result = runner.invoke(app, ["-c", str(config), "sync", module])
        assert result.exit_code == 0, result.output
        assert f"No connected partner publishes a {module} Sender interface" in result.output

    def test_an_unknown_partner_is_an_error_not_a_traceback(self, config: Path) -> None:
        result = runner.invoke(app, ["-c", str(config), "sync", "locations", "--partner", "nope"])
        assert result.exit_code == 1
        assert "nope" in result.output
        assert "Traceback" not in result.output


class TestOutput:
    def test_counts_name_every_number(self) -> None:
        report = SyncReport("cpo", "locations", pages=3, stored=5, unchanged=2, skipped=1)
        report.removed = 4
        assert counts(report) == ("pages 3 · stored 5 · unchanged 2 · skipped 1 · removed 4")

    def test_summary_has_a_row_per_partner_with_its_result(self) -> None:
        ok = SyncReport("cpo", "locations", full=True, stored=2)
        failed = SyncReport("hub", "locations", error="Could not connect")
        table = summary("locations", [ok, failed])
        assert table.row_count == 2
        cells = [list(column.cells) for column in table.columns]
        assert cells[0] == ["cpo", "hub"]
        assert cells[1] == ["full", "incremental"]
        assert cells[-1] == ["[green]ok[/]", "[red]failed[/]"]

    def test_json_report_for_scripts(self) -> None:
        report = SyncReport("cpo", "tariffs", stored=1, duration=timedelta(milliseconds=1500))
        report.date_from = datetime(2026, 3, 1, 9, 55, tzinfo=UTC)
        found = report_json(report)
        assert found["date_from"] == "2026-03-01T09:55:00Z"
        assert found["watermark_after"] is None
        assert (found["stored"], found["duration_ms"], found["error"]) == (1, 1500, None)

    def test_failures_are_named_in_full_on_stderr(self, capsys: pytest.CaptureFixture[str]) -> None:
        show(
            "locations",
            [SyncReport("hub", "locations", error="Could not connect (http://x)")],
            as_json=False,
        )
        assert "hub: Could not connect (http://x)" in capsys.readouterr().err
