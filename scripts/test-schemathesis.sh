#!/usr/bin/env bash
# Property-based API testing with schemathesis against a live `copmatch serve`
# (embedded store, bundled catalog, keyless) from its own /openapi.json:
# every generated request, valid or not, must get no 5xx, a documented status
# code, a documented content type and headers, and a body matching the
# documented schema. Part of `make test` (so of CI).
#
# schemathesis (pinned) goes into .deps/schemathesis (git-ignored), once.
# The liveness checker is off and its host table answers only a made-up name,
# so nothing the generated requests start can reach the internet.
# Env: CARGO, CARGO_TARGET_DIR, ST_EXAMPLES (cases per operation, default 50),
# ST_SEED (default: fixed, so CI runs are reproducible).
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

cat > "$work/copmatch.toml" <<TOML
data_dir = "$work/var"
[http]
address_file = "$work/address"
[liveness]
enabled = false
[liveness.hosts]
"schemathesis.invalid" = "127.0.0.1"
TOML

"$bin" --config "$work/copmatch.toml" serve --addr 127.0.0.1:0 >"$work/server.log" 2>&1 &
pid=$!
for _ in $(seq 300); do
  [ -f "$work/address" ] && break
  kill -0 "$pid" 2>/dev/null || { echo "copmatch exited:"; cat "$work/server.log"; exit 1; }
  sleep 0.5
done
[ -f "$work/address" ] || { echo "copmatch did not start"; tail -20 "$work/server.log"; exit 1; }
base="$(cat "$work/address")"
echo "[schemathesis] copmatch at $base" >&2

status=0
# From the temporary directory, so schemathesis's own cache stays out of the checkout.
cd "$work"
SCHEMATHESIS_HOOKS=hooks PYTHONPATH="$root/tests/schemathesis" \
  "$venv/bin/schemathesis" run "$base/openapi.json" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance \
  --max-examples "${ST_EXAMPLES:-50}" --seed "${ST_SEED:-20261129}" \
  --generation-database none --no-color --request-timeout 60 \
  --report junit --report-dir "$work/report" || status=$?

# Our own errors (a 5xx is logged by copmatch_api::error); actix's own lines
# about unparsable requests (answered 400 before reaching us) are not ours.
if grep -q 'ERROR copmatch' "$work/server.log"; then
  echo "[schemathesis] copmatch logged errors:" >&2
  grep 'ERROR copmatch' "$work/server.log" | head -20 >&2
  status=1
fi
exit $status
