#!/usr/bin/env bash
# Beyond one machine, shown: a 3-node Qdrant cluster on loopback, two stateless
# copmatch replicas on it, load through both in turn (a trivial client-side
# round-robin), and one Qdrant node killed mid-run and started again. Prints
# failed requests and latency before, during and after. Kept outside CI.
#
# Needs a `qdrant` binary built from Qdrant's public source outside this
# repository (QDRANT_BIN, or `qdrant` on PATH; see README "Beyond one
# machine"). Nothing of Qdrant is built or fetched here.
#
# Usage: benches/cluster.sh [SECONDS_PER_PHASE=20] [RATE=60]
#   Collections get shard_number = 3 and replication_factor = 2: every shard
#   lives on two of the three nodes, so losing any one node loses no data.
#   Each replica runs one model thread (the two share two cores with three
#   Qdrant nodes) and no background liveness checks (this machine has no
#   internet to check against), so the load is recommendations only.
#   Replica A talks to node 1 and replica B to node 2; node 3 is the one killed
#   (a node a replica uses as its entry point is a single point of failure for
#   that replica: production puts Qdrant's nodes behind a load balancer).
set -euo pipefail
cd "$(dirname "$0")/.."
phase=${1:-20}
rate=${2:-60}
bin="${QDRANT_BIN:-$(command -v qdrant || true)}"
if [[ -z "$bin" || ! -x "$bin" ]]; then
  echo "no qdrant binary: set QDRANT_BIN or put qdrant on PATH (README, \"Beyond one machine\")" >&2
  exit 1
fi
target="${CARGO_TARGET_DIR:-target}/release"
cargo build --release --bin copmatch -p copmatch-api --bin load -p copmatch-benches
corpus=../shared/data/external-communities.jsonl

