# Sourced by scripts/run.sh, scripts/test.sh and scripts/test_python.sh (the shared preamble):
#  - resolves a relative TOKENMAXX_VOCAB_DIR against the folder the command was typed in, then
#    cds to the repository root;
#  - with `tokenmaxx_require_shared_data`, exports the shared test-data folders (scripts/env.sh);
#  - `stage NAME` / `stage_done` print a banner and the stage's duration.
if [ -n "${TOKENMAXX_VOCAB_DIR:-}" ] && [ -d "$TOKENMAXX_VOCAB_DIR" ]; then
  TOKENMAXX_VOCAB_DIR="$(cd "$TOKENMAXX_VOCAB_DIR" && pwd)"
  export TOKENMAXX_VOCAB_DIR
fi
tokenmaxx_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$tokenmaxx_root"
tokenmaxx_jobs="$(nproc)"

tokenmaxx_require_shared_data() {
  # shellcheck source=scripts/env.sh
  source scripts/env.sh
}

tokenmaxx_stage_started=$SECONDS
tokenmaxx_stage_name=""
stage() {
  tokenmaxx_stage_name="$*"
  tokenmaxx_stage_started=$SECONDS
  printf '\n==== %s\n' "$*"
}
stage_done() {
  printf '==== %s: %d s\n' "$tokenmaxx_stage_name" "$((SECONDS - tokenmaxx_stage_started))"
}
