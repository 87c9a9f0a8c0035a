"""sentence-transformers on the texts `benches/embedding.rs` wrote, for comparison.

Usage: python3 benches/embedding_reference.py MODEL_DIR [THREADS=2]
Needs sentence-transformers (for example the peer's virtualenv from
../shared/tools/peer/setup.sh: PEER/venv/bin/python). Embeds
target/embedding-texts/{short,long}.txt in batches of 32, as the Rust bench
does, with THREADS torch threads in one process (the whole machine, as
copmatch's default model threads use it), and prints sentences per second.
"""
import pathlib
import sys
import time

import torch
from sentence_transformers import SentenceTransformer

model_dir = sys.argv[1]
threads = int(sys.argv[2]) if len(sys.argv) > 2 else 2
torch.set_num_threads(threads)
model = SentenceTransformer(model_dir, device="cpu")
here = pathlib.Path(__file__).resolve().parent.parent / "target" / "embedding-texts"
for name in ("short", "long"):
    path = here / f"{name}.txt"
    if not path.is_file():
        sys.exit(f"{path} is missing: run `cargo bench -p copmatch-benches --bench embedding` first")
    texts = path.read_text(encoding="utf-8").split("\n")
    model.encode(texts[:32], batch_size=32)
    started = time.perf_counter()
    for i in range(0, len(texts), 32):
        model.encode(texts[i:i + 32], batch_size=32, normalize_embeddings=True)
    rate = len(texts) / (time.perf_counter() - started)
    print(f"sentence-transformers {name}, {threads} torch threads: {rate:.0f} sentences/s (batches of 32)")
