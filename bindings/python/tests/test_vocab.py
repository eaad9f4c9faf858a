"""Finding and verifying rank files: lookup order, pinned hashes, the cache and the one-time
download (served from a local HTTP server, so the test needs no network)."""
from __future__ import annotations

import functools
import hashlib
import http.server
import threading
from pathlib import Path

import pytest

import tokenmaxx
from tokenmaxx import _core, load

VOCAB_FILES = ["r50k_base.tiktoken", "p50k_base.tiktoken", "cl100k_base.tiktoken", "o200k_base.tiktoken"]


@pytest.fixture
def shared_vocab() -> Path:
    from conftest import shared_dir

    return shared_dir("TOKENMAXX_VOCAB_DIR", "vocab")


@pytest.fixture
def isolated(monkeypatch, tmp_path):
    """No TOKENMAXX_VOCAB_DIR, no tiktoken cache, no shipped files, an empty cache folder."""
    for var in ["TOKENMAXX_VOCAB_DIR", "TOKENMAXX_OFFLINE", "TIKTOKEN_CACHE_DIR", "DATA_GYM_CACHE_DIR"]:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("TOKENMAXX_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(load, "_PACKAGE_VOCAB_DIR", str(tmp_path / "no-package-vocab"))
    return tmp_path


@pytest.fixture
def server(shared_vocab, tmp_path):
    """A local HTTP server for a folder; yields (folder, base URL, list of requested paths)."""
    root = tmp_path / "served"
    root.mkdir()
    requests: list[str] = []

    class Handler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            requests.append(self.path)
            super().do_GET()

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(root)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield root, f"http://127.0.0.1:{httpd.server_address[1]}", requests
    httpd.shutdown()
    httpd.server_close()


def test_pinned_hashes_match_the_shared_sha256sums(shared_vocab):
    sums = dict(reversed(line.split()) for line in (shared_vocab / "SHA256SUMS").read_text().splitlines() if line.strip())
    for name in VOCAB_FILES:
        assert load.KNOWN_VOCAB_FILES[name][0] == sums[name]
        assert load.KNOWN_VOCAB_FILES[name][1] == f"https://openaipublic.blob.core.windows.net/encodings/{name}"


def test_env_dir_comes_first(isolated, shared_vocab, monkeypatch):
    monkeypatch.setenv("TOKENMAXX_VOCAB_DIR", str(shared_vocab))
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(shared_vocab / "tiktoken_cache"))
    assert load.vocab_candidates("r50k_base.tiktoken")[0] == ("TOKENMAXX_VOCAB_DIR", str(shared_vocab / "r50k_base.tiktoken"))
    vocab = load._load_uncached("r50k_base.tiktoken")
    assert vocab.source == str(shared_vocab / "r50k_base.tiktoken")
    assert len(vocab) == 50256


def test_tampered_file_is_rejected_with_both_hashes(isolated, shared_vocab, monkeypatch):
    bad = isolated / "bad"
    bad.mkdir()
    data = bytearray((shared_vocab / "r50k_base.tiktoken").read_bytes())
    data[100] ^= 1
    (bad / "r50k_base.tiktoken").write_bytes(bytes(data))
    monkeypatch.setenv("TOKENMAXX_VOCAB_DIR", str(bad))
    with pytest.raises(tokenmaxx.VocabError) as info:
        load._load_uncached("r50k_base.tiktoken")
    message = str(info.value)
    assert "r50k_base.tiktoken" in message
    assert load.KNOWN_VOCAB_FILES["r50k_base.tiktoken"][0] in message
    assert hashlib.sha256(bytes(data)).hexdigest() in message
    assert isinstance(info.value, ValueError)


def test_offline_without_files_is_a_clear_error(isolated, monkeypatch):
    monkeypatch.setenv("TOKENMAXX_OFFLINE", "1")
    with pytest.raises(tokenmaxx.VocabError, match="cl100k_base.tiktoken not found"):
        load._load_uncached("cl100k_base.tiktoken")


def test_download_once_into_the_cache(isolated, shared_vocab, server, monkeypatch):
    root, base, requests = server
    name = "r50k_base.tiktoken"
    (root / name).write_bytes((shared_vocab / name).read_bytes())
    sha, _ = load.KNOWN_VOCAB_FILES[name]
    monkeypatch.setitem(load.KNOWN_VOCAB_FILES, name, (sha, f"{base}/{name}"))
    vocab = load._load_uncached(name)
    cached = isolated / "cache" / name
    assert vocab.source == str(cached)
    assert hashlib.sha256(cached.read_bytes()).hexdigest() == sha
    assert requests == [f"/{name}"]
    # Second load: from the cache, no request.
    load._load_uncached(name)
    assert requests == [f"/{name}"]
    # A corrupt cache entry is replaced by a fresh download.
    cached.write_bytes(b"garbage")
    load._load_uncached(name)
    assert requests == [f"/{name}", f"/{name}"]
    assert hashlib.sha256(cached.read_bytes()).hexdigest() == sha


