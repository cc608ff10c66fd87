#!/bin/sh
# Inside a network namespace with only loopback (see test_codex_cli.py): serve the gateway
# on the in-process emulator, run one `codex exec` against it, stop the gateway.
# Arguments: the gateway command, the codex binary, a work directory holding home/config.toml,
# and the prompt ("say hi" when none).
set -u
GATEWAY=$1 CODEX=$2 WORK=$3 PROMPT=${4:-say hi}
ip link set lo up
$GATEWAY serve --port 8080 2>"$WORK/gateway.log" &
SERVER=$!
for _ in $(seq 1 600); do  # up to two minutes: a loaded machine starts slowly
  curl -s -o /dev/null http://127.0.0.1:8080/healthz && break
  sleep 0.2
done
cd "$WORK"
CODEX_HOME="$WORK/home" timeout 120 "$CODEX" exec --skip-git-repo-check -o last.txt "$PROMPT" \
  </dev/null >codex.out 2>codex.err
echo "codex exited $?" >>codex.err
kill "$SERVER"
wait "$SERVER" || true  # it ends on SIGTERM, as asked
