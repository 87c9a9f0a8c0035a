#!/usr/bin/env bash
# Write soak (README "Benchmarks"; issue: bounded storage for anonymous
# traffic). A release `copmatch serve`, keyless so every user is anonymous,
# with loopback no longer exempt from rate limits, takes users and feedback
# from many client addresses for SECONDS (default 600): throwaway visitors
# (a user, 4 batches of 50 events, gone), every 50th a heavy one (40 batches,
# far past feedback.max_events_per_user), and one script on a single address
# minting users. anonymous_ttl_days is TTL_DAYS (default 0.00139, 2 minutes)
# so that expiry shows within the run. Samples RSS, the data directory's size
# and the journals' line counts every 10 s. Passes when no request failed
# (5xx, 408 or a broken connection) and the peaks of RSS and disk in the
# second half of the run (after two TTLs) are within 15 % of those in the
# first half. Not run in CI.
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
kept() {  # the journals' sizes (counting their lines would take seconds per sample)
  printf 'users.jsonl %s MiB, feedback.jsonl %s MiB' \
    "$(du -m "$tmp/var/users.jsonl" 2>/dev/null | cut -f1)" "$(du -m "$tmp/var/feedback.jsonl" 2>/dev/null | cut -f1)"
}
disk_mib() { du -sm "$tmp/var" | cut -f1; }
samples="$tmp/samples"
started=$SECONDS
while kill -0 "$driver" 2>/dev/null; do
  sleep 10; elapsed=$((SECONDS - started))
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
# Sweeps and compactions make RSS and disk saw-tooth, so compare peaks: the
# peak of the first half after two TTLs (240 s) against the peak of the rest.
start, end = 240, rows[-1][0]
mid = (start + end) / 2
first = [r for r in rows if start <= r[0] < mid] or rows[: len(rows) // 2]
last = [r for r in rows if r[0] >= mid] or rows[len(rows) // 2 :]
fails = sum(v for k, v in out["by_status"].items()
            if k.startswith("error") or k.split()[1].startswith("5") or k.split()[1] == "408")
ok = fails == 0
for col, name, unit in ((1, "RSS", "MiB"), (2, "disk", "MiB")):
    a, b = max(r[col] for r in first), max(r[col] for r in last)
    growth = 100 * (b - a) / max(a, 1)
    ok = ok and growth < 15
    print(f"{name}: peak {a:.0f} {unit} in {first[0][0]:.0f}-{first[-1][0]:.0f} s, "
          f"{b:.0f} {unit} in {last[0][0]:.0f}-{last[-1][0]:.0f} s ({growth:+.1f} %); overall peak {max(r[col] for r in rows):.0f} {unit}")
print(f"failed requests (5xx, 408 or connection errors): {fails}")
print("PASS" if ok else "FAIL")
sys.exit(0 if ok else 1)
PY
