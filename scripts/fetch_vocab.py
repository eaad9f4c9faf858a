#!/usr/bin/env python3
"""Downloads the official BPE rank files once into the tokenmaxx cache, checking pinned hashes.

The C++ library never touches the network: it reads $TOKENMAXX_VOCAB_DIR or the per-user cache
($TOKENMAXX_CACHE_DIR, else $XDG_CACHE_HOME/tokenmaxx, else ~/.cache/tokenmaxx). This script fills
that cache from the same public URLs tiktoken uses and refuses any file whose SHA-256 differs from
the hash tiktoken pins. Files already present with the right hash are not fetched again.

Usage: scripts/fetch_vocab.py [--dest DIR] [NAME.tiktoken ...]
"""
import argparse
import hashlib
import os
import sys
import tempfile
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tools"))
from vocab_files import known_vocab_files  # noqa: E402  (data/vocab_files.tsv: one source of truth)


def known_files():
    """(file name, sha256, url) triples from data/vocab_files.tsv."""
    return known_vocab_files()


def cache_dir():
    if os.environ.get("TOKENMAXX_CACHE_DIR"):
        return os.environ["TOKENMAXX_CACHE_DIR"]
    if os.environ.get("XDG_CACHE_HOME"):
        return os.path.join(os.environ["XDG_CACHE_HOME"], "tokenmaxx")
    return os.path.join(os.path.expanduser("~"), ".cache", "tokenmaxx")


def sha256_of(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dest", default=cache_dir())
    ap.add_argument("names", nargs="*")
    args = ap.parse_args()
    rows = known_files()
    wanted = set(args.names) or {r[0] for r in rows}
    unknown = wanted - {r[0] for r in rows}
    if unknown:
        sys.exit(f"unknown files: {sorted(unknown)}; known: {[r[0] for r in rows]}")
    os.makedirs(args.dest, exist_ok=True)
    for name, sha, url in rows:
        if name not in wanted:
            continue
        target = os.path.join(args.dest, name)
        if os.path.exists(target) and sha256_of(target) == sha:
            print(f"{name}: present, hash ok")
            continue
        print(f"{name}: downloading {url}")
        with urllib.request.urlopen(url, timeout=120) as resp:
            data = resp.read()
        actual = hashlib.sha256(data).hexdigest()
        if actual != sha:
            sys.exit(f"{name}: hash mismatch: expected {sha}, actual {actual}; not saved")
        fd, tmp = tempfile.mkstemp(dir=args.dest)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, target)
        print(f"{name}: saved to {target}")


if __name__ == "__main__":
    main()
