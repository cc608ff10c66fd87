#!/bin/sh
# Inside a network namespace with only loopback (see test_codex_cli.py): serve the gateway
# on the in-process emulator, run `codex exec` against it, stop the gateway.
# Arguments: the gateway command, the codex binary, a work directory holding home/config.toml,
# (CODEX_PROMPT, if set, is the first prompt: "say hi" otherwise),
# and `resume` to log in with COPILOT_GATEWAY_KEY first (the built-in provider reads no key from the
# environment) and go on with a second turn of the same session (`exec resume --last`).
set -u
GATEWAY=$1 CODEX=$2 WORK=$3 MODE=${4:-}
ip link set lo up
$GATEWAY serve --port 8080 2>"$WORK/gateway.log" &
SERVER=$!
for _ in $(seq 1 600); do  # up to two minutes: a loaded machine starts slowly
  curl -s -o /dev/null http://127.0.0.1:8080/healthz && break
  sleep 0.2
done
cd "$WORK"
export CODEX_HOME="$WORK/home"
if [ "$MODE" = resume ]; then
  echo "$COPILOT_GATEWAY_KEY" | timeout 60 "$CODEX" login --with-api-key >login.out 2>&1
fi
timeout 120 "$CODEX" exec --skip-git-repo-check -o last.txt "${CODEX_PROMPT:-say hi}" \
  </dev/null >codex.out 2>codex.err
echo "codex exited $?" >>codex.err
if [ "$MODE" = resume ]; then
  timeout 120 "$CODEX" exec --skip-git-repo-check -o last2.txt resume --last "say more" \
    </dev/null >codex2.out 2>codex2.err
  echo "codex exited $?" >>codex2.err
fi
kill "$SERVER"
wait "$SERVER" || true  # it ends on SIGTERM, as asked
