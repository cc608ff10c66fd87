"""The Copilot accounts the gateway may use, in their configured order.

1. `default`: GITHUB_TOKEN, else the token `copilot-gateway login` stored;
2. every file of GATEWAY_ACCOUNTS_DIR (`login --account NAME` writes NAME), by name;
3. every `[[accounts]]` entry of the config file (name, token_file), in its order.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import SecretStr

from ...settings import Settings

DEFAULT_ACCOUNT = "default"


@dataclass(frozen=True)
class Account:
    name: str
    github_token: SecretStr

    def __repr__(self) -> str:  # never the token
        return f"Account({self.name!r})"


def _read_token(path_text: str, name: str) -> SecretStr:
    try:
        with open(path_text, encoding="utf-8") as handle:
            token = handle.read().strip()
    except OSError as problem:
        raise ValueError(
            f"account {name}: cannot read its token file: {problem.strerror}"
        ) from None
    if not token:
        raise ValueError(f"account {name}: its token file is empty")
    return SecretStr(token)


def load_accounts(settings: Settings) -> list[Account]:
    """Every account, in order; ValueError when two share a name or a token is unreadable."""
    accounts = []
    if settings.github_token is not None:
        accounts.append(Account(DEFAULT_ACCOUNT, settings.github_token))
    if settings.accounts_dir.is_dir():
        for path in sorted(settings.accounts_dir.iterdir()):
            if path.is_file() and not path.name.startswith("."):
                accounts.append(Account(path.name, _read_token(str(path), path.name)))
    for entry in settings.accounts:
        accounts.append(Account(entry.name, _read_token(str(entry.token_file), entry.name)))
    names = [account.name for account in accounts]
    if duplicates := sorted({name for name in names if names.count(name) > 1}):
        raise ValueError(f"two Copilot accounts are named {', '.join(duplicates)}")
    return accounts
