#!/usr/bin/env bash
# Sets up the machine, builds tokenmaxx (Release) and runs the CLI on sample text.
# Usage: TOKENMAXX_VOCAB_DIR=../shared/vocab ./scripts/run.sh
set -euo pipefail
source "$(dirname "$0")/common.sh"
bash scripts/setup.sh

if [ -z "${TOKENMAXX_VOCAB_DIR:-}" ] && [ -d ../shared/vocab ]; then TOKENMAXX_VOCAB_DIR=../shared/vocab; fi
if [ -z "${TOKENMAXX_VOCAB_DIR:-}" ]; then
  echo "TOKENMAXX_VOCAB_DIR is not set: fetching the official rank files into the cache"
  python3 scripts/fetch_vocab.py
else
  TOKENMAXX_VOCAB_DIR="$(cd "$TOKENMAXX_VOCAB_DIR" && pwd)"
  export TOKENMAXX_VOCAB_DIR
fi

cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build/release -j "$(nproc)" -t tokenmaxx_cli
cli=build/release/tools/tokenmaxx

sample_dir="${TOKENMAXX_CORPUS_DIR:-$(dirname "${TOKENMAXX_VOCAB_DIR:-.}")/corpus}"
echo
echo "== tokenmaxx count --model gpt-4o (o200k_base) on the sample files"
if [ -d "$sample_dir" ]; then
  "$cli" count --model gpt-4o "$sample_dir"/*.txt
else
  "$cli" count --model gpt-4o README.md
fi
echo
echo "== tokenmaxx encode --encoding cl100k_base --jsonl (three rows)"
printf '%s\n' '{"id": 1, "text": "Hello, world!"}' \
  '{"id": "b", "text": "tokenmaxx counts exactly what tiktoken counts, only faster."}' \
  '{"id": 3, "text": "Grüße aus Köln — 東京 👋"}' | "$cli" encode --encoding cl100k_base --jsonl -
