"""One Gemini CLI run against a gateway whose upstream is the emulator, all three in this
process's network (the test runs it inside `unshare -n`: loopback only).

    python session.py GEMINI MODEL PROMPT [HOW]
    # prints {"rc", "stdout", "stderr", "upstream", "models"}

MODEL is passed as `-m MODEL`, or as `GEMINI_MODEL` when HOW is `env`; an empty MODEL
leaves Gemini CLI on its default. `models` are the models Copilot was asked for (chat calls,
then Messages calls, each in order).

Gemini CLI runs in a home of its own whose settings turn its telemetry, usage statistics
and update checks off; the workspace is trusted and tools run without asking (`--yolo`),
as a scripted run needs.
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

KEY = "sk-gemini-cli-key"
SETTINGS = {
    # Its key, sent as `x-goog-api-key` (the base URL alone would select another auth type).
    "security": {"auth": {"selectedType": "gemini-api-key"}},
    "general": {"disableAutoUpdate": True, "disableUpdateNag": True},
    "telemetry": {"enabled": False},
    "privacy": {"usageStatisticsEnabled": False},
}
SEEN = ("x-initiator", "user-agent")  # what the test reads of each call Copilot got


def main() -> None:
    gemini, model, prompt = sys.argv[1:4]
    by_env = sys.argv[4:] == ["env"]
    emulator = CopilotEmulator()
    with (
        running(emulator.app) as emulator_url,
        running(gateway_app(gateway_settings(emulator_url, api_keys=KEY))) as gateway_url,
        tempfile.TemporaryDirectory() as home,
    ):
        settings = Path(home) / ".gemini" / "settings.json"
        settings.parent.mkdir()
        settings.write_text(json.dumps(SETTINGS))
        workspace = Path(home) / "work"
        workspace.mkdir()
        (workspace / "notes.txt").write_text("a file to list\n")
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": home,
            "GOOGLE_GEMINI_BASE_URL": gateway_url,
            "GEMINI_API_KEY": KEY,
            "GEMINI_CLI_TRUST_WORKSPACE": "true",
            "NO_BROWSER": "true",
        }
        chosen = ["-m", model] if model and not by_env else []
        if model and by_env:
            env["GEMINI_MODEL"] = model
        result = subprocess.run(
            [gemini, *chosen, "--yolo", "-p", prompt],
            env=env,
            cwd=workspace,
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
        bodies = [*emulator.state.chat_requests, *emulator.state.messages_requests]
        models = [body["model"] for body in bodies]
    print(
        json.dumps(
            {
                "rc": result.returncode,
                "stdout": result.stdout,
                "stderr": result.stderr,
                "upstream": upstream,
                "models": models,
            }
        )
    )


if __name__ == "__main__":
    main()
