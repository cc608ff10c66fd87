"""The optional TOML config file (`serve --config`, or GATEWAY_CONFIG_FILE).

Its top-level keys are settings, named as in `Settings` (`port = 8080`, `api_keys = [...]`);
its `[[keys]]` and `[countries]` tables are access rules (see `access`). The environment
wins over the file, command-line options over both.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, SecretStr, ValidationError
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource

ACCESS_TABLES = ("keys", "countries", "models")
MASK = "********"
BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


class ConfigFileError(ValueError):
    """A config file that cannot be read, or that names no known setting."""


def read(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except OSError as problem:
        raise ConfigFileError(f"cannot read the config file {path}: {problem.strerror}") from None
    except tomllib.TOMLDecodeError as problem:
        raise ConfigFileError(f"the config file {path} is not valid TOML: {problem}") from None


class ConfigFileSource(PydanticBaseSettingsSource):
    """Settings from the file that `config_file` names (given directly, or by environment)."""

    def __init__(
        self,
        settings_cls: type[BaseSettings],
        *named_by: PydanticBaseSettingsSource,
    ) -> None:
        super().__init__(settings_cls)
        self.named_by = named_by

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        raise NotImplementedError  # values come all at once, from __call__

    def __call__(self) -> dict[str, Any]:
        path = next(filter(None, (source().get("config_file") for source in self.named_by)), None)
        if path is None:
            return {}
        values = {k: v for k, v in read(Path(path)).items() if k not in ACCESS_TABLES}
        # A file naming another file would be a riddle: only the command line or env does.
        unknown = sorted(set(values) - (set(self.settings_cls.model_fields) - {"config_file"}))
        if unknown:
            raise ConfigFileError(
                f"the config file {path} sets {', '.join(unknown)}: no such setting "
                f"(settings are named as in `copilot-gateway config show`; "
                f"access rules go in [[keys]] and [countries])"
            )
        return values


def access_rules(path: Path) -> dict[str, Any]:
    """The access-rule tables of the file."""
    return {k: v for k, v in read(path).items() if k in ACCESS_TABLES}


def env_name(setting: str) -> str:
    return "GITHUB_TOKEN" if setting == "github_token" else f"GATEWAY_{setting.upper()}"


def describe(error: ValidationError, settings: bool = True) -> str:
    """Each problem named by where it is (a setting: with its environment variable), never
    with its value: it may be a secret."""
    lines = []
    for problem in error.errors(include_input=False, include_url=False):
        setting = ".".join(str(part) for part in problem["loc"]) or "settings"
        root = str(problem["loc"][0]) if problem["loc"] else ""
        named = f"{setting} ({env_name(root)})" if root and settings else setting
        lines.append(f"  {named}: {problem['msg']}")
    return "\n".join(lines)


def shown(value: Any) -> Any:
    """A value as `config show` prints it: secrets masked, paths as text."""
    if isinstance(value, SecretStr):
        return MASK
    if isinstance(value, BaseModel):
        # TOML has no null: what is unset is left out.
        fields = value.model_dump().items()
        return {name: shown(item) for name, item in fields if item is not None}
    if isinstance(value, list):
        return [shown(item) for item in value]
    if isinstance(value, dict):
        return {key: shown(item) for key, item in value.items()}
    if isinstance(value, Path):
        return str(value)
    return value


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    if isinstance(value, dict):
        pairs = (f"{toml_key(k)} = {toml_value(v)}" for k, v in value.items())
        return "{ " + ", ".join(pairs) + " }"
    escaped = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def toml_key(key: str) -> str:
    """A key bare where TOML allows it, else quoted (a model id such as `gpt-4.1` has a dot,
    which a bare key would read as a nested table)."""
    return key if BARE_KEY.fullmatch(key) else toml_value(key)


def render(settings: BaseSettings) -> str:
    """The effective settings as a TOML config file would set them, secrets masked."""
    lines = ["# copilot-gateway: effective settings (secrets masked)"]
    for name in type(settings).model_fields:
        value = getattr(settings, name)
        if name == "config_file":
            lines.append(f"# read from {value}" if value else "# no config file")
        elif value is None:
            lines.append(f"# {name} is not set")
        else:
            lines.append(f"{name} = {toml_value(shown(value))}")
    return "\n".join(lines) + "\n"
