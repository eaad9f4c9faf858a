"""Reads data/vocab_files.tsv, the one list of known rank files with their pinned SHA-256 and URL.

Imported by tools/gen_known_vocab.py, tools/embed_vocab.py and scripts/fetch_vocab.py.
"""
import os

TSV = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "vocab_files.tsv")


def known_vocab_files(path=TSV):
    """(file name, sha256, url) triples in file order; raises ValueError on a malformed line."""
    rows = []
    with open(path, encoding="utf-8") as f:
        for no, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            cols = line.split("\t")
            if len(cols) != 3 or len(cols[1]) != 64 or not all(c in "0123456789abcdef" for c in cols[1]):
                raise ValueError(f"{path}:{no}: expected 'name<TAB>sha256<TAB>url'")
            rows.append(tuple(cols))
    if not rows:
        raise ValueError(f"{path}: no rank files listed")
    return rows
