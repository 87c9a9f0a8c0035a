#!/usr/bin/env bash
# The shared compare.sh (../shared/tools/peer/compare.sh) with free-text profiles
# (benches/load/free_text.lua) instead of the page's role + skill ones: copmatch's
# free-text path (a second model re-reads the first results) against the peer.
# Usage, from the checkout: bash benches/load/compare-free-text.sh COPMATCH_BIN PEER_DIR [DURATION_S] [CONCURRENCIES] [ROUNDS]
# The same arguments and environment as compare.sh (SYSTEMS, COPMATCH__…).
set -eu
shared=$(cd "$(dirname "$0")/../../../shared" && pwd)
lua=$(cd "$(dirname "$0")" && pwd)/free_text.lua
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# compare.sh finds app.py beside itself and the corpus at ../../data from there.
mkdir -p "$work/tools/peer"
ln -s "$shared/data" "$work/data"
cp "$shared/tools/peer/compare.sh" "$shared/tools/peer/app.py" "$work/tools/peer/"
cp "$lua" "$work/tools/peer/rec.lua"
bash "$work/tools/peer/compare.sh" "$@"
