#!/usr/bin/env bash
# Sets up the machine, builds tokenmaxx (Release) and runs `tokenmaxx demo`: a synthetic
# organisation's usage through the ledger and the privacy gate into build/demo/report.html.
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

echo
echo "== tokenmaxx demo: a synthetic organisation through ingest (ledger) and report (privacy gate)"
"$cli" demo --out build/demo
