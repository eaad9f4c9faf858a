"""Finding, verifying and (once, if allowed) downloading the official rank files.

Lookup order for a known file such as ``cl100k_base.tiktoken``:

1. ``$TOKENMAXX_VOCAB_DIR``
2. the files shipped in the wheel (``tokenmaxx/_vocab/``, present when the wheel was built with
   ``TOKENMAXX_VOCAB_DIR`` set)
3. the per-user cache (``$TOKENMAXX_CACHE_DIR``, else ``$XDG_CACHE_HOME/tokenmaxx``, else
   ``~/.cache/tokenmaxx``)
4. a download from the official URL tiktoken uses, into the cache, unless ``TOKENMAXX_OFFLINE=1``.

Every file is checked against the SHA-256 pinned in the C++ core (the same hashes tiktoken pins)
before it is used; a mismatch in a user-supplied or shipped file is an error, a mismatching cache
file is replaced by a fresh download.
"""
from __future__ import annotations

import base64
import hashlib
import os
import tempfile
import threading
import urllib.request
from pathlib import Path

from tokenmaxx._core import token as _token

VocabError = _token.VocabError

#: file name -> (pinned SHA-256, official URL), from the C++ table ``kKnownVocabFiles``.
KNOWN_VOCAB_FILES: dict[str, tuple[str, str]] = {
    name: (sha, url) for name, sha, url in _token.known_vocab_files()
}

_PACKAGE_VOCAB_DIR = Path(__file__).resolve().parent / "_vocab"
_lock = threading.Lock()
_vocabularies: dict[str, _token.Vocabulary] = {}


def _offline() -> bool:
    return os.environ.get("TOKENMAXX_OFFLINE", "") not in ("", "0")


def vocab_search_dirs() -> list[tuple[str, Path]]:
    """The folders searched for rank files, in order, each with its role."""
    dirs: list[tuple[str, Path]] = []
    env = os.environ.get("TOKENMAXX_VOCAB_DIR")
    if env:
        dirs.append(("TOKENMAXX_VOCAB_DIR", Path(env)))
    dirs.append(("package", _PACKAGE_VOCAB_DIR))
    dirs.append(("cache", Path(_token.vocab_cache_dir())))
    return dirs


def _download(url: str, sha256: str, dest: Path) -> None:
    with urllib.request.urlopen(url, timeout=120) as resp:  # noqa: S310 (https URL from the pinned table)
        data = resp.read()
    actual = hashlib.sha256(data).hexdigest()
    if actual != sha256:
        raise VocabError(
            f"download of {url} failed its integrity check: expected SHA-256 {sha256}, actual {actual}"
        )
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=dest.name + ".", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, dest)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def load_vocabulary(file_name: str) -> _token.Vocabulary:
    """The verified vocabulary of a known rank file, loaded once per process and shared."""
    if file_name not in KNOWN_VOCAB_FILES:
        raise ValueError(f"unknown rank file {file_name!r}; known: {', '.join(KNOWN_VOCAB_FILES)}")
    with _lock:
        vocab = _vocabularies.get(file_name)
        if vocab is None:
            vocab = _vocabularies[file_name] = _load_uncached(file_name)
        return vocab


def _load_uncached(file_name: str) -> _token.Vocabulary:
    sha256, url = KNOWN_VOCAB_FILES[file_name]
    tried = []
    for role, folder in vocab_search_dirs():
        path = folder / file_name
        if not path.is_file():
            tried.append(str(path))
            continue
        if role != "cache":
            return _token.Vocabulary.load_file(path, sha256)
        try:
            return _token.Vocabulary.load_file(path, sha256)
        except VocabError:
            if _offline():
                raise
            # A corrupt or stale cache entry: fetch a fresh copy below.
    cache_path = Path(_token.vocab_cache_dir()) / file_name
    if _offline():
        raise VocabError(
            f"rank file {file_name} not found (looked in {', '.join(tried)}) and TOKENMAXX_OFFLINE is set; "
            f"set TOKENMAXX_VOCAB_DIR to a folder holding it"
        )
    _download(url, sha256, cache_path)
    return _token.Vocabulary.load_file(cache_path, sha256)


def load_tiktoken_bpe(tiktoken_bpe_file: str, expected_hash: str | None = None) -> dict[bytes, int]:
    """tiktoken's ``load_tiktoken_bpe``: a rank file as a dict mapping token bytes to ranks.

    ``tiktoken_bpe_file`` is a local path or an http(s) URL. The official URLs resolve through
    the lookup above (no download when a verified copy is at hand); other URLs are fetched with
    urllib and, like local files, checked against ``expected_hash`` when it is given.
    """
    for name, (sha256, url) in KNOWN_VOCAB_FILES.items():
        if tiktoken_bpe_file == url and expected_hash in (None, sha256):
            return load_vocabulary(name).to_dict()
    if tiktoken_bpe_file.startswith(("http://", "https://")):
        with urllib.request.urlopen(tiktoken_bpe_file, timeout=120) as resp:  # noqa: S310
            data = resp.read()
    else:
        with open(tiktoken_bpe_file, "rb") as f:
            data = f.read()
    if expected_hash is not None and hashlib.sha256(data).hexdigest() != expected_hash:
        raise ValueError(f"Hash mismatch for data loaded from {tiktoken_bpe_file} (expected {expected_hash}).")
    return _token.Vocabulary.parse(data, tiktoken_bpe_file).to_dict()


def dump_tiktoken_bpe(bpe_ranks: dict[bytes, int], tiktoken_bpe_file: str) -> None:
    """Writes ranks in the .tiktoken format (tiktoken's ``dump_tiktoken_bpe``, local paths only)."""
    with open(tiktoken_bpe_file, "wb") as f:
        for token, rank in sorted(bpe_ranks.items(), key=lambda x: x[1]):
            f.write(base64.b64encode(token) + b" " + str(rank).encode() + b"\n")
