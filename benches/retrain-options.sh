#!/usr/bin/env bash
# What each retraining option does to trained and new queries (issue 26).
#
# Usage: benches/retrain-options.sh [COPMATCH_BIN] [USERS] [SEEDS]
#
# For each signal (field, tacit, none) and each seed, simulates USERS people
# using a fresh copmatch over the bundled catalog (position-biased clicks,
# taxonomy wordings, several interests, noise; `copmatch feedback simulate`),
# then retrains on that feedback once per option and prints, per option, the
# nDCG@10 change against the base model on the three held-out sets and the
# gate's verdict. Options:
#   before     global map, blend chosen on users held out by id, no position correction
#              (what `copmatch retrain` did before issue 26)
#   ipw        the same with inverse-propensity weights
#   query-cv   global map, blend and reach chosen on validation strangers (new profile texts,
#              held-out fields), none of whom may lose more than retrain.max_heldout_drop; ipw
#   segments   segments only, ipw
#   both       query-cv + segments (the default)
# A release build is assumed (`cargo build --release --bin copmatch`).
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${1:-target/release/copmatch}"
users="${2:-1000}"
seeds="${3:-42 43}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export COPMATCH_HOME="$PWD" COPMATCH__LIVENESS__ENABLED=false COPMATCH__LOG=warn

options=(
  "before|--method global --choose-on users --position-bias 0"
  "ipw|--method global --choose-on users"
  "query-cv|--method global --choose-on queries"
  "segments|--method segments"
  "both|--method both"
)

printf '%-7s %-5s %-9s %8s %8s %8s %6s %6s  %s\n' signal seed option "Δ users" "Δ query" "Δ field" blend reach gate
for signal in field tacit none; do
  for seed in $seeds; do
    data="$work/$signal-$seed"
    "$bin" --data-dir "$data" feedback simulate --signal "$signal" --users "$users" --seed "$seed" \
      --out "$data.jsonl" 2>/dev/null
    for option in "${options[@]}"; do
      name="${option%%|*}"
      # shellcheck disable=SC2086
      "$bin" --data-dir "$data" retrain --from "$data.jsonl" --json ${option#*|} 2>/dev/null >"$work/m.json"
      python3 - "$signal" "$seed" "$name" "$work/m.json" <<'PY'
import json, sys
signal, seed, name, path = sys.argv[1:]
m = json.load(open(path))
def delta(h):
    return f"{h['candidate']['ndcg_at_10'] - h['base']['ndcg_at_10']:+.4f}" if h else "-"
v = m.get("verdict") or {}
print(f"{signal:<7} {seed:<5} {name:<9} {delta(m['metrics']):>8} {delta(m.get('heldout_queries')):>8} "
      f"{delta(m.get('heldout_fields')):>8} {m['parameters']['blend']:>6} {m['parameters'].get('reach', 0):>6}  "
      f"{'passes' if v.get('passed') else 'refused'}"
      f" (held out: {m['metrics']['base']['users']} trained, {(m.get('heldout_queries') or {}).get('base', {}).get('users')} new, "
      f"{(m.get('heldout_fields') or {}).get('base', {}).get('users')} fields; segment blend {m['parameters'].get('segment_blend')})")
PY
    done
  done
done
