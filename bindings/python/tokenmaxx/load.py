"""Finding, verifying and (once, if allowed) downloading rank files; tiktoken's ``tiktoken.load``.

Lookup order for a known file such as ``cl100k_base.tiktoken``:

1. ``$TOKENMAXX_VOCAB_DIR/cl100k_base.tiktoken``
2. tiktoken's cache: ``$TIKTOKEN_CACHE_DIR`` (else ``$DATA_GYM_CACHE_DIR``), under tiktoken's
   file name for the file's official URL (the SHA-1 of the URL), so a cache filled by tiktoken or
   shipped by another package (litellm does) serves tokenmaxx too
3. the files shipped in the wheel (``tokenmaxx/_vocab/``, present when the wheel was built with
   ``TOKENMAXX_VOCAB_DIR`` set)
4. the per-user cache (``$TOKENMAXX_CACHE_DIR``, else ``$XDG_CACHE_HOME/tokenmaxx``, else
   ``~/.cache/tokenmaxx``)
5. a download from the official URL tiktoken uses, into the per-user cache, unless
   ``TOKENMAXX_OFFLINE=1``; a failed download raises ``VocabError`` naming the file, every place
   looked in and the variables that point to a copy.

Every file is checked against the SHA-256 pinned in the C++ core (the same hashes tiktoken pins)
before it is used. A mismatch in ``TOKENMAXX_VOCAB_DIR`` or in the wheel is an error; a
mismatching cache entry (either cache) is passed over, as tiktoken passes over a stale one.

The functions named as in tiktoken (``read_file``, ``read_file_cached``, ``check_hash``,
``data_gym_to_mergeable_bpe_ranks``, ``load_tiktoken_bpe``, ``dump_tiktoken_bpe``) behave as
tiktoken 0.14's do, except that the official rank-file URLs resolve through the lookup above.
"""
from __future__ import annotations

import os
import threading

from tokenmaxx._core import token as _token

VocabError = _token.VocabError

#: file name -> (pinned SHA-256, official URL), from the C++ table ``known_vocab_files``.
KNOWN_VOCAB_FILES: dict[str, tuple[str, str]] = {
    name: (sha, url) for name, sha, url in _token.known_vocab_files()
}
_FILE_BY_URL = {url: name for name, (_, url) in KNOWN_VOCAB_FILES.items()}
#: file name -> (pinned SHA-256, PyPI distribution, path in site-packages, format) of the rank files
#: that model vendors' packages ship (Llama, Mistral), from the C++ table ``vendor_vocab_files``.
#: They are never downloaded nor shipped in the wheel: they are read from the installed package.
VENDOR_VOCAB_FILES: dict[str, tuple[str, str, str, str]] = {
    name: (sha, dist, path, fmt) for name, sha, dist, path, fmt in _token.vendor_vocab_files()
}

_PACKAGE_VOCAB_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_vocab")
_lock = threading.Lock()
_vocabularies: dict[str, _token.Vocabulary] = {}


def _offline() -> bool:
    return os.environ.get("TOKENMAXX_OFFLINE", "") not in ("", "0")


def _tiktoken_cache_dir() -> tuple[str, str] | None:
    """(variable, folder) of tiktoken's cache when a variable names one (tiktoken's precedence)."""
    for var in ("TIKTOKEN_CACHE_DIR", "DATA_GYM_CACHE_DIR"):
        if var in os.environ:
            return (var, os.environ[var]) if os.environ[var] else None  # "" disables tiktoken's cache
    return None


def tiktoken_cache_name(url: str) -> str:
    """tiktoken's cache file name for a URL: the hex SHA-1 of the URL."""
    import hashlib  # imported when first needed: `import tokenmaxx` stays light

    return hashlib.sha1(url.encode()).hexdigest()  # noqa: S324 (a file name, as tiktoken's; not security)


