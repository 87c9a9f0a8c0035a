# Sourced by overload.sh and soak.sh: starts a release `copmatch serve` on a
# fresh data directory with the bundled catalog plus the shared public list
# (about 700 communities, as compare.sh), liveness checks off, and defines
# `load` (the driver in benches/load.rs) and `last_json`.
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
target="${CARGO_TARGET_DIR:-$root/target}"
corpus="$root/../shared/data/external-communities.jsonl"
[ -f "$corpus" ] || { echo "missing $corpus: the shared/ folder must sit beside the checkout" >&2; exit 1; }
${CARGO:-cargo} build --quiet --release --bin copmatch -p copmatch-api
${CARGO:-cargo} build --quiet --release --bin load -p copmatch-benches
bin="${COPMATCH_BIN:-$target/release/copmatch}"
tmp="$(mktemp -d)"
pid=
stop_server() { if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; pid=; fi; }
trap 'stop_server; rm -rf "$tmp"' EXIT
COPMATCH__DATA_DIR="$tmp/var" COPMATCH__HTTP__ADDRESS_FILE="$tmp/address" \
  COPMATCH__LIVENESS__ENABLED=false "$bin" serve --addr 127.0.0.1:0 >"$tmp/server.log" 2>&1 &
pid=$!
for _ in $(seq 600); do [ -f "$tmp/address" ] && break; sleep 0.5; done
[ -f "$tmp/address" ] || { echo "copmatch did not start"; tail "$tmp/server.log"; exit 1; }
base="$(cat "$tmp/address")"
curl -fsS -XPOST "$base/v1/communities/import" -H 'content-type: application/x-ndjson' \
  --data-binary @"$corpus" >/dev/null
echo "copmatch (pid $pid) at $base with $(curl -fsS "$base/ready" | python3 -c 'import json,sys; print(json.load(sys.stdin)["communities"])') communities" >&2
load() { "$target/release/load" --url "$base" "$@"; }
# The JSON summary (last line) of a load run's output, and one field of it.
last_json() { tail -n 1; }
field() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
rss_mib() { awk '/VmRSS/ {printf "%.1f", $2/1024}' "/proc/$pid/status"; }
