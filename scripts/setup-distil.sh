#!/usr/bin/env bash
# Creates the Python environment `scripts/distil.py` runs in: a virtualenv at
# .deps/distil-venv (git-ignored) with torch 2.4.0, sentence-transformers 3.4.1 and
# transformers 4.48.3 from PyPI. The PyPI torch wheel imports its CUDA libraries even on a
# CPU, so pip brings them along: about 5 GB, once. Nothing comes from a model hub: the models
# are the folders `make setup` installed. Idempotent, like setup.sh.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
venv="$root/.deps/distil-venv"
python="${PYTHON:-python3}"

if [ ! -f "$venv/.done" ]; then
  printf '[setup-distil] creating .deps/distil-venv (torch, sentence-transformers) — ~5 GB, once\n' >&2
  rm -rf "$venv"
  "$python" -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check \
    torch==2.4.0 sentence-transformers==3.4.1 transformers==4.48.3
  touch "$venv/.done"
fi