def vocab_candidates(file_name: str) -> list[tuple[str, str]]:
    """The places a known rank file is looked for, in order, as (role, path).

    Roles: ``TOKENMAXX_VOCAB_DIR``, ``TIKTOKEN_CACHE_DIR`` (or ``DATA_GYM_CACHE_DIR``), ``package``
    and ``cache``. Raises ``ValueError`` for a file name that is not a known rank file.
    """
    if file_name not in KNOWN_VOCAB_FILES:
        raise ValueError(f"unknown rank file {file_name!r}; known: {', '.join(KNOWN_VOCAB_FILES)}")
    places = []
    folder = os.environ.get("TOKENMAXX_VOCAB_DIR")
    if folder:
        places.append(("TOKENMAXX_VOCAB_DIR", os.path.join(folder, file_name)))
    tiktoken_cache = _tiktoken_cache_dir()
    if tiktoken_cache:
        var, folder = tiktoken_cache
        places.append((var, os.path.join(folder, tiktoken_cache_name(KNOWN_VOCAB_FILES[file_name][1]))))
    places.append(("package", os.path.join(_PACKAGE_VOCAB_DIR, file_name)))
    places.append(("cache", os.path.join(str(_token.vocab_cache_dir()), file_name)))
    return places


def vendor_vocab_candidates(file_name: str) -> list[str]:
    """Where a vendor's rank file is looked for, in order: ``$TOKENMAXX_VOCAB_DIR/<file name>``,
    then the file inside the vendor's package wherever Python would import it from (found without
    importing the package)."""
    import importlib.util  # imported when first needed: `import tokenmaxx` stays light

    _, _, package_path, _ = VENDOR_VOCAB_FILES[file_name]
    places = []
    folder = os.environ.get("TOKENMAXX_VOCAB_DIR")
    if folder:
        places.append(os.path.join(folder, file_name))
    top, _, rest = package_path.partition("/")
    try:
        spec = importlib.util.find_spec(top)
    except (ImportError, ValueError):
        spec = None
    for location in (spec.submodule_search_locations or []) if spec else []:
        places.append(os.path.join(location, *rest.split("/")))
    return places


def _load_vendor(file_name: str) -> _token.Vocabulary:
    tried = []
    for path in vendor_vocab_candidates(file_name):
        if os.path.isfile(path):
            return _token.Vocabulary.load_vendor_file(file_name, path)
        tried.append(f"{path} (missing)")
    _, dist, package_path, _ = VENDOR_VOCAB_FILES[file_name]
    raise VocabError(
        f"rank file {file_name} not found; looked in:\n  " + "\n  ".join(tried or ["no folder"]) + "\n"
        f"It ships with the Python package {dist} (its licence is the vendor's; tokenmaxx does not redistribute it): "
        f"run `pip install {dist}`, or set TOKENMAXX_VOCAB_DIR to a folder holding {package_path.rsplit('/', 1)[-1]} "
        f"from it renamed to {file_name}."
    )


def load_vocabulary(file_name: str) -> _token.Vocabulary:
    """The verified vocabulary of a known rank file, loaded once per process and shared.

    Raises ``VocabError`` when no verified copy can be found or fetched (the message names the file,
    the places looked in and the variables to set, or for a vendor's file the package to install),
    ``ValueError`` for an unknown file name.
    """
    if file_name in VENDOR_VOCAB_FILES:
        with _lock:
            vocab = _vocabularies.get(file_name)
            if vocab is None:
                vocab = _vocabularies[file_name] = _load_vendor(file_name)
            return vocab
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
    for role, path in vocab_candidates(file_name):
        if not os.path.isfile(path):
            tried.append(f"{path} (missing)")
            continue
        if role in ("TOKENMAXX_VOCAB_DIR", "package"):
            return _token.Vocabulary.load_file(path, sha256)  # a wrong file here is the user's error: raise
        try:
            return _token.Vocabulary.load_file(path, sha256)
        except VocabError as e:
            tried.append(f"{path} (passed over: {e})")  # a stale or damaged cache entry
    cache_path = os.path.join(str(_token.vocab_cache_dir()), file_name)
    if _offline():
        raise VocabError(_not_found_message(file_name, tried, "TOKENMAXX_OFFLINE is set, so it was not downloaded"))
    try:
        _store(_fetch(url, sha256), cache_path)
    except (OSError, ValueError) as e:  # urllib's URLError and socket errors are OSErrors
        raise VocabError(_not_found_message(file_name, tried, f"the download from {url} failed: {e}")) from e
    return _token.Vocabulary.load_file(cache_path, sha256)


