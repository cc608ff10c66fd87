"""All configuration, read once from the environment and the optional config file (the
only place that reads either)."""

from __future__ import annotations

from ipaddress import ip_address
from pathlib import Path
from typing import Annotated, Literal

from platformdirs import user_config_dir, user_data_dir
from pydantic import (
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    field_validator,
    model_validator,
)
from pydantic_settings import (
    BaseSettings,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from .config_file import ConfigFileSource

UpstreamKind = Literal["copilot", "openai", "emulator"]
REDIS_SCHEMES = ("redis://", "rediss://", "unix://")
DATABASE_SCHEMES = ("postgresql://", "postgres://", "postgresql+psycopg://")


class AccountEntry(BaseModel):
    """A Copilot account of the config file's `[[accounts]]`: its name, and the file that
    holds its GitHub token (as `copilot-gateway login` writes one)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=r"^[A-Za-z0-9_.-]{1,64}$")
    token_file: Path


class ModelPrice(BaseModel):
    """A model's price in US dollars per million tokens (the config file's
    `[prices."model-id"]`), for upstreams that report no bill of their own. Cached reads and
    cache writes cost what fresh input costs unless said otherwise."""

    model_config = ConfigDict(extra="forbid")

    input: float = Field(ge=0)
    output: float = Field(ge=0)
    cached: float | None = Field(None, ge=0)
    cache_write: float | None = Field(None, ge=0)


class Settings(BaseSettings):
    """The gateway's settings; environment variables are `GATEWAY_<NAME>` unless noted."""

    # By name too: a config file says `github_token`, the environment GITHUB_TOKEN.
    model_config = SettingsConfigDict(env_prefix="GATEWAY_", extra="ignore", validate_by_name=True)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Command line (given directly), then environment, then the config file."""
        config_file = ConfigFileSource(settings_cls, init_settings, env_settings)
        return init_settings, env_settings, config_file

    host: str = "127.0.0.1"
    port: int = Field(8080, ge=0, le=65535)

    api_keys: Annotated[list[SecretStr], NoDecode] = Field(default_factory=list)
    auth_disabled: bool = False
    # Serving without auth on a non-loopback interface needs this as well.
    auth_disabled_force: bool = False

    # The TOML config file: settings, and access rules (named keys, country rules).
    config_file: Path | None = None

    upstream: UpstreamKind | None = None
    github_token: SecretStr | None = Field(
        None, validation_alias=AliasChoices("GITHUB_TOKEN", "GATEWAY_GITHUB_TOKEN")
    )
    github_api_url: str = "https://api.github.com"
    # Where `login` runs GitHub's device flow (a GHE.com tenant: https://TENANT.ghe.com),
    # with which OAuth app, and where it keeps the token it gets.
    github_url: str = "https://github.com"
    github_client_id: str = "Iv1.b507a08c87ecfe98"
    token_file: Path = Field(
        default_factory=lambda: Path(user_config_dir("copilot-gateway")) / "github_token"
    )
    # More Copilot accounts: each file here (`login --account NAME` writes NAME) is one, and
    # so is each `[[accounts]]` entry of the config file. See `upstreams.copilot.accounts`.
    accounts_dir: Path = Field(
        default_factory=lambda: Path(user_config_dir("copilot-gateway")) / "accounts"
    )
    accounts: list[AccountEntry] = Field(default_factory=list)
    # How long an account that ran out of quota or was refused rests before it is tried again
    # (a longer `retry-after` from Copilot wins).
    account_cooldown_seconds: float = Field(300.0, ge=0)
    upstream_url: str | None = None
    upstream_api_key: SecretStr | None = None
    # What tokens cost on an upstream that reports no AI Credits (the openai upstream), by
    # model id; a price the upstream's own model list carries wins.
    prices: dict[str, ModelPrice] = Field(default_factory=dict)

    # How long an idle client connection stays open: longer than most clients' pools keep
    # theirs, so a client rarely reuses a connection the gateway is closing.
    keep_alive_seconds: float = Field(75.0, gt=0)
    # How long a write to a client may make no progress (a peer gone without a FIN or RST
    # reads nothing ever again, and holds its upstream stream meanwhile): closed after it.
    write_timeout_seconds: float = Field(60.0, gt=0)
    # Upstream calls that fail before the client got a byte: 5xx and refused connections are
    # retried this many times; a 429 only if its retry-after is within the wait budget.
    upstream_retries: int = Field(2, ge=0, le=10)
    upstream_retry_wait_budget: float = Field(5.0, ge=0)
    connect_timeout: float = Field(10.0, gt=0)
    # The longest silence between two chunks of an upstream stream.
    stream_idle_timeout: float = Field(120.0, gt=0)
    read_timeout: float = Field(600.0, gt=0)
    max_body_bytes: int = Field(32 * 1024 * 1024, gt=0)
    # The longest wait for the next part of a request body (a client sending too slowly),
    # and for the whole of it (a client trickling it a byte at a time).
    body_timeout: float = Field(30.0, gt=0)
    body_total_timeout: float = Field(120.0, gt=0)
    # What a request body may hold: parsing is fast, but every nested level and every value
    # costs work on the event loop (validation, adapters), shared by every client.
    max_json_depth: int = Field(64, ge=2, le=200)  # orjson serialises at most 255 levels
    max_json_values: int = Field(100_000, ge=1)
    # Responses over WebSocket (`GET /v1/responses` upgraded): off, the upgrade is answered
    # 426, on which Codex falls back to HTTP at once (any other failure costs it retries).
    websockets: bool = True
    websocket_max_frame_bytes: int = Field(16 * 1024 * 1024, ge=1024)  # 1009 past it
    websocket_messages_per_minute: int = Field(120, ge=1)  # an error event past it
    websocket_idle_seconds: float = Field(600.0, gt=0)  # no message, no response: closed
    websocket_connection_seconds: float = Field(3600.0, gt=0)  # OpenAI's 60 minutes
    # Browser origins (`https://app.example.com`) whose pages may open a WebSocket, besides
    # the gateway's own: a browser sends its cookies, and no CORS applies to a WebSocket.
    websocket_allowed_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    # The request line and headers together (nginx allows 32 KiB by default): 431 past it.
    max_header_bytes: int = Field(32 * 1024, ge=1024)
    # A new connection must send its first byte, and a request its whole head (from accept,
    # or from a kept-alive connection's next byte, to the end of the headers), in time.
    first_byte_timeout: float = Field(5.0, gt=0)
    request_head_timeout: float = Field(10.0, gt=0)
    # Open client connections per process; unset: derived from the file-descriptor limit.
    max_connections: int | None = Field(None, ge=1)
    # The gateway's URL as clients reach it (e.g. `https://llm.example.com`), for the spec's
    # server URL and redirects. Unset: the request's `Host` when it is an allowed host, else
    # relative URLs (a client's `Host` is never echoed unchecked).
    public_url: str | None = None
    allowed_hosts: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["localhost", "127.0.0.1", "::1"]
    )
    # On SIGTERM, how long open streams may run on before they are ended with an error event.
    shutdown_grace_seconds: float = Field(30.0, ge=0)
    models_cache_seconds: float = Field(600.0, ge=0)
    # What to do with an upstream answer that does not conform to the spec.
    upstream_validation: Literal["reject", "log"] = "reject"
    # The HTTP transport under httpx: aiohttp's pool holds up under concurrency, httpx's
    # own does not (scripts/bench measures both).
    upstream_transport: Literal["aiohttp", "httpx"] = "aiohttp"

    # Where per-key limits are counted, shared by every process using the same Redis
    # (`redis://host:6379/0`, `rediss://…`, `unix://…`); in this process when unset.
    redis_url: SecretStr | None = None
    # The Responses API: where stored responses live (SQLite), how long they are kept, and
    # whether the `openai` upstream serves /responses itself or through chat.
    responses_db: Path = Field(
        default_factory=lambda: Path(user_data_dir("copilot-gateway")) / "responses.sqlite3"
    )
    responses_ttl: float = Field(30 * 24 * 3600.0, gt=0)
    # How long a chat completion created with `store: true` is kept (in the state's database).
    chat_completions_ttl: float = Field(30 * 24 * 3600.0, gt=0)
    upstream_responses: Literal["native", "translate"] = "native"

    # The ledger (one row per request): in PostgreSQL when this is set (a libpq URL,
    # `postgresql://user:password@host/db?sslmode=require`), else in a SQLite file, by
    # default `ledger.sqlite3` beside the Responses store.
    database_url: SecretStr | None = None
    ledger_db: Path | None = None
    ledger_retention_days: float = Field(90.0, ge=0)  # 0 keeps every row
    # Rows wait here for the writer, and while the database is unreachable; past this
    # many, new rows are dropped (and counted).
    ledger_buffer_rows: int = Field(100_000, ge=1)
    ledger_batch_rows: int = Field(1000, ge=1)  # rows per INSERT; a full batch goes at once
    # Rows are written at least this often; and the unreachable database is tried again.
    ledger_flush_seconds: float = Field(1.0, gt=0)

    # The admin API (`/admin/keys`) is served only when this is set, to
    # `Authorization: Bearer <this>`; set, it also turns client auth on (keys come at runtime).
    admin_token: SecretStr | None = None
    # Wrong admin tokens (dashboard logins, admin API calls) allowed a minute from one
    # address; ten times as many from every address together (`access.wrong_tokens`).
    admin_wrong_tokens_per_minute: int = Field(5, ge=1)
    # How often each process checks the database for changed runtime keys (one integer read).
    keys_refresh_seconds: float = Field(0.5, gt=0, le=60)
    # The database out of reach, how long the runtime keys last read keep working: what bounds
    # how long a key revoked elsewhere meanwhile may still be used (then 503 until it answers).
    keys_max_stale_seconds: float = Field(900.0, gt=0)

    # `GET /metrics` wants `Authorization: Bearer <this>` when set; it is open when not.
    metrics_token: SecretStr | None = None
    # JSON lines when stderr is not a terminal, readable text when it is (or either, forced).
    log_format: Literal["auto", "json", "text"] = "auto"
    log_level: Literal["debug", "info", "warning", "error"] = "info"

    # Copilot's required headers drift with editor releases: every value is configurable.
    copilot_editor_version: str = "vscode/1.124.2"
    copilot_editor_plugin_version: str = "copilot-chat/0.52.0"
    copilot_user_agent: str = "GitHubCopilotChat/0.52.0"
    copilot_integration_id: str = "vscode-chat"
    copilot_openai_intent: str = "conversation-agent"  # VS Code's agent mode
    copilot_api_version: str = "2026-06-01"
    copilot_token_api_version: str = "2025-04-01"

    # The built-in emulator's pacing, for benchmarks (milliseconds).
    emulator_first_token_ms: float = Field(0.0, ge=0)
    emulator_token_interval_ms: float = Field(0.0, ge=0)
    # Every plan's budgets times this, for soaks (see `EmulatorConfig.budgets_times`).
    emulator_budget_scale: float = Field(1.0, gt=0)

    @field_validator("api_keys", "allowed_hosts", "websocket_allowed_origins", mode="before")
    @classmethod
    def _split_commas(cls, value: object) -> object:
        if isinstance(value, str):
            return [key.strip() for key in value.split(",") if key.strip()]
        return value

    @field_validator("redis_url")
    @classmethod
    def _redis_scheme(cls, value: SecretStr | None) -> SecretStr | None:
        # The URL may hold a password: the message must not repeat it.
        if value is not None and not value.get_secret_value().startswith(REDIS_SCHEMES):
            raise ValueError(f"must start with one of {', '.join(REDIS_SCHEMES)}")
        return value

    @field_validator("database_url")
    @classmethod
    def _database_scheme(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith(DATABASE_SCHEMES):
            raise ValueError(f"must start with one of {', '.join(DATABASE_SCHEMES)}")
        return value

    @property
    def ledger_file(self) -> Path:
        """The ledger's SQLite file (when no `database_url` is set)."""
        return self.ledger_db or self.responses_db.with_name("ledger.sqlite3")

    @model_validator(mode="after")
    def _stored_token(self) -> Settings:
        """GITHUB_TOKEN wins; else the token `copilot-gateway login` stored."""
        if self.github_token is None and self.token_file.is_file():
            stored = self.token_file.read_text(encoding="utf-8").strip()
            self.github_token = SecretStr(stored) if stored else None
        return self

    def _stored_accounts(self) -> bool:
        return _has_files(self.accounts_dir)

    @property
    def upstream_kind(self) -> UpstreamKind:
        """The upstream in use: explicit, else inferred from the credentials given."""
        if self.upstream:
            return self.upstream
        if self.github_token or self.accounts or self._stored_accounts():
            return "copilot"
        if self.upstream_url:
            return "openai"
        return "emulator"


def _has_files(folder: Path) -> bool:
    return folder.is_dir() and any(path.is_file() for path in folder.iterdir())


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
