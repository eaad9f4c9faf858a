"""The open-model encodings against each vendor's own tokenizer, token for token.

llama3 and llama4 against llama-models' Tokenizer classes (their tokenizer.model files), tekken
against mistral-common's Tekkenizer (tekken_240911.json, ids offset by its 1,000 special tokens),
on every document of the shared corpus. scripts/setup.sh installs both packages.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
from conftest import CORPUS_FILES

import tokenmaxx

# llama-models' Tokenizer.encode cuts its input at 400,000 characters and runs of 25,000
# whitespace or non-whitespace characters (to spare tiktoken's regex a stack overflow); tokenmaxx
# tokenizes the text whole, as the vendor's underlying tiktoken model does.
LLAMA_CUT = re.compile(r"\s{25001,}|\S{25001,}")


@pytest.fixture(scope="module")
def docs(corpus) -> list[tuple[str, str]]:
    return [(f"{name}:{doc_id}", text) for name in CORPUS_FILES for doc_id, text in corpus[name]]


def llama_tokenizer(version: str):
    pytest.importorskip("llama_models")
    if version == "llama3":
        from llama_models.llama3.tokenizer import Tokenizer
    else:
        from llama_models.llama4.tokenizer import Tokenizer
    return Tokenizer.get_instance()


@pytest.mark.parametrize("name", ["llama3", "llama4"])
def test_llama_equals_llama_models(docs, name):
    ref = llama_tokenizer(name)
    enc = tokenmaxx.get_encoding(name)
    assert dict(enc._special_tokens) == ref.special_tokens
    assert enc.n_vocab == ref.n_words
    whole = 0
    bad = []
    texts = [text for _, text in docs]
    ours = enc.encode_ordinary_batch(texts, num_threads=2)
    for (doc_id, text), got in zip(docs, ours):
        if len(text) > 400_000 or LLAMA_CUT.search(text):
            whole += 1
            expected = ref.model.encode_ordinary(text)
        else:
            expected = ref.encode(text, bos=False, eos=False)
        if got != expected:
            bad.append(doc_id)
    assert not bad, f"{len(bad)} of {len(docs)} documents differ from llama-models, e.g. {bad[:5]}"
    assert whole < len(docs) // 20
    text = "<|begin_of_text|>Hi<|eot_id|>" if name == "llama3" else "<|begin_of_text|>Hi<|eot|>"
    assert enc.encode(text, allowed_special="all") == ref.encode(text, bos=False, eos=False, allowed_special="all")
    assert enc.decode(enc.encode(text, allowed_special="all")) == text


def test_tekken_equals_mistral_common(docs):
    pytest.importorskip("mistral_common")
    import mistral_common
    from mistral_common.tokens.tokenizers.tekken import Tekkenizer

    path = os.path.join(os.path.dirname(mistral_common.__file__), "data", "tekken_240911.json")
    ref = Tekkenizer.from_file(path)
    enc = tokenmaxx.get_encoding("tekken")
    specials = {str(t["token_str"]): int(t["rank"]) for t in ref._all_special_tokens}
    assert dict(enc._special_tokens) == specials
    assert enc.n_vocab == ref.n_words == 131072
    texts = [text for _, text in docs]
    ours = enc.encode_ordinary_batch(texts, num_threads=2)
    bad = [doc_id for (doc_id, text), got in zip(docs, ours) if got != ref.encode(text, bos=False, eos=False)]
    assert not bad, f"{len(bad)} of {len(docs)} documents differ from Tekkenizer, e.g. {bad[:5]}"
    ids = enc.encode_ordinary("Hello world")
    assert min(ids) >= ref.num_special_tokens and enc.decode(ids) == "Hello world"
    assert enc.decode([ref.bos_id]) == "<s>"


@pytest.mark.parametrize(
    "model,name",
    [
        ("meta-llama/Llama-3.1-8B-Instruct", "llama3"),
        ("meta-llama/Meta-Llama-3-8B", "llama3"),
        ("llama-3.3-70b", "llama3"),
        ("llama3.2:3b", "llama3"),
        ("meta.llama3-1-70b-instruct-v1:0", "llama3"),
        ("meta-llama/Llama-4-Scout-17B-16E-Instruct", "llama4"),
        ("llama-4-maverick", "llama4"),
        ("open-mistral-nemo-2407", "tekken"),
        ("mistralai/Mistral-Nemo-Instruct-2407", "tekken"),
        ("pixtral-12b-2409", "tekken"),
        ("gpt-4o", "o200k_base"),
    ],
)
def test_model_names(model, name):
    assert tokenmaxx.encoding_name_for_model(model) == name
    assert tokenmaxx.encoding_for_model(model).name == name


def test_tiktoken_lists_stay_tiktokens():
    assert set(tokenmaxx.token.OPEN_MODEL_ENCODINGS) == {"llama3", "llama4", "tekken"}
    assert not set(tokenmaxx.token.OPEN_MODEL_ENCODINGS) & set(tokenmaxx.list_encoding_names())
    with pytest.raises(KeyError):
        tokenmaxx.encoding_name_for_model("mistral-large-2411")  # SentencePiece (v7), not tekken


def test_missing_vendor_package_names_it(tmp_path):
    """Without the package (hidden from the import system) and without TOKENMAXX_VOCAB_DIR, the
    error says which package to install."""
    code = (
        "import sys; sys.modules['llama_models'] = None\n"
        "import tokenmaxx\n"
        "try:\n    tokenmaxx.get_encoding('llama3')\n"
        "except tokenmaxx.VocabError as e:\n    print(e)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "TOKENMAXX_VOCAB_DIR"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
    assert "pip install llama-models" in out and "llama3_tokenizer.model" in out


def test_vendor_file_from_vocab_dir_is_hash_checked(tmp_path):
    (tmp_path / "tekken_240911.json").write_text('{"config": {}, "vocab": []}')
    code = "import tokenmaxx\ntry:\n    tokenmaxx.get_encoding('tekken')\nexcept tokenmaxx.VocabError as e:\n    print(e)\n"
    env = dict(os.environ, TOKENMAXX_VOCAB_DIR=str(tmp_path))
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
    assert "integrity check" in out and "1948e2d48b0e7377" in out
