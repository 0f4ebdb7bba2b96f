"""`evroam tokens`: issue, import, block, unblock, list and show our own Tokens (eMSP)."""

import json
from pathlib import Path

import pytest
from typer.testing import Result

from evroam.sim.processes import write_settings
from tests.conftest import DatabaseFactory
from tests.contract.tokens_support import token
from tests.support import party
from tests.unit.cli import test_locations_cli as cli
from tests.unit.cli.test_locations_cli import app, runner, summary_row

wide_tables = cli.wide_tables  # table cells on one line


@pytest.fixture
def config(database: DatabaseFactory, tmp_path: Path) -> Path:
    settings = {
        "database": database("cli").model_dump(exclude_none=True),
        "parties": [party("EMSP:DE:MSP")],
    }
    return write_settings(tmp_path / "cli.toml", settings)


def tokens(config: Path, *args: str) -> Result:
    return runner.invoke(app, ["-c", str(config), "tokens", *args])


class TestHelp:
    def test_group_help_explains_push_and_blocking(self) -> None:
        result = runner.invoke(app, ["tokens", "--help"])
        assert result.exit_code == 0
        assert {"issue", "import", "block", "unblock", "list", "show"} <= set(result.output.split())
        assert "never deleted" in result.output

    def test_issue_help_names_the_defaults(self) -> None:
        result = runner.invoke(app, ["tokens", "issue", "--help"])
        assert "generated for" in result.output
        assert "NEVER for app" in result.output


class TestIssue:
    def test_issued_card_is_listed_and_shown(self, config: Path) -> None:
        issued = tokens(config, "issue", "--uid", "04A2B3C4", "--visual-number", "DF-1")
        assert issued.exit_code == 0, issued.output
        assert "Issued RFID token 04A2B3C4" in issued.output
        listing = tokens(config, "list")
        assert "Our Tokens 1–1 of 1" in listing.output
        assert "04A2B3C4" in listing.output
        assert "ALLOWED" in listing.output
        shown = tokens(config, "show", "04a2b3c4", "--json")
        document = json.loads(shown.output)
        assert document["token"]["visual_number"] == "DF-1"
        assert document["token"]["contract_id"].startswith("DEMSPC")

    def test_app_user_gets_a_generated_uid_and_whitelist_never(self, config: Path) -> None:
        """J.295."""
        issued = tokens(config, "issue", "--type", "app_user")
        assert issued.exit_code == 0, issued.output
        assert "NEVER" in issued.output

    def test_policy_is_shown_with_the_token(self, config: Path) -> None:
        issued = tokens(
            config,
            "issue",
            "--uid",
            "C1",
            "--expires",
            "2027-01-01T00:00:00Z",
            "--location",
            "LOC1:E1,E2",
            "--location",
            "LOC2",
        )
        assert issued.exit_code == 0, issued.output
        shown = tokens(config, "show", "C1")
        assert "expires 2027-01-01T00:00:00Z, only at LOC1 (E1, E2); LOC2" in shown.output

    @pytest.mark.parametrize(
        ("args", "message"),
        [
            (["--type", "RFID"], "give the uid"),
            (["--uid", "X", "--type", "APP_USER", "--whitelist", "allowed"], "whitelist NEVER"),
            (["--uid", "X", "--group-id", "G" * 21], "longer than 20"),
            (["--uid", "X", "--language", "nld"], "evroam tokens issue --help"),
            (["--uid", "X", "--expires", "tomorrow"], "evroam tokens issue --help"),
            (["--uid", "X", "--party", "NL*CPO"], "not one of this platform's eMSP parties"),
        ],
    )
    def test_refused_orders_say_what_to_do(
        self, config: Path, args: list[str], message: str
    ) -> None:
        result = tokens(config, "issue", *args)
        assert result.exit_code in (1, 2)
        assert message in result.output
        assert "Traceback" not in result.output

    def test_second_issue_of_a_uid_is_refused(self, config: Path) -> None:
        tokens(config, "issue", "--uid", "X1")
        again = tokens(config, "issue", "--uid", "X1")
        assert again.exit_code == 1
        assert "issued already" in again.output


class TestBlock:
    def test_block_then_unblock(self, config: Path) -> None:
        tokens(config, "issue", "--uid", "X1")
        blocked = tokens(config, "block", "X1")
        assert "is blocked" in blocked.output
        assert "blocked" in tokens(config, "list").output
        unblocked = tokens(config, "unblock", "X1", "--type", "RFID")
        assert "valid again" in unblocked.output
        assert "valid" in tokens(config, "list").output

    def test_unknown_token_says_where_to_look(self, config: Path) -> None:
        result = tokens(config, "block", "NOPE")
        assert result.exit_code == 1
        assert "evroam tokens list" in result.output

    def test_show_of_an_unknown_token_fails(self, config: Path) -> None:
        result = tokens(config, "show", "NOPE", "--type", "APP_USER")
        assert result.exit_code == 1
        assert "No APP_USER token NOPE" in result.output


class TestImport:
    def test_valid_lines_saved_and_bad_ones_listed(self, config: Path, tmp_path: Path) -> None:
        path = tmp_path / "tokens.ndjson"
        lines = [
            json.dumps(token("T1")),
            json.dumps(token("T2", token_type="APP_USER")),  # whitelist ALLOWED: J.295
            json.dumps(token("T3", whitelist="NEVER")),
        ]
        path.write_text("\n".join(lines) + "\n")
        result = tokens(config, "import", str(path))
        assert result.exit_code == 1
        assert summary_row(result.output) == [2, 0, 0, 1]
        assert "│    2 │ Token T2 is an APP_USER token" in result.output
        again = tokens(config, "import", str(path))
        assert summary_row(again.output) == [0, 0, 2, 1]

    def test_json_array_imported(self, config: Path, tmp_path: Path) -> None:
        path = tmp_path / "tokens.json"
        path.write_text(json.dumps([token(f"T{n}") for n in range(3)]))
        result = tokens(config, "import", str(path))
        assert result.exit_code == 0, result.output
        assert summary_row(result.output) == [3, 0, 0, 0]

    def test_empty_list_says_how_to_add_some(self, config: Path) -> None:
        assert "evroam tokens import" in tokens(config, "list").output
