# Sourced by scripts/test.sh and scripts/test_python.sh: resolves the shared test data folders to
# absolute paths and exports them. TOKENMAXX_VOCAB_DIR is required (../shared/vocab is the default
# when it exists beside the clone); corpus, expected answers and tiktoken's cache default to its
# siblings. The virtual environment that scripts/setup.sh makes for an externally managed python3
# comes first on PATH.
if [ -x build/venv/bin/python3 ]; then PATH="$(pwd)/build/venv/bin:$PATH"; export PATH; fi
if [ -z "${TOKENMAXX_VOCAB_DIR:-}" ] && [ -d ../shared/vocab ]; then TOKENMAXX_VOCAB_DIR=../shared/vocab; fi
: "${TOKENMAXX_VOCAB_DIR:?set TOKENMAXX_VOCAB_DIR to the folder holding the .tiktoken files}"
TOKENMAXX_VOCAB_DIR="$(cd "$TOKENMAXX_VOCAB_DIR" && pwd)"
tokenmaxx_shared_dir="$(dirname "$TOKENMAXX_VOCAB_DIR")"
export TOKENMAXX_VOCAB_DIR
export TOKENMAXX_CORPUS_DIR="${TOKENMAXX_CORPUS_DIR:-$tokenmaxx_shared_dir/corpus}"
export TOKENMAXX_EXPECTED_DIR="${TOKENMAXX_EXPECTED_DIR:-$tokenmaxx_shared_dir/expected}"
export TIKTOKEN_CACHE_DIR="${TIKTOKEN_CACHE_DIR:-$TOKENMAXX_VOCAB_DIR/tiktoken_cache}"