def _not_found_message(file_name: str, tried: list[str], why: str) -> str:
    url = KNOWN_VOCAB_FILES[file_name][1]
    return (
        f"rank file {file_name} not found; looked in:\n  " + "\n  ".join(tried) + f"\nand {why}.\n"
        f"Set TOKENMAXX_VOCAB_DIR to a folder holding {file_name}, or TIKTOKEN_CACHE_DIR to a tiktoken "
        f"cache holding it as {tiktoken_cache_name(url)}, or allow the download (unset TOKENMAXX_OFFLINE; "
        f"it goes to TOKENMAXX_CACHE_DIR, default ~/.cache/tokenmaxx)."
    )


def _fetch(url: str, sha256: str | None) -> bytes:
    """The bytes at an http(s) URL, checked against ``sha256`` when given (``ValueError`` if not)."""
    import urllib.request  # imported on first download only: `import tokenmaxx` stays light

    with urllib.request.urlopen(url, timeout=120) as resp:  # noqa: S310 (http(s) URL)
        data: bytes = resp.read()
    if sha256 is not None and not check_hash(data, sha256):
        import hashlib

        raise ValueError(
            f"Hash mismatch for data downloaded from {url} (expected {sha256}, "
            f"actual {hashlib.sha256(data).hexdigest()}). This may indicate a corrupted download. Please try again."
        )
    return data


def _store(data: bytes, dest: str) -> None:
    """Writes ``data`` to ``dest`` atomically (a temporary file in the same folder, then a rename)."""
    import tempfile

    folder = os.path.dirname(dest)
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=os.path.basename(dest) + ".", suffix=".tmp")
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


def _known_file_bytes(blobpath: str, expected_hash: str | None) -> bytes | None:
    """The verified bytes of an official rank-file URL from the lookup above, or None for other paths."""
    name = _FILE_BY_URL.get(blobpath)
    if name is None or expected_hash not in (None, KNOWN_VOCAB_FILES[name][0]):
        return None
    source = load_vocabulary(name).source
    with open(source, "rb") as f:
        return f.read()


# ====================
# tiktoken's tiktoken.load
# ====================


def read_file(blobpath: str) -> bytes:
    """The bytes of a local path or an http(s) URL (other schemes need the ``blobfile`` package).

    As tiktoken's ``read_file``; URLs are fetched with the standard library instead of ``requests``.
    """
    if "://" not in blobpath:
        with open(blobpath, "rb", buffering=0) as f:
            return f.read()
    if blobpath.startswith(("http://", "https://")):
        return _fetch(blobpath, None)
    try:
        import blobfile  # type: ignore[import-not-found]
    except ImportError as e:
        raise ImportError("blobfile is not installed. Please install it by running `pip install blobfile`.") from e
    data: bytes = blobfile.read_bytes(blobpath)
    return data


def check_hash(data: bytes, expected_hash: str) -> bool:
    """Whether the SHA-256 of ``data`` is ``expected_hash`` (lowercase hex)."""
    import hashlib

    return hashlib.sha256(data).hexdigest() == expected_hash


def read_file_cached(blobpath: str, expected_hash: str | None = None) -> bytes:
    """``read_file`` through tiktoken's cache (``$TIKTOKEN_CACHE_DIR``, else ``$DATA_GYM_CACHE_DIR``,
    else ``<tmp>/data-gym-cache``; an empty value disables it), as tiktoken's ``read_file_cached``.

    The official rank-file URLs resolve through tokenmaxx's verified lookup first. Raises
    ``ValueError`` when downloaded data does not match ``expected_hash``.
    """
    known = _known_file_bytes(blobpath, expected_hash)
    if known is not None:
        return known
    user_specified_cache = True
    if "TIKTOKEN_CACHE_DIR" in os.environ:
        cache_dir = os.environ["TIKTOKEN_CACHE_DIR"]
    elif "DATA_GYM_CACHE_DIR" in os.environ:
        cache_dir = os.environ["DATA_GYM_CACHE_DIR"]
    else:
        import tempfile

        cache_dir = os.path.join(tempfile.gettempdir(), "data-gym-cache")
        user_specified_cache = False
    if cache_dir == "":
        return read_file(blobpath)

    cache_path = os.path.join(cache_dir, tiktoken_cache_name(blobpath))
    if os.path.exists(cache_path):
        with open(cache_path, "rb", buffering=0) as f:
            data = f.read()
        if expected_hash is None or check_hash(data, expected_hash):
            return data
        try:  # a stale entry: fetch again, as tiktoken does
            os.remove(cache_path)
        except OSError:
            pass

    contents = read_file(blobpath)
    if expected_hash and not check_hash(contents, expected_hash):
        raise ValueError(
            f"Hash mismatch for data downloaded from {blobpath} (expected {expected_hash}). "
            f"This may indicate a corrupted download. Please try again."
        )
    try:
        _store(contents, cache_path)
    except OSError:
        if user_specified_cache:  # tiktoken: only the default cache may be unwritable
            raise
    return contents


