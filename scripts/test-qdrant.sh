#!/usr/bin/env bash
# The Qdrant server half of the conformance suite (called by `make test`).
#
# Uses the server at $QDRANT_URL if set; otherwise starts one from
# $QDRANT_BIN or a `qdrant` binary on PATH (on free loopback ports, storage in
# a temporary directory, stopped on exit). Without either it says loudly that
# the server suite was skipped. Qdrant itself is never built or fetched here.
set -euo pipefail
cd "$(dirname "$0")/.."
CARGO="${CARGO:-cargo}"

banner() { printf '\n==== %s ====\n\n' "$*"; }

bin="${QDRANT_BIN:-$(command -v qdrant || true)}"
if [[ -n "$bin" && ! -x "$bin" ]]; then
  echo "QDRANT_BIN=$bin is not an executable" >&2
  exit 1
fi

if [[ -z "${QDRANT_URL:-}" && -n "$bin" ]]; then
  dir="$(mktemp -d)"
  free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
  http_port="$(free_port)"; grpc_port="$(free_port)"
  (cd "$dir" && QDRANT__SERVICE__HOST=127.0.0.1 QDRANT__SERVICE__HTTP_PORT="$http_port" \
    QDRANT__SERVICE__GRPC_PORT="$grpc_port" QDRANT__STORAGE__STORAGE_PATH="$dir/storage" \
    QDRANT__STORAGE__SNAPSHOTS_PATH="$dir/snapshots" QDRANT__TELEMETRY_DISABLED=true \
    exec "$bin" >"$dir/qdrant.log" 2>&1) &
  pid=$!
  trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -rf "$dir"' EXIT
  # No curl on a fresh machine: Python asks the REST port.
  version="$(python3 - "$http_port" <<'PY'
import json, sys, time, urllib.request
port = sys.argv[1]
for _ in range(300):
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=1).read()
        print(json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1))["version"])
        sys.exit(0)
    except Exception:
        time.sleep(0.2)
sys.exit(1)
PY
)" || { cat "$dir/qdrant.log"; exit 1; }
  export QDRANT_URL="http://127.0.0.1:$grpc_port"
  echo "started $bin (Qdrant $version) at $QDRANT_URL"
fi

if [[ -z "${QDRANT_URL:-}" ]]; then
  banner "Qdrant server suite SKIPPED: QDRANT_URL is not set and no qdrant binary was found (QDRANT_BIN or PATH); only the embedded store was tested"
  exit 0
fi

banner "Qdrant server suite against $QDRANT_URL"
skip=()
if [[ -z "$bin" ]]; then
  skip=(--skip outage)
  echo "no qdrant binary to stop and restart: the outage test is skipped"
fi
"$CARGO" test -p copmatch-store --test conformance --no-fail-fast -- --include-ignored qdrant::
"$CARGO" test -p copmatch-api --test transfer --no-fail-fast -- --include-ignored
COPMATCH_TEST_STORE=qdrant QDRANT_BIN="$bin" "$CARGO" test -p copmatch-tests --test service --no-fail-fast -- --include-ignored "${skip[@]}"
banner "Qdrant server suite passed"