tmp=$(mktemp -d)
base=$((20000 + RANDOM % 20000))
http() { echo $((base + $1)); }
grpc() { echo $((base + 10 + $1)); }
p2p() { echo $((base + 20 + $1)); }
declare -A qpid
cpids=()
cleanup() {
  for p in "${qpid[@]}" "${cpids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

start_node() { # N [extra qdrant args]
  local n=$1
  shift
  mkdir -p "$tmp/q$n"
  (cd "$tmp/q$n" && QDRANT__CLUSTER__ENABLED=true QDRANT__CLUSTER__P2P__PORT="$(p2p "$n")" \
    QDRANT__SERVICE__HOST=127.0.0.1 QDRANT__SERVICE__HTTP_PORT="$(http "$n")" \
    QDRANT__SERVICE__GRPC_PORT="$(grpc "$n")" QDRANT__STORAGE__STORAGE_PATH="$tmp/q$n/storage" \
    QDRANT__STORAGE__SNAPSHOTS_PATH="$tmp/q$n/snapshots" QDRANT__TELEMETRY_DISABLED=true \
    exec "$bin" --uri "http://127.0.0.1:$(p2p "$n")" "$@" >>"$tmp/q$n.log" 2>&1) &
  qpid[$n]=$!
}
wait_for() { # URL WHAT
  for _ in $(seq 300); do curl -fs "$1" >/dev/null 2>&1 && return 0; sleep 0.5; done
  echo "$2 did not come up ($1)" >&2
  tail -20 "$tmp"/*.log >&2
  exit 1
}
peers() { curl -fs "http://127.0.0.1:$(http 1)/cluster" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["result"]["peers"]))'; }

echo "== Qdrant cluster: 3 nodes on loopback ($("$bin" --version))"
start_node 1
wait_for "http://127.0.0.1:$(http 1)/readyz" "node 1"
for n in 2 3; do
  start_node "$n" --bootstrap "http://127.0.0.1:$(p2p 1)"
  wait_for "http://127.0.0.1:$(http "$n")/readyz" "node $n"
done
for _ in $(seq 60); do [[ "$(peers)" == 3 ]] && break; sleep 0.5; done
echo "peers in the cluster: $(peers)"

start_replica() { # NAME PORT NODE
  COPMATCH__DATA_DIR="$tmp/$1" COPMATCH__STORE__KIND=qdrant \
    COPMATCH__STORE__QDRANT__URL="http://127.0.0.1:$(grpc "$3")" \
    COPMATCH__STORE__QDRANT__SHARD_NUMBER=3 COPMATCH__STORE__QDRANT__REPLICATION_FACTOR=2 \
    COPMATCH__MODEL__WORKERS=1 COPMATCH__LOG=warn COPMATCH__LIVENESS__ENABLED=false \
    "$target/copmatch" serve --addr "127.0.0.1:$2" >"$tmp/$1.log" 2>&1 &
  cpids+=($!)
  wait_for "http://127.0.0.1:$2/ready" "copmatch replica $1"
}
a=$((base + 31))
b=$((base + 32))
echo "== copmatch replica A on :$a (via node 1), replica B on :$b (via node 2)"
start_replica a "$a" 1
if [[ -f "$corpus" ]]; then
  curl -fsS -XPOST "http://127.0.0.1:$a/v1/communities/import" -H 'content-type: application/x-ndjson' \
    --data-binary @"$corpus" >/dev/null
fi
start_replica b "$b" 2
echo "communities: $(curl -fs "http://127.0.0.1:$b/v1/communities?limit=1" | python3 -c 'import json,sys; print(json.load(sys.stdin).get("total", "?"))')"
curl -fs "http://127.0.0.1:$(http 1)/collections" | python3 -c '
import json, sys
for c in json.load(sys.stdin)["result"]["collections"]:
    print("collection", c["name"])'
# The bundled catalog is thousands of communities now: load only once every
# shard replica has built its index, or the first phase measures full scans
# beside the optimizers (as `copmatch eval` waits with `settle`).
settled_at=$SECONDS
python3 - "$(http 1)" "$(http 2)" "$(http 3)" <<'PY'
import json, sys, time, urllib.request
# Each node reports the status of the shard replicas it holds.
def statuses(port):
    base = f"http://127.0.0.1:{port}/collections"
    names = [c["name"] for c in json.load(urllib.request.urlopen(base))["result"]["collections"]]
    return [json.load(urllib.request.urlopen(f"{base}/{n}"))["result"]["status"] for n in names]
for _ in range(1200):
    if all(s != "yellow" for port in sys.argv[1:] for s in statuses(port)):
        sys.exit(0)
    time.sleep(0.5)
sys.exit("collections still optimizing after 600 s")
PY
echo "index settled after $((SECONDS - settled_at)) s"

echo "== load: $rate req/s for $((3 * phase)) s over both replicas; node 3 killed at ${phase} s, started again at $((2 * phase)) s"
"$target/load" --url "http://127.0.0.1:$a" --url "http://127.0.0.1:$b" --rate "$rate" \
  --seconds $((3 * phase)) --phases "$phase,$((2 * phase))" >"$tmp/load.out" &
load=$!
sleep "$phase"
{ kill -9 "${qpid[3]}" && wait "${qpid[3]}"; } 2>/dev/null || true
echo "killed node 3 (SIGKILL) at ${phase} s; peers still answering: node 1 $(curl -fs -o /dev/null -w '%{http_code}' "http://127.0.0.1:$(http 1)/readyz"), node 2 $(curl -fs -o /dev/null -w '%{http_code}' "http://127.0.0.1:$(http 2)/readyz")"
sleep "$phase"
start_node 3
echo "started node 3 again at $((2 * phase)) s"
wait "$load"
cat "$tmp/load.out" | grep -v '^{'
echo "== after the run"
errors=$(cat "$tmp/a.log" "$tmp/b.log" | grep -c ' ERROR ' || true)
echo "ERROR lines in the replicas' logs: $errors"
# No ERROR line is the good outcome: grep's "no match" must not end the script.
{ cat "$tmp/a.log" "$tmp/b.log" | grep ' ERROR ' || true; } | sed -E 's/^[^ ]+ //' | cut -c1-300 | sort | uniq -c | sort -rn | head -5
for r in "$a" "$b"; do
  echo "replica :$r /ready: $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$r/ready")"
done
curl -fs "http://127.0.0.1:$(http 1)/collections" | python3 -c '
import json, sys, urllib.request
port = sys.argv[1]
for c in json.load(sys.stdin)["result"]["collections"]:
    name = c["name"]
    info = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/collections/{name}/cluster"))["result"]
    states = [r.get("state") for r in info.get("local_shards", [])] + [r.get("state") for r in info.get("remote_shards", [])]
    print(c["name"], "shard replicas:", ", ".join(sorted(states)))' "$(http 1)"
