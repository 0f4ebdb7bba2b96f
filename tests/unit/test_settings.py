"""Settings: parties, files, environment overrides, unsafe values refused."""

from pathlib import Path

import pytest
from pydantic import ValidationError

from evroam.errors import ConfigurationError
from evroam.platform import Platform
from evroam.settings import Settings, load_settings
from evroam.storage.database import create_engine
from tests.support import party

TOML = """
public_url = "https://ocpi.example.com/"
[database]
url = "sqlite+aiosqlite:///x.db"
[[parties]]
role = "CPO"
country_code = "nl"
party_id = "tnm"
business_details = { name = "TNM" }
"""


class TestLoadSettings:
    def test_file_values_are_read_and_normalised(self, tmp_path: Path) -> None:
        path = tmp_path / "evroam.toml"
        path.write_text(TOML)
        settings = load_settings(path)
        assert settings.public_url == "https://ocpi.example.com"
        assert (settings.parties[0].country_code, settings.parties[0].party_id) == ("NL", "TNM")

    def test_environment_overrides_the_file(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        path = tmp_path / "evroam.toml"
        path.write_text(TOML)
        monkeypatch.setenv("EVROAM_DATABASE__URL", "sqlite+aiosqlite:///other.db")
        assert load_settings(path).database.url == "sqlite+aiosqlite:///other.db"

    def test_missing_file_says_so(self, tmp_path: Path) -> None:
        with pytest.raises(ConfigurationError, match="does not exist"):
            load_settings(tmp_path / "nope.toml")

    def test_invalid_toml_says_so(self, tmp_path: Path) -> None:
        path = tmp_path / "bad.toml"
        path.write_text("public_url = ")
        with pytest.raises(ConfigurationError, match="not valid TOML"):
            load_settings(path)

    @pytest.mark.parametrize(
        "values",
        [
            {"public_url": "ftp://x"},
            {"parties": [{**party("CPO:NL:TNM"), "country_code": "NLD"}]},
            {"parties": [{**party("CPO:NL:TNM"), "role": "cpo"}]},
            {"unknown_setting": 1},
        ],
    )
    def test_unsafe_or_malformed_values_are_refused(self, values: dict[str, object]) -> None:
        with pytest.raises(ValidationError):
            Settings(**values)  # type: ignore[arg-type]


class TestParties:
    def test_no_party_is_a_configuration_error_with_advice(self) -> None:
        with pytest.raises(ConfigurationError, match=r"\[\[parties\]\]"):
            Settings().require_parties()

    def test_duplicate_party_is_refused(self) -> None:
        with pytest.raises(ConfigurationError, match="only once"):
            Settings(parties=[party("CPO:NL:TNM"), party("CPO:nl:tnm")]).require_parties()

    def test_same_party_in_two_roles_is_allowed(self) -> None:
        settings = Settings(parties=[party("CPO:NL:TNM"), party("EMSP:NL:TNM")])
        assert len(settings.require_parties()) == 2

    def test_hub_must_be_the_only_party(self) -> None:
        """CONFORMANCE D.111: a Hub reports only itself."""
        with pytest.raises(ConfigurationError, match="HUB"):
            Settings(parties=[party("HUB:NL:HUB"), party("CPO:NL:TNM")]).require_parties()

    async def test_hub_credentials_carry_exactly_one_hub_role(self, tmp_path: Path) -> None:
        """CONFORMANCE D.111."""
        settings = Settings(
            parties=[party("HUB:NL:HUB")],
            database={"url": f"sqlite+aiosqlite:///{tmp_path}/h.db"},
        )
        platform = Platform(settings, create_engine(settings.database))
        roles = platform.credentials("t").roles
        await platform.close()
        assert [(r.role, r.country_code, r.party_id) for r in roles] == [("HUB", "NL", "HUB")]
