#!/usr/bin/env bash
# Runs every fuzz target (or those named after the time) for a bounded time each, one after the
# other, and prints one line per target: seconds, executions, crashes found.
#
#   fuzz/run.sh [SECONDS_PER_TARGET] [TARGET...]      (default: 60 seconds, every target)
#
# FUZZ_JOBS=N runs N targets at a time (default 1); each still gets SECONDS of its own.
#
# Corpora are seeded from the rule fixtures and tests/data on each run (fuzz/corpus/, not
# committed). Crashing inputs land in fuzz/artifacts/<target>/; turn each into a regression test
# in the normal suite (tests/data/robustness/) before fixing it.
set -uo pipefail
cd "$(dirname "$0")"

seconds="${1:-60}"
shift || true
all_targets=(terraform terraform_eval yaml json toml shell plan lsp fix)
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=("${all_targets[@]}")

if ! rustup run nightly rustc --version >/dev/null 2>&1; then
  echo "fuzz: skipped, the nightly toolchain is not installed (rustup toolchain install nightly)"
  exit 0
fi
if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
  echo "fuzz: skipped, cargo-fuzz is not installed (cargo install cargo-fuzz --locked)"
  exit 0
fi

python3 seed.py || exit 1

# Rust code here is safe code; the tree-sitter grammars are C but are not built with the
# sanitizer's flags, so AddressSanitizer would only slow the run down. Debug assertions stay on
# so that arithmetic overflow is caught.
build=(--sanitizer none --debug-assertions --release)
for target in "${targets[@]}"; do
  cargo +nightly fuzz build "${build[@]}" "$target" || { echo "fuzz: cannot build $target"; exit 1; }
done

# Runs one target and prints its summary line.
run_target() {
  local target="$1"
  mkdir -p "artifacts/$target" "corpus/$target"
  local before after start elapsed runs status log="artifacts/$target.log"
  before=$(find "artifacts/$target" -type f | wc -l)
  start=$(date +%s)
  # -timeout: one input taking over 10 s is a hang; -rss_limit_mb bounds memory.
  cargo +nightly fuzz run "${build[@]}" "$target" "corpus/$target" -- \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="artifacts/$target/" >"$log" 2>&1
  status=$?
  elapsed=$(( $(date +%s) - start ))
  runs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$' | tail -n 1)
  after=$(find "artifacts/$target" -type f | wc -l)
  echo "$target: ${elapsed}s, ${runs:-?} executions, $((after - before)) crashes (exit $status)"
}

jobs_at_once="${FUZZ_JOBS:-1}"
rm -f last-run.txt
for target in "${targets[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$jobs_at_once" ]; do
    wait -n
  done
  run_target "$target" | tee -a last-run.txt &
done
wait