def data_gym_to_mergeable_bpe_ranks(
    vocab_bpe_file: str,
    encoder_json_file: str,
    vocab_bpe_hash: str | None = None,
    encoder_json_hash: str | None = None,
    clobber_one_byte_tokens: bool = False,
) -> dict[bytes, int]:
    """Ranks from GPT-2's original ``vocab.bpe`` and ``encoder.json``, as tiktoken's function.

    Single bytes come first in GPT-2's printable-first order, then one token per merge in file
    order. ``encoder.json`` must agree with the result (``AssertionError`` otherwise, as in
    tiktoken); with ``clobber_one_byte_tokens`` the single-byte ranks are taken from it.
    """
    # GPT-2 writes each byte as a printable character: printable Latin-1 bytes stand for
    # themselves, the other 68 bytes for chr(256), chr(257), ... in byte order.
    printable = [b for b in range(256) if chr(b).isprintable() and chr(b) != " "]
    rank_to_byte = printable + [b for b in range(256) if b not in printable]
    char_to_byte = {chr(b): b for b in printable}
    char_to_byte.update({chr(256 + i): b for i, b in enumerate(rank_to_byte[len(printable):])})

    def decode_data_gym(value: str) -> bytes:
        return bytes(char_to_byte[c] for c in value)

    merges_text = read_file_cached(vocab_bpe_file, vocab_bpe_hash).decode()
    merges = [tuple(line.split()) for line in merges_text.split("\n")[1:-1]]  # first line: a version header
    bpe_ranks = {bytes([b]): rank for rank, b in enumerate(rank_to_byte)}
    for first, second in merges:
        bpe_ranks[decode_data_gym(first) + decode_data_gym(second)] = len(bpe_ranks)

    import json

    encoder = {decode_data_gym(k): v for k, v in json.loads(read_file_cached(encoder_json_file, encoder_json_hash)).items()}
    encoder.pop(b"<|endoftext|>", None)  # special tokens, not mergeable ones
    encoder.pop(b"<|startoftext|>", None)
    if clobber_one_byte_tokens:
        for token, rank in encoder.items():
            if len(token) == 1:
                bpe_ranks[token] = rank
    assert bpe_ranks == encoder  # ranks must follow merge priority
    return bpe_ranks


def dump_tiktoken_bpe(bpe_ranks: dict[bytes, int], tiktoken_bpe_file: str) -> None:
    """Writes ranks in the ``.tiktoken`` format (one ``base64 rank`` line per token, by rank).

    Local paths are written directly; other locations need ``blobfile``, as in tiktoken.
    """
    import base64

    lines = b"".join(
        base64.b64encode(token) + b" " + str(rank).encode() + b"\n"
        for token, rank in sorted(bpe_ranks.items(), key=lambda x: x[1])
    )
    if "://" not in tiktoken_bpe_file:
        with open(tiktoken_bpe_file, "wb") as f:
            f.write(lines)
        return
    try:
        import blobfile
    except ImportError as e:
        raise ImportError("blobfile is not installed. Please install it by running `pip install blobfile`.") from e
    with blobfile.BlobFile(tiktoken_bpe_file, "wb") as f:
        f.write(lines)


def load_tiktoken_bpe(tiktoken_bpe_file: str, expected_hash: str | None = None) -> dict[bytes, int]:
    """A ``.tiktoken`` rank file as a dict mapping token bytes to ranks (tiktoken's function).

    ``tiktoken_bpe_file`` is a local path or a URL, read through ``read_file_cached``; the
    official URLs resolve through the verified lookup (no download when a copy is at hand).
    Raises ``ValueError`` for a hash mismatch and ``VocabError`` (a ``ValueError``) for a line
    that does not parse.
    """
    name = _FILE_BY_URL.get(tiktoken_bpe_file)
    if name is not None and expected_hash in (None, KNOWN_VOCAB_FILES[name][0]):
        return load_vocabulary(name).to_dict()
    return _token.Vocabulary.parse(read_file_cached(tiktoken_bpe_file, expected_hash), tiktoken_bpe_file).to_dict()
