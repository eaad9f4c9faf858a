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
    """No TOKENMAXX_VOCAB_DIR, no shipped files, an empty cache folder."""
    monkeypatch.delenv("TOKENMAXX_VOCAB_DIR", raising=False)
    monkeypatch.delenv("TOKENMAXX_OFFLINE", raising=False)
    monkeypatch.setenv("TOKENMAXX_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(load, "_PACKAGE_VOCAB_DIR", tmp_path / "no-package-vocab")
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
    assert load.vocab_search_dirs()[0] == ("TOKENMAXX_VOCAB_DIR", shared_vocab)
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
    with pytest.raises(tokenmaxx.VocabError, match="failed its integrity check"):
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
