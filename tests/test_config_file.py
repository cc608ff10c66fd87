"""The TOML config file: settings and access rules in one file, the environment winning,
and `copilot-gateway config show` printing what is in effect with secrets masked."""

from __future__ import annotations

import hashlib
import re
import subprocess
import tomllib
from pathlib import Path
from typing import TypedDict

import httpx
import pytest

from commands import COMMAND, clean_env, free_port, started
from docs_pages import code_blocks


class Secrets(TypedDict):
    api_keys: list[str]
    github_token: str
    metrics_token: str
    upstream_api_key: str


SECRETS: Secrets = {
    "api_keys": ["sk-from-file-1", "sk-from-file-2"],
    "github_token": "gho_from_file_secret",
    "metrics_token": "metrics-from-file-secret",
    "upstream_api_key": "sk-upstream-from-file",
}


def write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def config_show(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*COMMAND, "config", "show", *args],
        env=clean_env(**env),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_config_show_prints_the_file_settings_as_toml_with_secrets_masked(tmp_path: Path) -> None:
    config = write(
        tmp_path / "gateway.toml",
        "read_timeout = 42.5\nlog_format = 'json'\nupstream = 'openai'\n"
        "upstream_url = 'http://127.0.0.1:1/v1'\n"
        + "".join(f"{name} = {value!r}\n".replace("'", '"') for name, value in SECRETS.items()),
    )
    shown = config_show("--config", str(config))
    assert shown.returncode == 0, shown.stderr
    effective = tomllib.loads(shown.stdout)
    assert effective["read_timeout"] == 42.5 and effective["log_format"] == "json"
    assert effective["upstream"] == "openai" and effective["port"] == 8080
    assert effective["api_keys"] == ["********", "********"]
    for secret in ("github_token", "metrics_token", "upstream_api_key"):
        assert effective[secret] == "********"
    for value in [*SECRETS["api_keys"], SECRETS["github_token"], SECRETS["metrics_token"]]:
        assert value not in shown.stdout


def test_the_environment_wins_over_the_file_and_the_command_line_over_both(
    tmp_path: Path,
) -> None:
    config = write(tmp_path / "gateway.toml", "read_timeout = 1.0\nport = 9001\nhost = '0.0.0.0'\n")
    shown = config_show(GATEWAY_CONFIG_FILE=str(config), GATEWAY_READ_TIMEOUT="2.0")
    effective = tomllib.loads(shown.stdout)
    assert effective["read_timeout"] == 2.0 and effective["port"] == 9001
    served = subprocess.run(  # `serve --port` wins over the file's port
        [*COMMAND, "serve", "--port", "not-a-port"],
        env=clean_env(GATEWAY_CONFIG_FILE=str(config)),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert served.returncode == 2 and "invalid int value: 'not-a-port'" in served.stderr


def test_config_show_output_read_back_as_a_config_file_shows_the_same(tmp_path: Path) -> None:
    first = write(tmp_path / "first.toml", "stream_idle_timeout = 7.0\nlog_level = 'debug'\n")
    shown = config_show("--config", str(first)).stdout
    second = write(tmp_path / "second.toml", shown)
    again = config_show("--config", str(second)).stdout
    assert again.replace(str(second), str(first)) == shown


def test_a_price_table_is_shown_as_toml_that_reads_back_the_same(tmp_path: Path) -> None:
    # A model id holds dots: shown bare, `gpt-4.1` would read back as a nested table.
    prices = '[prices."gpt-4.1"]\ninput = 2.0\noutput = 8.0\n\n[prices.m2]\ninput = 1\noutput = 2\n'
    shown = config_show("--config", str(write(tmp_path / "first.toml", prices))).stdout
    assert '"gpt-4.1" = { input = 2.0, output = 8.0 }' in shown
    again = config_show("--config", str(write(tmp_path / "second.toml", shown))).stdout
    assert again.replace("second.toml", "first.toml") == shown


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("prot = 8080\n", "prot: no such setting"),
        ("port = 'high'\n", "port (GATEWAY_PORT): Input should be a valid integer"),
        ("max_body_bytes = -1\n", "max_body_bytes (GATEWAY_MAX_BODY_BYTES)"),
        ("log_format = 'xml'\n", "log_format (GATEWAY_LOG_FORMAT)"),
        ("keys = [", "is not valid TOML"),
        ("[[keys]]\nname = 'x'\n", "keys.0.sha256: Field required"),
        ("[prices.m]\ninput = -1\noutput = 1\n", "prices.m.input (GATEWAY_PRICES)"),
        ("[prices.m]\ninput = 1\n", "prices.m.output (GATEWAY_PRICES): Field required"),
    ],
)
def test_a_bad_config_file_stops_start_up_naming_the_setting(
    tmp_path: Path, text: str, named: str
) -> None:
    config = write(tmp_path / "gateway.toml", text)
    result = subprocess.run(
        [*COMMAND, "serve", "--config", str(config)],  # no --port: it would win over the file's
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 2
    assert named in result.stderr


def test_a_bad_value_is_never_echoed_it_may_be_a_secret(tmp_path: Path) -> None:
    config = write(
        tmp_path / "gateway.toml",
        "api_keys = 'sk-meant-as-a-list-secret'\nport = 'sk-oops-secret'\n",
    )
    result = config_show("--config", str(config))
    assert result.returncode == 2 and "port (GATEWAY_PORT)" in result.stderr
    assert "oops-secret" not in result.stderr


def test_serve_takes_its_settings_and_access_rules_from_one_file(tmp_path: Path) -> None:
    port = free_port()
    config = write(
        tmp_path / "gateway.toml",
        f"port = {port}\napi_keys = ['sk-from-file']\nmetrics_token = 'scrape'\n"
        f"[[keys]]\nname = 'narrow'\nsha256 = '{hashlib.sha256(b'sk-narrow').hexdigest()}'\n"
        "allow = ['text-embedding-*']\n",
    )
    base = f"http://127.0.0.1:{port}"
    with started(["serve", "--config", str(config)], clean_env(), f"{base}/healthz"):
        assert httpx.get(f"{base}/v1/models").status_code == 401
        models = httpx.get(f"{base}/v1/models", headers={"Authorization": "Bearer sk-from-file"})
        assert models.status_code == 200 and len(models.json()["data"]) > 1
        narrow = httpx.get(f"{base}/v1/models", headers={"Authorization": "Bearer sk-narrow"})
        ids = [model["id"] for model in narrow.json()["data"]]
        assert ids and all(model.startswith("text-embedding-") for model in ids)
        assert httpx.get(f"{base}/metrics").status_code == 401
        scraped = httpx.get(f"{base}/metrics", headers={"Authorization": "Bearer scrape"})
        assert scraped.status_code == 200


# Every TOML example of the README and the docs, but another program's file (Codex's), which
# opens by naming it: `# ~/.codex/config.toml`.
DOCUMENTED_TOML = [block for block in code_blocks("toml") if not block.startswith("# ~/")]


@pytest.mark.parametrize("example", DOCUMENTED_TOML, ids=range(len(DOCUMENTED_TOML)))
def test_every_toml_example_of_the_docs_is_a_valid_config_file(
    tmp_path: Path, example: str
) -> None:
    digest = hashlib.sha256(b"sk-example").hexdigest()
    config = write(tmp_path / "gateway.toml", re.sub(r'"<sha256[^"]*>"', f'"{digest}"', example))
    shown = config_show("--config", str(config))
    assert shown.returncode == 0, shown.stderr
    assert "# access rules: named keys" in shown.stdout and "none;" not in shown.stdout
