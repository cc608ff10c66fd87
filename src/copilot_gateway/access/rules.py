"""Who may use which models: per key and per country, from the config file's tables.

    [[keys]]                      # a client key, kept as the SHA-256 of the key
    name = "alice"
    sha256 = "9f86d0..."
    allow = ["gpt-*"]             # models it may use (all when absent)
    deny = ["gpt-4o-mini"]        # and those it may not, whatever `allow` says
    rpm = 60                      # its limits, unlimited when absent (see `key_limits.policy`)

    [countries]                   # the caller's country, as a trusted proxy reports it
    header = "CF-IPCountry"
    trusted_proxies = ["127.0.0.1", "10.0.0.0/8"]
    [countries.rules.CN]
    deny = ["claude-*"]

Filters shape `/v1/models` and bind every operation: a model a caller may not use is
answered exactly like a model that does not exist.
"""

from __future__ import annotations

from collections.abc import Callable
from fnmatch import fnmatchcase
from ipaddress import ip_address
from pathlib import Path
from typing import Annotated

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    IPvAnyNetwork,
    PrivateAttr,
    StringConstraints,
    field_validator,
)
from starlette.types import Scope

from ..config_file import access_rules
from ..key_limits.policy import KeyLimits
from .aliases import ModelNames

Sha256 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$", to_lower=True)]


class ModelRule(BaseModel):
    model_config = ConfigDict(extra="forbid")

    allow: list[str] | None = None
    deny: list[str] = Field(default_factory=list)

    def permits(self, model: str) -> bool:
        if any(fnmatchcase(model, pattern) for pattern in self.deny):
            return False
        return self.allow is None or any(fnmatchcase(model, pattern) for pattern in self.allow)


class KeyRules(ModelRule, KeyLimits):
    """What a key may use and how much: the same for config-file keys and runtime keys."""


class KeyEntry(KeyRules):
    name: str = Field(min_length=1)
    sha256: Sha256


class Countries(BaseModel):
    model_config = ConfigDict(extra="forbid")

    header: str = "CF-IPCountry"
    trusted_proxies: list[IPvAnyNetwork] = Field(default_factory=list)
    rules: dict[str, ModelRule] = Field(default_factory=dict)

    @field_validator("rules")
    @classmethod
    def _upper_codes(cls, rules: dict[str, ModelRule]) -> dict[str, ModelRule]:
        return {code.upper(): rule for code, rule in rules.items()}

    def of(self, scope: Scope) -> str | None:
        """The caller's country code, if a trusted proxy sent the request and said it."""
        client = scope.get("client")
        try:
            peer = ip_address(client[0]) if client else None
        except ValueError:
            return None
        if peer is None or not any(peer in network for network in self.trusted_proxies):
            return None
        wanted = self.header.lower().encode()
        for name, value in scope["headers"]:
            if name == wanted:
                return value.decode("latin-1").strip().upper() or None
        return None


class AccessConfig(BaseModel):
    """The config file's access rules; empty means every caller may use every model."""

    model_config = ConfigDict(extra="forbid")

    keys: list[KeyEntry] = Field(default_factory=list)
    countries: Countries | None = None
    models: ModelNames = Field(default_factory=ModelNames)  # model-name aliases (see aliases)
    # The runtime keys' entries by name, as the process knows them now (see `runtime_keys`).
    _runtime: Callable[[str], KeyEntry | None] | None = PrivateAttr(default=None)

    def with_runtime_keys(self, entry_of: Callable[[str], KeyEntry | None]) -> None:
        """Have the rules of runtime keys apply too, looked up by name on each call."""
        self._runtime = entry_of

    def entry(self, name: str | None) -> KeyEntry | None:
        """The rules of the key of this name: a config-file key's, else a runtime key's."""
        if name is None:
            return None
        for entry in self.keys:
            if entry.name == name:
                return entry
        return None if self._runtime is None else self._runtime(name)

    @classmethod
    def load(cls, path: Path | None) -> AccessConfig:
        return cls() if path is None else cls.model_validate(access_rules(path))

    def permits(self, caller: str | None, scope: Scope, model: str) -> bool:
        """May this caller (a key's name), from where it calls, use this model?"""
        entry = self.entry(caller)
        if entry is not None and not entry.permits(model):
            return False
        if self.countries:
            country = self.countries.of(scope)
            rule = self.countries.rules.get(country) if country else None
            if rule and not rule.permits(model):
                return False
        return True
