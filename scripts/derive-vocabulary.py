#!/usr/bin/env python3
"""Derives data/vocabulary-esco.txt from ESCO's English occupations.

Usage: scripts/derive-vocabulary.py ESCO_DIR VOCABULARY > data/vocabulary-esco.txt

ESCO_DIR holds `occupations_en.csv` (ESCO v1.0 English export, as committed at
github.com/MohamedGouaouri/esco, commit 381d16f, the European Commission's
own export; the same file scripts/derive-occupations.py reads). VOCABULARY is
the hand-written data/vocabulary.txt, whose terms win over ESCO's.

One group per occupation whose alternative labels abbreviate it: the
preferred label first (the long form the model reads), then every
alternative label that contains an acronym as ESCO writes it (two to five
capitals: "SEO specialist", "EMT"). A label is left out when it names more
than one occupation, when a word of it is a two-letter acronym standing
alone (too ambiguous in a profile: "PA", "QS"), when its acronym is a
general one (found in the labels of three or more occupations: IT, TV,
CEO, DIY…) or one the hand-written vocabulary defines otherwise ("AI" is
artificial intelligence there, so "AI technician" is not read as ESCO's
animal insemination technician), or when the hand-written vocabulary
already has the label. Matching ignores case and plural "s", so labels
that differ only so are written once. ESCO © European Union, reused under
Commission Decision 2011/833/EU.

An acronym must also be spelled out by the preferred label's initials: ESCO
lists "CT technician" under lithographer (computer-to-plate), which a
profile would mean as radiography, and "EMT" under "paramedic in emergency
responses".
"""
import csv
import re
import sys
from collections import defaultdict
from pathlib import Path

ACRONYM = re.compile(r"\b[A-Z][A-Z0-9]{1,4}\b")


def fold(label):
    words = re.split(r"[^\w+#]+", label.lower())
    out = []
    for w in words:
        if not w:
            continue
        if len(w) > 4 and w.endswith("ies"):
            w = w[:-3] + "y"
        elif len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is")):
            w = w[:-1]
        out.append(w)
    return " ".join(out)


def spelled_out(acronym, long_form):
    """Whether the acronym's letters are initials of the long form's words,
    in order ("BME" in "biomedical engineer" is not, "MEMS" in "microsystem
    engineer" is not, "HE" in "higher education lecturer" is)."""
    initials = [w[0] for w in re.split(r"[^a-z0-9]+", long_form.lower()) if w]
    letters = [c for c in acronym.lower() if c.isalpha()]
    i = 0
    for c in initials:
        if i < len(letters) and c == letters[i]:
            i += 1
    return i == len(letters)


def hand_terms(path):
    terms = set()
    for line in open(path, encoding="utf-8"):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        group = line.split(">")[0]
        terms.update(fold(t) for t in group.split("|"))
    return terms


def main():
    rows = list(csv.DictReader(open(Path(sys.argv[1]) / "occupations_en.csv", encoding="utf-8")))
    taken = hand_terms(sys.argv[2])
    acronym_owners = defaultdict(set)
    for row in rows:
        for label in row["altLabels"].split("\n"):
            for a in ACRONYM.findall(label):
                acronym_owners[a].add(row["conceptUri"])
    general = {a for a, o in acronym_owners.items() if len(o) >= 3}
    general |= {a for a in acronym_owners if fold(a) in taken}
    owners = defaultdict(set)
    for row in rows:
        for label in [row["preferredLabel"]] + row["altLabels"].split("\n"):
            if label.strip():
                owners[fold(label)].add(row["conceptUri"])
    groups = []
    for row in rows:
        long_form = " ".join(row["preferredLabel"].split())
        seen = {fold(long_form)}
        terms = []
        for label in row["altLabels"].split("\n"):
            label = " ".join(label.split())
            acronyms = ACRONYM.findall(label)
            key = fold(label)
            if (
                not acronyms
                or any(a in general for a in acronyms)
                or "," in label
                or key in seen
                or key in taken
                or len(owners[key]) > 1
                or any(len(a) < 3 and label == a for a in acronyms)
                or not all(spelled_out(a, long_form) for a in acronyms)
                or "|" in label
                or ">" in label
            ):
                continue
            seen.add(key)
            terms.append(label.lower())
        if terms and fold(long_form) not in taken:
            groups.append(" | ".join([long_form.lower()] + terms))
    print("# Abbreviations of occupations, derived by scripts/derive-vocabulary.py from ESCO v1.0")
    print("# (occupations_en.csv: each occupation's preferred label, then its alternative labels")
    print("# that contain an acronym). ESCO © European Union, Commission Decision 2011/833/EU.")
    print("# Generated: edit the script, not this file. Format: data/vocabulary.txt.")
    for g in sorted(groups):
        print(g)


if __name__ == "__main__":
    main()
