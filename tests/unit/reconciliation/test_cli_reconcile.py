"""`evroam reconcile` end to end on a stored partner (typer CliRunner, real database)."""

import asyncio
import csv
import io
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from evroam.cli import load_commands
from evroam.platform import Platform
from evroam.settings import load_settings
from evroam.sim.processes import write_settings
from tests.conftest import DatabaseFactory
from tests.support import party

from .cdrs import june_cdrs, store_partner_data

D = Decimal
runner = CliRunner()
app = load_commands()
JUNE = ["--partner", "cpo", "--from", "2024-06-01", "--to", "2024-06-30"]


async def seed(config: Path) -> None:
    """A partner `cpo` with the three June CDRs (see june_cdrs)."""
    platform = await Platform.open(load_settings(config), migrate_now=True)
    try:
        await store_partner_data(platform, *june_cdrs())
    finally:
        await platform.close()


@pytest.fixture
def config(database: DatabaseFactory, tmp_path: Path) -> Path:
    settings = {
        "database": database("emsp").model_dump(exclude_none=True),
        "parties": [party("EMSP:DE:MSP")],
    }
    path = write_settings(tmp_path / "emsp.toml", settings)
    asyncio.run(seed(path))
    return path


def decimals(text: str) -> Any:
    return json.loads(text, parse_float=Decimal)


class TestReconcile:
    def test_prints_statement_with_exact_amounts_when_json(self, config: Path) -> None:
        result = runner.invoke(app, ["-c", str(config), "reconcile", *JUNE, "--format", "json"])
        assert result.exit_code == 0, result.output
        statement = decimals(result.stdout)
        assert statement["count"] == 3
        assert statement["by_status"] == {"MATCH": 1, "MISMATCH": 2}
        assert statement["by_cause"] == {"ROUNDING": 1, "UNEXPLAINED": 1}
        # CDRs: 9.00 + 10.00 + 4.75 = 23.75 / 10.30 + 10.30 + 5.00 = 25.60;
        # ours: 9.00 + 9.00 + 4.75 = 22.75 / 10.30 + 10.30 + 4.997 = 25.597; difference 1.00.
        [eur] = statement["amounts"]
        assert (eur["currency"], eur["count"]) == ("EUR", 3)
        assert eur["cdr_total"] == {"excl_vat": D("23.75"), "incl_vat": D("25.6")}
        assert eur["our_total"] == {"excl_vat": D("22.75"), "incl_vat": D("25.597")}
        assert eur["difference"] == 1
        assert [w["cdr_id"] for w in statement["worst"]] == ["CDR-B", "CDR-C"]

    def test_prints_one_row_per_cdr_when_csv(self, config: Path) -> None:
        result = runner.invoke(app, ["-c", str(config), "reconcile", *JUNE, "--format", "csv"])
        assert result.exit_code == 0, result.output
        rows = list(csv.DictReader(io.StringIO(result.stdout)))
        assert [(r["cdr_id"], r["status"], r["causes"]) for r in rows] == [
            ("CDR-A", "MATCH", ""),
            ("CDR-B", "MISMATCH", "UNEXPLAINED"),
            ("CDR-C", "MISMATCH", "ROUNDING"),
        ]
        assert [D(r["difference"]) for r in rows] == [0, 1, 0]
        assert D(rows[2]["our_incl_vat"]) == D("4.997")

    def test_prints_amounts_causes_and_worst_cases_when_table(self, config: Path) -> None:
        result = runner.invoke(app, ["-c", str(config), "reconcile", *JUNE])
        assert result.exit_code == 0, result.output
        text = result.stdout
        assert "3 CDRs: MATCH 1, MISMATCH 2" in " ".join(text.split())
        for expected in ("23.75", "22.75", "UNEXPLAINED", "ROUNDING", "CDR-B", "Worst cases"):
            assert expected in text

    def test_counts_only_sessions_in_the_days_given(self, config: Path) -> None:
        days = ["--partner", "cpo", "--from", "2024-06-04", "--to", "2024-06-04"]
        result = runner.invoke(app, ["-c", str(config), "reconcile", *days, "--format", "json"])
        assert [c["cdr_id"] for c in decimals(result.stdout)["cdrs"]] == ["CDR-B"]

    def test_says_how_to_list_partners_when_partner_unknown(self, config: Path) -> None:
        days = ["--partner", "nobody", "--from", "2024-06-01", "--to", "2024-06-30"]
        result = runner.invoke(app, ["-c", str(config), "reconcile", *days])
        assert result.exit_code == 1
        assert "evroam partner list" in result.output
