#!/usr/bin/env python3
"""Distil all-mpnet-base-v2's ranking of catalog texts into all-MiniLM-L6-v2's weights.

What it learns: for a request-like text (an ESCO occupation label phrased as copmatch phrases a
role, as typed, or in a sentence; a catalog category or tag phrased as an interest), the student
(MiniLM) should spread its similarities over catalog texts the way the teacher (mpnet) does:
listwise KL divergence between the two softmax distributions (temperature 0.05) over the
teacher's top 4 texts of every query in the batch plus 32 random ones. Both sides of a pair go
through the student, so community vectors and request vectors move together. No evaluation query
is read: the texts are the bundled catalog (data/communities.jsonl, as `community_text` writes it)
and ESCO v1.0 occupation labels (data/taxonomy/occupations.tsv; © European Union, Commission
Decision 2011/833/EU, reuse allowed with attribution).

The result is a sentence-transformers folder with the student's architecture, served by copmatch
with `model.dir` (and `model.name = all-MiniLM-L6-v2`); `copmatch-model.json` in it names the
weights, so an index built from other weights is re-embedded on start. Measured in README
"Distilling mpnet into MiniLM".

Runs on the sentence-transformers stack (`make distil` installs it next to the libtorch wheel
`make setup` already unpacked). About 35 minutes on 2 cores with bf16 (AMX); most of it is the
600 training steps, one batch of 32 queries and ~150 catalog texts each.

Usage: scripts/distil.py --out DIR [--steps 600] [--learning-rate 3e-5] [--seed 0]
"""

import argparse
import hashlib
import json
import random
import shutil
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from sentence_transformers import SentenceTransformer

HOME = Path(__file__).resolve().parent.parent
# Platform phrases as `Platform::kind_phrase` writes them (services/domain/src/community/kinds.rs).
KIND = {
    "slack": "a Slack workspace", "discord": "a Discord server", "linkedin": "a LinkedIn group",
    "forum": "a forum", "reddit": "a subreddit", "stackexchange": "a Stack Exchange Q&A site",
    "association": "a professional association", "meetup": "in-person meetups",
    "mailing_list": "a mailing list", "telegram": "a Telegram group", "matrix": "a Matrix room",
    "mastodon": "a Mastodon instance", "facebook": "a Facebook group",
    "github": "a GitHub community", "web": "a website community",
}
# Sentences a person might type around a trade; the trade is the ESCO label.
SENTENCES = [
    "I work as a {} and want to meet peers",
    "{} looking for a community to share experience",
    "I am a {} and want to learn from others in my field",
    "new {} looking for advice and a place to ask questions",
]
TEMPERATURE = 0.05
QUERIES_PER_STEP = 32
TEACHER_TOP = 4
RANDOM_TEXTS = 32
TRAIN_TOKENS = 128


def community_text(c):
    """`copmatch_ranking::wordings::community_text`, in Python."""
    kind = KIND.get(c["platform"].lower().replace("-", "_").replace(" ", "_"), "a community")
    text = f"{c['name']}: {kind}"
    if c.get("categories"):
        text += " for " + ", ".join(c["categories"])
    text += "."
    if c.get("description"):
        text += " " + c["description"]
    tags = [t.replace("-", " ").replace("_", " ") for t in c.get("tags") or []]
    if tags:
        text += " Topics: " + ", ".join(tags)
    return text


def role_request(label):
    """`request_for` of a role (services/ranking/src/wordings.rs)."""
    return f"a community for {label}" if label.endswith("s") else f"a community for {label}s"


def training_texts(catalog, occupations, rng):
    communities = [json.loads(line) for line in open(catalog, encoding="utf-8") if line.strip()]
    texts = [community_text(c) for c in communities]
    labels = sorted({
        line.split("\t")[1].strip()
        for line in open(occupations, encoding="utf-8")
        if not line.startswith("#") and "\t" in line
    })
    rng.shuffle(labels)
    topics = sorted({t for c in communities for t in (c.get("categories") or []) + (c.get("tags") or [])})
    rng.shuffle(topics)
    queries = [role_request(label) for label in labels[:6000]]
    queries += labels[6000:8000]
    queries += [rng.choice(SENTENCES).format(label) for label in labels[8000:10000]]
    queries += [f"a community about {t}" for t in topics[:2500]]
    queries += topics[2500:4000]
    return texts, queries


def encode(model, texts, batch):
    with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16):
        vectors = [
            F.normalize(model(model.tokenize(texts[i:i + batch]))["sentence_embedding"].float(), dim=-1)
            for i in range(0, len(texts), batch)
        ]
    return torch.cat(vectors)


