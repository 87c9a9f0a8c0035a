#!/usr/bin/env bash
# Write soak (README "Benchmarks"; issue: bounded storage for anonymous
# traffic). A release `copmatch serve`, keyless so every user is anonymous,
# with loopback no longer exempt from rate limits, takes users and feedback
# from many client addresses for SECONDS (default 600): throwaway visitors
# (a user, 4 batches of 50 events, gone), every 50th a heavy one (40 batches,
# far past feedback.max_events_per_user), and one script on a single address
# minting users. anonymous_ttl_days is TTL_DAYS (default 0.00139, 2 minutes)
# so that expiry shows within the run. Samples RSS, the data directory's size
# and the users and events kept every 10 s. Passes when no request failed
# with a 5xx and RSS and disk at the end are within 15 % of their values
# after 4 minutes (two TTLs). Not run in CI.
# Usage: benches/soak-writes.sh [SECONDS] [TTL_DAYS]
set -euo pipefail
dur="${1:-600}"
export COPMATCH__FEEDBACK__ANONYMOUS_TTL_DAYS="${2:-0.00139}"
export COPMATCH__RATE_LIMITS__EXEMPT_LOOPBACK=false
source "$(dirname "$0")/serve-for-load.sh"

curl -fsS "$base/v1/communities?limit=100" | python3 -c '
import json,sys; [print(c["id"]) for c in json.load(sys.stdin)["communities"]]' >"$tmp/ids"
python3 "$root/benches/soak_writes.py" --url "$base" --seconds "$dur" --communities "$tmp/ids" >"$tmp/soak.out" &
driver=$!
kept() {  # users and events in the journals (live lines after compaction are close to it)
  printf '%s users.jsonl lines, %s feedback.jsonl lines' \
    "$(wc -l <"$tmp/var/users.jsonl" 2>/dev/null || echo 0)" "$(wc -l <"$tmp/var/feedback.jsonl" 2>/dev/null || echo 0)"
}
disk_mib() { du -sm "$tmp/var" | cut -f1; }
samples="$tmp/samples"
elapsed=0
while kill -0 "$driver" 2>/dev/null; do
  sleep 10; elapsed=$((elapsed + 10))
  rss="$(rss_mib)"; disk="$(disk_mib)"
  echo "$elapsed $rss $disk" >>"$samples"
  printf '  t=%4ds rss=%s MiB disk=%s MiB %s\n' "$elapsed" "$rss" "$disk" "$(kept)"
done
wait "$driver"
cat "$tmp/soak.out"
expired="$(curl -fsS "$base/metrics" | awk '/^copmatch_users_expired_total/ {print $2}')"
echo "users expired by the sweep: ${expired:-0}"
python3 - "$samples" "$tmp/soak.out" <<'PY'
import json, sys
rows = [list(map(float, l.split())) for l in open(sys.argv[1])]
out = json.loads(open(sys.argv[2]).read().strip().splitlines()[-1])
mid = next((r for r in rows if r[0] >= 240), rows[len(rows) // 2])
end = rows[-1]
fails = sum(v for k, v in out["by_status"].items() if k.split()[1].startswith("5") or k.startswith("error"))
rss_growth = 100 * (end[1] - mid[1]) / mid[1]
disk_growth = 100 * (end[2] - mid[2]) / max(mid[2], 1)
peak = max(r[1] for r in rows)
print(f"RSS at {mid[0]:.0f} s: {mid[1]} MiB, at the end: {end[1]} MiB ({rss_growth:+.1f} %), peak {peak} MiB")
print(f"disk at {mid[0]:.0f} s: {mid[2]:.0f} MiB, at the end: {end[2]:.0f} MiB ({disk_growth:+.1f} %)")
print(f"failed requests (5xx or connection errors): {fails}")
ok = fails == 0 and rss_growth < 15 and disk_growth < 15
print("PASS" if ok else "FAIL")
sys.exit(0 if ok else 1)
PY
