"""The `evroam` command: help everywhere, errors that say what to do next, no tracebacks."""

from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from evroam.cli import load_commands
from evroam.sim.processes import write_settings
from tests.conftest import DatabaseFactory
from tests.support import party

runner = CliRunner()
app = load_commands()


def commands(group: typer.Typer, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = [
        (*prefix, c.name or c.callback.__name__) for c in group.registered_commands if c.callback
    ]
    for sub in group.registered_groups:
        assert sub.typer_instance is not None
        found += commands(sub.typer_instance, (*prefix, sub.name or ""))
    return found


@pytest.fixture
def config(database: DatabaseFactory, tmp_path: Path) -> Path:
    settings = {
        "database": database("cli").model_dump(exclude_none=True),
        "parties": [party("CPO:NL:CPO")],
    }
    return write_settings(tmp_path / "cli.toml", settings)


class TestHelp:
    @pytest.mark.parametrize("command", commands(app), ids=" ".join)
    def test_every_command_explains_itself(self, command: tuple[str, ...]) -> None:
        result = runner.invoke(app, [*command, "--help"])
        assert result.exit_code == 0
        assert "Usage" in result.output
        lines = [line for line in result.output.splitlines() if line.strip().strip("│").strip()]
        assert len(lines) > 4

    def test_partner_commands_are_all_there(self) -> None:
        names = {c[-1] for c in commands(app) if c[0] == "partner"}
        assert names >= {"invite", "register", "list", "show", "rotate", "unregister"}


class TestErrors:
    def test_unknown_partner_says_how_to_list_partners(self, config: Path) -> None:
        result = runner.invoke(app, ["-c", str(config), "partner", "show", "nobody"])
        assert result.exit_code == 1
        assert "evroam partner list" in result.output

    def test_rotate_before_registration_says_register_first(self, config: Path) -> None:
        assert runner.invoke(app, ["-c", str(config), "partner", "invite", "p"]).exit_code == 0
        result = runner.invoke(app, ["-c", str(config), "partner", "rotate", "p"])
        assert result.exit_code == 1
        assert "register before rotating" in result.output

    def test_invalid_settings_file_is_explained(self, tmp_path: Path) -> None:
        path = tmp_path / "bad.toml"
        path.write_text('public_url = "ftp://nowhere"\n')
        result = runner.invoke(app, ["-c", str(path), "partner", "list"])
        assert result.exit_code == 1
        assert "settings are invalid" in result.output

    def test_serve_without_parties_says_how_to_declare_one(self, tmp_path: Path) -> None:
        path = write_settings(tmp_path / "empty.toml", {"public_url": "http://127.0.0.1:1"})
        result = runner.invoke(app, ["-c", str(path), "serve"])
        assert result.exit_code == 1
        assert "[[parties]]" in result.output

    def test_invite_prints_url_and_token_once(self, config: Path) -> None:
        result = runner.invoke(app, ["-c", str(config), "partner", "invite", "p", "--json"])
        assert result.exit_code == 0
        assert '"versions_url": "http://127.0.0.1:8000/ocpi/versions"' in result.output
        listing = runner.invoke(app, ["-c", str(config), "partner", "list"])
        assert "INVITED" in listing.output

    def test_names_with_markup_are_shown_literally(self, config: Path) -> None:
        runner.invoke(app, ["-c", str(config), "partner", "invite", "[bold]x[/]"])
        listing = runner.invoke(app, ["-c", str(config), "partner", "list"])
        assert "[bold]x[/]" in listing.output
