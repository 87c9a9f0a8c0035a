#!/usr/bin/env python3
"""Derives data/taxonomy/occupations.tsv from ESCO's English CSV export.

Usage: scripts/derive-occupations.py ESCO_DIR > data/taxonomy/occupations.tsv

ESCO_DIR holds `occupations_en.csv` (ESCO v1.0 English export, as committed
at github.com/MohamedGouaouri/esco, commit 381d16f; the European
Commission's own export). Each output line is `ISCO-08 unit group<TAB>label`
for every preferred and alternative English label of every occupation,
lower-cased, de-duplicated, sorted. ESCO © European Union, reused under
Commission Decision 2011/833/EU; ISCO-08 © ILO.
"""
import csv
import sys
from pathlib import Path

rows = csv.DictReader(open(Path(sys.argv[1]) / "occupations_en.csv", encoding="utf-8"))
pairs = set()
for row in rows:
    code = row["iscoGroup"].strip()
    labels = [row["preferredLabel"]] + row["altLabels"].split("\n")
    for label in labels:
        label = " ".join(label.split()).lower()
        if code and label and "\t" not in label:
            pairs.add((code, label))
print("# ISCO-08 unit group<TAB>ESCO occupation label (English). Derived by scripts/derive-occupations.py")
print("# from ESCO v1.0 (© European Union, Commission Decision 2011/833/EU); ISCO-08 © ILO.")
for code, label in sorted(pairs):
    print(f"{code}\t{label}")
