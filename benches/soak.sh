#!/usr/bin/env bash
# Soak test (README "Benchmarks"): finds the most copmatch sustains (closed
# loop, 16 clients), then offers 80 % of it open loop for 10 minutes with a
# unique text per request, sampling the server's RSS every 10 s. Passes with
# 0 errors (every answer 200) and RSS growth under 10 % from the end of the
# first minute to the end. Not run in CI.
# Usage: benches/soak.sh [SECONDS, default 600]
set -euo pipefail
dur="${1:-600}"
source "$(dirname "$0")/serve-for-load.sh"

load --concurrency 16 --seconds 5 >/dev/null  # warm-up
max="$(load --concurrency 16 --seconds 20 | last_json | field 'd["by_status"]["200"]["per_second"]')"
rate="$(python3 -c "print(round($max * 0.8, 1))")"
echo "sustained $max req/s; soaking at $rate req/s for $dur s"
load --rate "$rate" --seconds "$dur" >"$tmp/soak.out" &
driver=$!
start_rss="$(rss_mib)"
samples="$tmp/rss"
elapsed=0
while kill -0 "$driver" 2>/dev/null; do
  sleep 10; elapsed=$((elapsed + 10))
  rss="$(rss_mib)"; echo "$elapsed $rss" >>"$samples"
  [ "$elapsed" -eq 60 ] && start_rss="$rss"
  printf '  t=%4ds rss=%s MiB\n' "$elapsed" "$rss"
done
wait "$driver"
head -n -1 "$tmp/soak.out"
end_rss="$(tail -n 1 "$samples" | cut -d' ' -f2)"
errors="$(last_json <"$tmp/soak.out" | field 'd["total"] - d["by_status"].get("200", {}).get("count", 0)')"
growth="$(python3 -c "print(round(100 * ($end_rss - $start_rss) / $start_rss, 1))")"
echo "errors: $errors; RSS after 1 min: $start_rss MiB, at the end: $end_rss MiB ($growth %)"
python3 -c "import sys; sys.exit(0 if $errors == 0 and $growth < 10 else 1)" && echo PASS || { echo FAIL; exit 1; }
