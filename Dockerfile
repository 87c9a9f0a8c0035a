# Multi-stage image of the copmatch service with libtorch (CPU) and the model.
# Build: docker build -t copmatch .    (docker-compose.yml does this)

FROM rust:1.95-bookworm AS build
RUN apt-get update && apt-get install -y --no-install-recommends python3 python3-pip && rm -rf /var/lib/apt/lists/*
# The same path in both stages: the binary's rpath points at /app/.deps/torch/torch/lib.
WORKDIR /app
COPY scripts/setup.sh scripts/setup.sh
RUN PIP_BREAK_SYSTEM_PACKAGES=1 bash scripts/setup.sh
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
ENV COPMATCH__HTTP__ADDR=0.0.0.0:8080 \
    COPMATCH__DATA_DIR=/var/lib/copmatch \
    COPMATCH__MODEL__DIR=/app/.deps/models/all-MiniLM-L6-v2 \
    COPMATCH__CATALOG__PATH=/app/data/communities.jsonl \
    COPMATCH__MODELS__DIR=/var/lib/copmatch/models
RUN mkdir -p /var/lib/copmatch/models && chown -R copmatch /var/lib/copmatch
USER copmatch
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s CMD curl -fsS http://127.0.0.1:8080/ready || exit 1
ENTRYPOINT ["copmatch"]
CMD ["serve"]
