"""The incumbent in the same run: the LiteLLM proxy, one worker, in front of the same stub.

It is installed from the package registry into a venv of its own, in the bench's cache
(kept between runs: it is large), made by the bench the first time it is needed; never by a
test. Its model list maps the bench's chat model to the stub, as an OpenAI-compatible server;
its cost map is the one it ships (no download at start-up) and its telemetry is off.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from .scratch import subdirectory
from .servers import KEY, ServerSpec

REQUIREMENT = "litellm[proxy]==1.108.7"  # pinned: runs compare the same incumbent


def cache() -> Path:
    """The bench's own cache, kept between runs (the scratch directory is not)."""
    root = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    path = root / "copilot-gateway-bench"
    path.mkdir(parents=True, exist_ok=True)
    return path


def installed() -> Path | str:
    """The proxy's `litellm` command, installed when missing; else why it could not be."""
    venv = cache() / "litellm"
    command = venv / "bin" / "litellm"
    marker = venv / f".installed {REQUIREMENT}"
    if marker.exists() and command.exists():
        return command
    steps = (
        [sys.executable, "-m", "venv", "--clear", str(venv)],
        [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", REQUIREMENT],
    )
    for step in steps:
        done = subprocess.run(step, capture_output=True, text=True)
        if done.returncode != 0:
            return f"{REQUIREMENT} could not be installed: {done.stderr.strip()[-300:]}"
    marker.touch()
    return command


def config(upstream: str, model: str = "gpt-4o") -> Path:
    """Its config: the model served by the stub, the bench's key as its master key."""
    path = subdirectory("litellm") / "config.yaml"
    path.write_text(
        "model_list:\n"
        f"  - model_name: {model}\n"
        "    litellm_params:\n"
        f"      model: openai/{model}\n"
        f"      api_base: {upstream}\n"
        "      api_key: sk-stub\n"
        "general_settings:\n"
        f"  master_key: {KEY}\n"
        "litellm_settings:\n"
        "  telemetry: false\n"
    )
    return path


def litellm(command: Path, upstream: str) -> ServerSpec:
    arguments = ("--config", str(config(upstream)), "--num_workers", "1", "--host", "127.0.0.1")
    env = {"LITELLM_LOCAL_MODEL_COST_MAP": "True", "LITELLM_TELEMETRY": "False"}
    return ServerSpec((str(command), *arguments), env)
