#!/usr/bin/env bash
# Overload control, measured (README "Benchmarks"). Finds the most copmatch
# sustains (closed loop, 16 clients), then offers 0.8× and 4× that rate open
# loop (requests arrive on schedule whatever the answers take) and reports,
# for each, the accepted requests' latency and how many were refused with
# `overloaded` and how fast. Not run in CI.
# Usage: benches/overload.sh [SECONDS per step, default 20]
# Env: COPMATCH__* settings pass through (e.g. COPMATCH__MODEL__MAX_QUEUE=256).
set -euo pipefail
dur="${1:-20}"
source "$(dirname "$0")/serve-for-load.sh"

load --concurrency 16 --seconds 5 >/dev/null  # warm-up
max_out="$(load --concurrency 16 --seconds "$dur")"
echo "$max_out" | head -n -1 >&2
max="$(echo "$max_out" | last_json | field 'd["by_status"]["200"]["per_second"]')"
printf 'sustained (closed loop, 16 clients): %.1f req/s\n' "$max"
for factor in 0.8 4; do
  rate="$(python3 -c "print(round($max * $factor, 1))")"
  echo "--- offered ${factor}x = $rate req/s for $dur s (open loop)"
  load --rate "$rate" --seconds "$dur" | head -n -1
  curl -fsS "$base/ready" >/dev/null && echo "ready after the run: yes"
done
