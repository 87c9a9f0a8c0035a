# Multi-stage image of the copmatch service with libtorch (CPU) and the model.
# Build: docker build -t copmatch .    (docker-compose.yml does this)
#
# Layers, from the most stable to the least, so that a change to copmatch's
# own code rebuilds only copmatch (cargo-chef: the dependencies are compiled
# from a recipe of the manifests and Cargo.lock, before the sources arrive):
#   1. toolchain + cargo-chef          (changes with the Rust version)
#   2. libtorch + the model            (changes with scripts/setup.sh or a model manifest)
#   3. every dependency, compiled      (changes with a Cargo.toml or Cargo.lock)
#   4. copmatch itself                 (changes with any source file)
# This file cannot be built on the machines the project is developed and
# tested on (no Docker engine there); the layer split is the one cargo-chef
# documents.

FROM rust:1.95-bookworm AS chef
RUN apt-get update && apt-get install -y --no-install-recommends python3 python3-pip && rm -rf /var/lib/apt/lists/* \
 && cargo install cargo-chef --locked --version ^0.1
# The same path in every stage: the binary's rpath points at /app/.deps/torch/torch/lib.
WORKDIR /app

# The dependency recipe: only manifests and the lock file go into it.
FROM chef AS planner
COPY . .
RUN cargo chef prepare --recipe-path recipe.json

FROM chef AS build
# libtorch and the model first: they depend only on these files.
COPY scripts/setup.sh scripts/install_model.py scripts/
COPY models/manifests models/manifests
RUN PIP_BREAK_SYSTEM_PACKAGES=1 bash scripts/setup.sh
# The dependencies, from the recipe. torch-sys finds libtorch through
# .cargo/config.toml, and the crates that link it share one build script.
COPY .cargo .cargo
COPY scripts/libtorch-rpath.rs scripts/libtorch-rpath.rs
COPY --from=planner /app/recipe.json recipe.json
RUN cargo chef cook --release --recipe-path recipe.json --bin copmatch
# Then copmatch's own code.
COPY . .
RUN cargo build --release --bin copmatch \
 && mkdir -p /runtime/.deps/torch/torch/lib /runtime/.deps/torch/nvidia \
 && cp -L .deps/torch/torch/lib/libtorch_cpu.so .deps/torch/torch/lib/libc10.so .deps/torch/torch/lib/libtorch.so \
       .deps/torch/torch/lib/libgomp-*.so.1 /runtime/.deps/torch/torch/lib/ \
 && cp -r .deps/torch/nvidia/cuda_runtime .deps/torch/nvidia/cuda_cupti /runtime/.deps/torch/nvidia/ \
 && cp -r .deps/models /runtime/.deps/models

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates curl && rm -rf /var/lib/apt/lists/* \
 && useradd --system --home /app copmatch
WORKDIR /app
COPY --from=build /runtime/.deps /app/.deps
COPY --from=build /app/target/release/copmatch /usr/local/bin/copmatch
COPY data /app/data
# Every path is set here: an installed binary takes its defaults from its
# working directory, never from where it was built. The model's folder follows
# model.name under COPMATCH_HOME (.deps/models/<name>; both models are in the
# image), so COPMATCH__MODEL__NAME alone switches it.
ENV COPMATCH__HTTP__ADDR=0.0.0.0:8080 \
    COPMATCH__DATA_DIR=/var/lib/copmatch \
    COPMATCH__CATALOG__PATH=/app/data/communities.jsonl \
    COPMATCH__MODELS__DIR=/var/lib/copmatch/models \
    COPMATCH_HOME=/app
RUN mkdir -p /var/lib/copmatch/models && chown -R copmatch /var/lib/copmatch
USER copmatch
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s CMD curl -fsS http://127.0.0.1:8080/ready || exit 1
ENTRYPOINT ["copmatch"]
CMD ["serve"]
