#!/usr/bin/env bash
# Property-based API testing with schemathesis against a live `copmatch serve`
# (embedded store, bundled catalog) from its own /openapi.json, with every
# check schemathesis has (`--checks all`), three ways: keyless, with an admin
# key, and with the pages' public key. Every generated request, valid or not,
# must get no 5xx, a documented status code, content type and headers, a body
# matching the documented schema; schema-valid requests must be accepted and
# schema-invalid ones refused; 405s must say `Allow`. Part of `make test` (so
# of CI). No check and no operation is excluded.
#
# schemathesis (pinned) goes into .deps/schemathesis (git-ignored), once.
# The liveness checker is off and its host table answers only a made-up name,
# so nothing the generated requests start can reach the internet.
# Env: CARGO, CARGO_TARGET_DIR, ST_EXAMPLES (cases per operation, default 50),
# ST_SEED (default: fixed, so CI runs are reproducible), ST_MODES (default
# "keyless admin public").
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
venv="$root/.deps/schemathesis"
version="4.32.5"
cargo="${CARGO:-cargo}"
target="${CARGO_TARGET_DIR:-$root/target}"

if [ ! -f "$venv/.done-$version" ]; then
  echo "[schemathesis] installing schemathesis $version into .deps/schemathesis (once)" >&2
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$version"
  touch "$venv/.done-$version"
fi

"$cargo" build --quiet --bin copmatch
bin="$target/debug/copmatch"

work="$(mktemp -d)"
pid=
cleanup() {
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# One service per mode, each on its own fresh store, each run with every
# check schemathesis has (`--checks all`):
# - keyless: no key configured, every endpoint open;
# - admin: keys configured, schemathesis sends an admin key;
# - public: keys configured, schemathesis sends the pages' public key (the
#   endpoints it may not call must answer 401/403 as documented).
modes="${ST_MODES:-keyless admin public}"
admin_key="st-admin-key"
public_key="st-public-key"

start() { # mode
  local mode="$1" dir="$work/$1"
  mkdir -p "$dir"
  {
    echo "data_dir = \"$dir/var\""
    if [ "$mode" != keyless ]; then
      echo "[auth]"
      echo "public_key = \"$public_key\""
      echo "keys = [{ name = \"ops\", key = \"$admin_key\", scopes = [\"admin\"] }]"
    fi
    # Budgets far above what a run sends: schemathesis is one client
    # sending as fast as it can, and rate limits have their own tests.
    cat <<TOML
[rate_limits]
recommend = { per_second = 1000.0, burst = 1000 }
write = { per_second = 1000.0, burst = 1000 }
submit = { per_second = 1000.0, burst = 1000 }
reports_per_ip = { per_second = 1000.0, burst = 1000 }
reports_per_community = { per_second = 1000.0, burst = 1000 }
new_users_per_ip = { per_second = 1000.0, burst = 1000 }
[http]
address_file = "$dir/address"
[liveness]
enabled = false
[liveness.hosts]
"schemathesis.invalid" = "127.0.0.1"
TOML
  } > "$dir/copmatch.toml"
  "$bin" --config "$dir/copmatch.toml" serve --addr 127.0.0.1:0 >"$dir/server.log" 2>&1 &
  pid=$!
  for _ in $(seq 300); do
    [ -f "$dir/address" ] && break
    kill -0 "$pid" 2>/dev/null || { echo "copmatch exited:"; cat "$dir/server.log"; exit 1; }
    sleep 0.5
  done
  [ -f "$dir/address" ] || { echo "copmatch did not start"; tail -20 "$dir/server.log"; exit 1; }
}

stop() {
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  pid=
}

status=0
for mode in $modes; do
  start "$mode"
  base="$(cat "$work/$mode/address")"
  auth=()
  case "$mode" in
    admin) auth=(--header "Authorization: Bearer $admin_key") ;;
    public) auth=(--header "Authorization: Bearer $public_key") ;;
  esac
  echo "[schemathesis] $mode: copmatch at $base" >&2
  # From the mode's directory, so schemathesis's own cache stays out of the checkout.
  (cd "$work/$mode" && SCHEMATHESIS_HOOKS=hooks PYTHONPATH="$root/tests/schemathesis" \
    "$venv/bin/schemathesis" run "$base/openapi.json" \
    --checks all "${auth[@]}" \
    --max-examples "${ST_EXAMPLES:-50}" --seed "${ST_SEED:-20261129}" \
    --generation-database none --no-color --request-timeout 60 \
    --report junit --report-dir "$work/$mode/report") || { echo "[schemathesis] $mode: FAILED" >&2; status=1; }
  stop
  # Our own errors (a 5xx is logged by copmatch_api::error); actix's own lines
  # about unparsable requests (answered 400 before reaching us) are not ours.
  if grep -q 'ERROR copmatch' "$work/$mode/server.log"; then
    echo "[schemathesis] $mode: copmatch logged errors:" >&2
    grep 'ERROR copmatch' "$work/$mode/server.log" | head -20 >&2
    status=1
  fi
done
exit $status