def test_download_with_wrong_hash_is_refused_and_not_cached(isolated, shared_vocab, server, monkeypatch):
    root, base, requests = server
    name = "p50k_base.tiktoken"
    (root / name).write_bytes((shared_vocab / "r50k_base.tiktoken").read_bytes())  # the wrong file
    sha, _ = load.KNOWN_VOCAB_FILES[name]
    monkeypatch.setitem(load.KNOWN_VOCAB_FILES, name, (sha, f"{base}/{name}"))
    with pytest.raises(tokenmaxx.VocabError, match=f"(?s){name} not found.*Hash mismatch for data downloaded from {base}/{name}"):
        load._load_uncached(name)
    assert not (isolated / "cache" / name).exists()


def test_vocabulary_objects(shared_vocab):
    vocab = _core.token.Vocabulary.load_file(shared_vocab / "cl100k_base.tiktoken", load.KNOWN_VOCAB_FILES["cl100k_base.tiktoken"][0])
    assert vocab.find(b"hello") == 15339
    assert vocab.find(b"not-a-token-at-all") is None
    assert vocab.bytes_of(15339) == b"hello"
    assert vocab.bytes_of(100257) is None
    with pytest.raises(tokenmaxx.VocabError, match="line 2"):
        _core.token.Vocabulary.parse(b"aGVsbG8= 0\nnot base64! 1\n")
    assert _core.token.Vocabulary.from_ranks({b"a": 0, b"ab": 1}).to_dict() == {b"a": 0, b"ab": 1}


def test_load_tiktoken_bpe_from_a_local_file(shared_vocab, tiktoken):
    import tiktoken.load

    path = str(shared_vocab / "p50k_base.tiktoken")
    assert load.load_tiktoken_bpe(path) == tiktoken.load.load_tiktoken_bpe(path)
    with pytest.raises(ValueError, match="Hash mismatch"):
        load.load_tiktoken_bpe(path, expected_hash="0" * 64)


def test_tiktoken_cache_dir_comes_after_tokenmaxx_vocab_dir(isolated, shared_vocab, monkeypatch):
    """A tiktoken cache (files named by the SHA-1 of their URL, as tiktoken and litellm keep them)
    serves every known file; TOKENMAXX_VOCAB_DIR still wins; DATA_GYM_CACHE_DIR is tiktoken's fallback."""
    cache = shared_vocab / "tiktoken_cache"
    for name in VOCAB_FILES:
        url = load.KNOWN_VOCAB_FILES[name][1]
        assert load.tiktoken_cache_name(url) == hashlib.sha1(url.encode()).hexdigest()
        for var in ["TIKTOKEN_CACHE_DIR", "DATA_GYM_CACHE_DIR"]:
            monkeypatch.setenv(var, str(cache))
            vocab = load._load_uncached(name)
            assert vocab.source == str(cache / load.tiktoken_cache_name(url)), var
            monkeypatch.delenv(var)
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(cache))
    monkeypatch.setenv("TOKENMAXX_VOCAB_DIR", str(shared_vocab))
    assert load._load_uncached("cl100k_base.tiktoken").source == str(shared_vocab / "cl100k_base.tiktoken")
    # tiktoken's reading of an empty variable: no cache.
    monkeypatch.delenv("TOKENMAXX_VOCAB_DIR")
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", "")
    monkeypatch.setenv("DATA_GYM_CACHE_DIR", str(cache))
    monkeypatch.setenv("TOKENMAXX_OFFLINE", "1")
    with pytest.raises(tokenmaxx.VocabError):
        load._load_uncached("cl100k_base.tiktoken")


def test_damaged_tiktoken_cache_entry_is_passed_over(isolated, shared_vocab, monkeypatch):
    cache = isolated / "tiktoken-cache"
    cache.mkdir()
    name = "r50k_base.tiktoken"
    entry = cache / load.tiktoken_cache_name(load.KNOWN_VOCAB_FILES[name][1])
    entry.write_bytes((shared_vocab / "p50k_base.tiktoken").read_bytes())  # another file under its name
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(cache))
    monkeypatch.setattr(load, "_PACKAGE_VOCAB_DIR", str(shared_vocab))
    assert load._load_uncached(name).source == str(shared_vocab / name)
    assert entry.exists(), "another program's cache is not ours to delete"


def test_failed_download_names_the_file_the_places_and_the_variables(isolated, monkeypatch):
    """A real download that fails (a closed port on this machine): the package's VocabError, not urllib's."""
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    name = "o200k_base.tiktoken"
    sha, _ = load.KNOWN_VOCAB_FILES[name]
    url = f"http://127.0.0.1:{port}/{name}"
    monkeypatch.setitem(load.KNOWN_VOCAB_FILES, name, (sha, url))
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(isolated / "tiktoken-cache"))
    with pytest.raises(tokenmaxx.VocabError) as info:
        load._load_uncached(name)
    message = str(info.value)
    for _, place in load.vocab_candidates(name):
        assert place in message
    for needed in [f"{name} not found", f"the download from {url} failed", "TOKENMAXX_VOCAB_DIR",
                   "TIKTOKEN_CACHE_DIR", "TOKENMAXX_OFFLINE", load.tiktoken_cache_name(url)]:
        assert needed in message, needed
    import urllib.error

    assert isinstance(info.value.__cause__, urllib.error.URLError)