def agreement(student, texts, queries, held_out, teacher_top):
    """Share of the teacher's top 10 texts the student also ranks top 10, on held-out queries."""
    student.eval()
    text_vectors = encode(student, texts, 128)
    query_vectors = encode(student, [queries[i] for i in held_out], 256)
    top = (query_vectors @ text_vectors.T).topk(10, dim=1).indices
    student.train()
    return float(np.mean([
        len(set(a.tolist()) & set(b.tolist())) / 10 for a, b in zip(top, teacher_top[held_out])
    ]))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--teacher", type=Path, default=HOME / ".deps/models/all-mpnet-base-v2")
    parser.add_argument("--student", type=Path, default=HOME / ".deps/models/all-MiniLM-L6-v2")
    parser.add_argument("--catalog", type=Path, default=HOME / "data/communities.jsonl")
    parser.add_argument("--occupations", type=Path, default=HOME / "data/taxonomy/occupations.tsv")
    parser.add_argument("--steps", type=int, default=600)
    parser.add_argument("--learning-rate", type=float, default=3e-5)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if args.out.exists():
        sys.exit(f"{args.out} exists; choose a new folder")
    for path in (args.teacher, args.student, args.catalog, args.occupations):
        if not path.exists():
            sys.exit(f"{path} is missing (run `make setup` for the models)")
    torch.manual_seed(args.seed)
    rng = random.Random(args.seed)
    started = time.time()

    texts, queries = training_texts(args.catalog, args.occupations, rng)
    print(f"{len(texts)} catalog texts, {len(queries)} request texts", flush=True)
    teacher = SentenceTransformer(str(args.teacher), device="cpu")
    teacher.max_seq_length = TRAIN_TOKENS
    teacher_texts = encode(teacher, texts, 64)
    teacher_queries = encode(teacher, queries, 128)
    del teacher
    print(f"teacher vectors in {time.time() - started:.0f} s", flush=True)

    order = list(range(len(queries)))
    rng.shuffle(order)
    held_out, train = order[:800], order[800:]
    teacher_top = (teacher_queries @ teacher_texts.T).topk(10, dim=1).indices
    student = SentenceTransformer(str(args.student), device="cpu")
    served_tokens = student.max_seq_length
    student.max_seq_length = TRAIN_TOKENS
    before = agreement(student, texts, queries, held_out, teacher_top)
    print(f"agreement with the teacher's top 10 before: {before:.3f}", flush=True)

    optimizer = torch.optim.AdamW(student.parameters(), lr=args.learning_rate, weight_decay=0.01)
    warmup = 50
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min(1.0, (s + 1) / warmup) * max(0.0, 1 - s / args.steps))
    student.train()
    for step in range(args.steps):
        batch = rng.sample(train, QUERIES_PER_STEP)
        pool = sorted(set(teacher_top[batch, :TEACHER_TOP].flatten().tolist())
                      | set(rng.sample(range(len(texts)), RANDOM_TEXTS)))
        with torch.autocast("cpu", dtype=torch.bfloat16):
            q = student(student.tokenize([queries[i] for i in batch]))["sentence_embedding"]
            t = student(student.tokenize([texts[i] for i in pool]))["sentence_embedding"]
        q, t = F.normalize(q.float(), dim=-1), F.normalize(t.float(), dim=-1)
        logits = q @ t.T / TEMPERATURE
        target = teacher_queries[batch] @ teacher_texts[pool].T / TEMPERATURE
        loss = F.kl_div(F.log_softmax(logits, -1), F.log_softmax(target, -1),
                        log_target=True, reduction="batchmean")
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(student.parameters(), 1.0)
        optimizer.step()
        schedule.step()
        if step % 25 == 0 or step == args.steps - 1:
            elapsed = time.time() - started
            print(f"step {step + 1}/{args.steps}  loss {loss.item():.4f}  {elapsed:.0f} s", flush=True)
    after = agreement(student, texts, queries, held_out, teacher_top)
    print(f"agreement with the teacher's top 10 after: {after:.3f}", flush=True)

    student.max_seq_length = served_tokens
    # Written beside the destination and renamed when complete: a folder without its
    # copmatch-model.json would serve as the published model and mix its vectors with them.
    partial = args.out.with_name(args.out.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    student.save(str(partial))
    weights = hashlib.sha256((partial / "model.safetensors").read_bytes()).hexdigest()
    model_id = f"all-MiniLM-L6-v2-distilled-{weights[:12]}"
    (partial / "copmatch-model.json").write_text(json.dumps({
        "id": model_id,
        "architecture": "all-MiniLM-L6-v2",
        "teacher": "all-mpnet-base-v2",
        "steps": args.steps,
        "learning_rate": args.learning_rate,
        "seed": args.seed,
        "catalog_texts": len(texts),
        "request_texts": len(queries),
        "agreement_before": round(before, 4),
        "agreement_after": round(after, 4),
        "sources": [
            "data/communities.jsonl (copmatch's bundled catalog; see data/SOURCES.md)",
            "ESCO v1.0 occupation labels, © European Union, Commission Decision 2011/833/EU",
        ],
    }, indent=2) + "\n")
    partial.rename(args.out)
    print(f"wrote {args.out} as {model_id} in {time.time() - started:.0f} s; serve it with "
          f"--model-dir {args.out}", flush=True)


if __name__ == "__main__":
    main()
