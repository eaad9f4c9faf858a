"""Reads data/vocab_files.tsv, the one list of known rank files with their pinned SHA-256 and source.

Imported by tools/gen_known_vocab.py, tools/embed_vocab.py and scripts/fetch_vocab.py.
"""
import os

TSV = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "vocab_files.tsv")
FORMATS = ("tiktoken", "tekken")


def vocab_file_rows(path=TSV):
    """(file name, sha256, source, format) in file order; raises ValueError on a malformed line."""
    rows = []
    with open(path, encoding="utf-8") as f:
        for no, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            cols = line.split("\t")
            ok = len(cols) == 4 and len(cols[1]) == 64 and all(c in "0123456789abcdef" for c in cols[1])
            ok = ok and cols[3] in FORMATS and (cols[2].startswith("https://") or cols[2].count(":") == 2)
            if not ok:
                raise ValueError(f"{path}:{no}: expected 'name<TAB>sha256<TAB>https-URL or pypi:dist:path<TAB>format'")
            rows.append(tuple(cols))
    if not rows:
        raise ValueError(f"{path}: no rank files listed")
    return rows


def known_vocab_files(path=TSV):
    """(file name, sha256, url) of the files tiktoken downloads (OpenAI's): the ones tokenmaxx may
    embed, ship in the wheel and fetch."""
    return [(name, sha, src) for name, sha, src, _fmt in vocab_file_rows(path) if src.startswith("https://")]


def vendor_vocab_files(path=TSV):
    """(file name, sha256, distribution, path in site-packages, format) of the files that a vendor's
    PyPI package ships; tokenmaxx only reads them where that package is installed."""
    out = []
    for name, sha, src, fmt in vocab_file_rows(path):
        if src.startswith("pypi:"):
            _, dist, package_path = src.split(":")
            out.append((name, sha, dist, package_path, fmt))
    return out
