#!/usr/bin/env python3
"""Compares the tokenmaxx CLI's open-model encodings with each vendor's own tokenizer, id for id.

llama3 and llama4 against llama-models' Tokenizer classes, tekken against mistral-common's
Tekkenizer (ids offset by its 1,000 special tokens), on the corpus documents of
tests/token/corpus_files.txt, through `tokenmaxx encode --encoding E --jsonl` (the C++ path; the
Python package is compared by bindings/python/tests/test_open_models.py). The CLI finds the rank
files in the vendors' installed packages (TOKENMAXX_SITE_PACKAGES), as a user's would.
scripts/setup.sh installs both packages; a missing one is a failure, never a skip.

--sample K keeps every K-th row of each .jsonl file and the first 64 Ki characters of each .txt
document (the sanitizer builds run this shortened comparison).
"""
import os
import re
import sys

from compare_with_tiktoken import compare_cli, corpus_rows, parse_compare_args, required_corpus_files

# llama-models' Tokenizer.encode cuts its input at 400,000 characters and at runs of 25,000
# whitespace or non-whitespace characters; such documents are compared with the tiktoken model
# underneath it (ref.model), which tokenizes the text whole as tokenmaxx does.
LLAMA_CUT = re.compile(r"\s{25001,}|\S{25001,}")


def llama_reference(version):
    if version == "llama3":
        from llama_models.llama3.tokenizer import Tokenizer
    else:
        from llama_models.llama4.tokenizer import Tokenizer
    ref = Tokenizer.get_instance()

    def encode(text):
        if len(text) > 400_000 or LLAMA_CUT.search(text):
            return ref.model.encode_ordinary(text)
        return ref.encode(text, bos=False, eos=False)

    return encode


def tekken_reference():
    import mistral_common
    from mistral_common.tokens.tokenizers.tekken import Tekkenizer

    ref = Tekkenizer.from_file(os.path.join(os.path.dirname(mistral_common.__file__), "data", "tekken_240911.json"))
    return lambda text: ref.encode(text, bos=False, eos=False)


def main():
    args = parse_compare_args()
    if not args.corpus or not os.path.isdir(args.corpus):
        sys.exit(f"FAIL: set TOKENMAXX_CORPUS_DIR to the corpus folder (got {args.corpus!r})")
    try:
        import llama_models
        import mistral_common
    except ImportError as e:
        sys.exit(f"FAIL: {e}; scripts/setup.sh installs llama-models and mistral-common")
    packages = {os.path.dirname(os.path.dirname(m.__file__)) for m in (llama_models, mistral_common)}
    if len(packages) != 1:
        sys.exit(f"FAIL: llama-models and mistral-common are in different site-packages folders: {sorted(packages)}")
    env = dict(os.environ, TOKENMAXX_SITE_PACKAGES=packages.pop())
    env.pop("TOKENMAXX_VOCAB_DIR", None)  # the files come from the packages, as for a user

    references = {"llama3": llama_reference("llama3"), "llama4": llama_reference("llama4"), "tekken": tekken_reference()}
    corpora = list(corpus_rows(args.corpus, required_corpus_files(args.corpus_list), args.sample))
    sys.exit(1 if compare_cli(args.cli, corpora, references, "the vendor's tokenizer", env) else 0)


if __name__ == "__main__":
    main()
