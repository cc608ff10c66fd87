"""One Claude Code run against a gateway whose upstream is the emulator, all three in this
process's network (the test runs it inside `unshare -n`: loopback only).

    python session.py CLAUDE MODEL PROMPT   # prints {"rc", "stdout", "stderr", "upstream"}

An empty MODEL runs Claude Code with its own default model (no `--model`).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # tests/, for servers

from servers import CopilotEmulator, gateway_app, gateway_settings, running

KEY = "sk-claude-code-key"
# What the test reads of each call Copilot got.
SEEN = ("anthropic-beta", "x-initiator", "x-interaction-type", "x-interaction-id")


def main() -> None:
    claude, model, prompt = sys.argv[1:4]
    emulator = CopilotEmulator()
    with (
        running(emulator.app) as emulator_url,
        running(gateway_app(gateway_settings(emulator_url, api_keys=KEY))) as gateway_url,
        tempfile.TemporaryDirectory() as home,
    ):
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": home,
            "ANTHROPIC_BASE_URL": gateway_url,
            "ANTHROPIC_API_KEY": KEY,
            "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1",
            "DISABLE_TELEMETRY": "1",
            "DISABLE_ERROR_REPORTING": "1",
            "DISABLE_AUTOUPDATER": "1",
        }
        result = subprocess.run(
            [claude, "-p", prompt, *(["--model", model] if model else [])],
            env=env,
            cwd=home,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )
        upstream = [
            {name: headers.get(name) for name in SEEN}
            for headers in emulator.state.seen_headers
            if "x-initiator" in headers
        ]
    print(
        json.dumps(
            {
                "rc": result.returncode,
                "stdout": result.stdout,
                "stderr": result.stderr,
                "upstream": upstream,
            }
        )
    )


if __name__ == "__main__":
    main()
