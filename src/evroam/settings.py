"""One typed Settings object, built once by the entry point and passed in (never a global).

Sources, strongest first: environment variables (`EVROAM_…`, nested with `__`, for example
`EVROAM_DATABASE__URL`), then the TOML file given to `load_settings`, then the defaults.
"""

import tomllib
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr, StringConstraints, field_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from evroam.chargers.settings import ChargersSettings
from evroam.errors import ConfigurationError
from evroam.protocol.auth import TokenEncoding
from evroam.sync.settings import SyncSettings


class Role(StrEnum):
    """Role of a party (2.2.1 Types §16.5)."""

    CPO = "CPO"
    EMSP = "EMSP"
    HUB = "HUB"
    NAP = "NAP"
    NSP = "NSP"
    OTHER = "OTHER"
    SCSP = "SCSP"


class BusinessDetails(BaseModel):
    """Who a party is, as announced in credentials (2.2.1 Locations §8.4.2)."""

    model_config = ConfigDict(extra="forbid")
    name: Annotated[str, StringConstraints(min_length=1, max_length=100)]
    website: Annotated[str, StringConstraints(max_length=255)] | None = None


class PartySettings(BaseModel):
    """One local party: a (role, country_code, party_id) this platform speaks for."""

    model_config = ConfigDict(extra="forbid")
    role: Role
    country_code: Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{2}$")]
    party_id: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9]{3}$")]
    business_details: BusinessDetails

    @field_validator("country_code", "party_id")
    @classmethod
    def _upper(cls, value: str) -> str:
        return value.upper()


class DatabaseSettings(BaseModel):
    """Where the platform keeps its state: an SQLite file by default, PostgreSQL by URL."""

    model_config = ConfigDict(extra="forbid")
    url: str = "sqlite+aiosqlite:///evroam.db"
    db_schema: str | None = Field(
        default=None, description="PostgreSQL schema to live in (search_path); None = public."
    )
    auto_migrate: bool = Field(
        default=True, description="Apply pending migrations when the server starts."
    )
    echo: bool = False
    server_settings: dict[str, str] = Field(
        default_factory=dict,
        description="PostgreSQL session settings of every connection, e.g."
        ' statement_timeout = "30s" or application_name (search_path comes from db_schema).',
    )


class HttpSettings(BaseModel):
    """Inbound limits and outbound client behaviour."""

    model_config = ConfigDict(extra="forbid")
    timeout_seconds: float = Field(default=15.0, gt=0)
    connect_timeout_seconds: float = Field(default=5.0, gt=0)
    max_body_bytes: int = Field(default=2 * 1024 * 1024, ge=1024)
    page_limit: int = Field(default=100, ge=1, le=10_000, description="Server-side page cap.")
    https_only: bool = Field(
        default=False, description="Refuse partner URLs that are not https (set in production)."
    )


class PushSettings(BaseModel):
    """The outbox worker that delivers our changes to partners."""

    model_config = ConfigDict(extra="forbid")
    enabled: bool = Field(default=True, description="Run the outbox worker inside the server.")
    batch: int = Field(default=2000, ge=1, le=10_000, description="Rows claimed per pass.")
    concurrency: int = Field(
        default=32, ge=1, le=512, description="Requests in flight per partner."
    )
    poll_seconds: float = Field(default=0.5, gt=0, description="Idle wait between passes.")


class TokensSettings(BaseModel):
    """Real-time authorization of driver tokens at their eMSP (a driver waits at the charger)."""

    model_config = ConfigDict(extra="forbid")
    authorize_timeout_seconds: float = Field(
        default=5.0, gt=0, description="How long a CPO waits for an eMSP's authorization."
    )


class Settings(BaseSettings):
    """Everything one platform needs to run."""

    model_config = SettingsConfigDict(
        env_prefix="EVROAM_", env_nested_delimiter="__", extra="forbid"
    )

    public_url: str = Field(
        default="http://127.0.0.1:8000",
        description="Base URL partners use to reach this platform; OCPI URLs are built from it.",
    )
    parties: list[PartySettings] = Field(default_factory=list)
    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    http: HttpSettings = Field(default_factory=HttpSettings)
    push: PushSettings = Field(default_factory=PushSettings)
    sync: SyncSettings = Field(default_factory=SyncSettings)
    chargers: ChargersSettings = Field(default_factory=ChargersSettings)
    tokens: TokensSettings = Field(default_factory=TokensSettings)
    token_a_ttl_hours: float = Field(default=168.0, gt=0, description="Lifetime of a Token A.")
    default_token_encoding: TokenEncoding | None = Field(
        default=None,
        description="Force how we send tokens to every partner; None follows the version.",
    )
    admin_token: SecretStr | None = None
    versions: list[str] = Field(
        default_factory=lambda: ["2.2.1", "2.1.1"],
        description="OCPI versions offered to partners (2.1.1 needs a single CPO or eMSP party).",
    )
    legacy_time_zone: str = Field(
        default="UTC",
        description="Time zone assumed for a 2.1.1 partner's Location that names none (2.1.1"
        " makes time_zone optional; opening hours and tariff restrictions need one).",
    )
    log_level: str = "INFO"

    @field_validator("versions")
    @classmethod
    def _known_versions(cls, value: list[str]) -> list[str]:
        unknown = sorted(set(value) - {"2.2.1", "2.1.1"})
        if unknown or not value:
            raise ValueError(f"versions must name 2.2.1 and/or 2.1.1, not {unknown or 'nothing'}")
        return value

    @field_validator("legacy_time_zone")
    @classmethod
    def _zone_known(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"legacy_time_zone {value!r} is not an IANA time zone") from exc
        return value

    @field_validator("public_url")
    @classmethod
    def _strip_slash(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("public_url must start with http:// or https://")
        return value.rstrip("/")

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # The environment overrides the file (passed as init values), as operators expect.
        return (env_settings, init_settings)

    def require_parties(self) -> list[PartySettings]:
        """The local parties, or a ConfigurationError saying how to declare one."""
        if not self.parties:
            raise ConfigurationError(
                "No local party is configured. Add a [[parties]] table with role, country_code,"
                " party_id and business_details.name to the settings file."
            )
        keys = [(p.role, p.country_code, p.party_id) for p in self.parties]
        if len(set(keys)) != len(keys):
            raise ConfigurationError("Each (role, country_code, party_id) may appear only once.")
        if any(p.role is Role.HUB for p in self.parties) and len(self.parties) > 1:
            raise ConfigurationError(
                "A Hub reports only itself in credentials (role HUB): declare a single HUB party"
                " and announce the parties behind it through HubClientInfo."
            )
        return self.parties


def load_settings(path: Path | None = None, **overrides: Any) -> Settings:
    """Settings from a TOML file (optional), the environment and explicit overrides."""
    data: dict[str, Any] = {}
    if path is not None:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise ConfigurationError(f"Settings file {path} does not exist.") from exc
        except tomllib.TOMLDecodeError as exc:
            raise ConfigurationError(f"Settings file {path} is not valid TOML: {exc}") from exc
    data.update(overrides)
    return Settings(**data)
