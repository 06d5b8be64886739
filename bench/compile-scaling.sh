#!/usr/bin/env bash
# Compile time against file size: generates 1,000, 10,000 and 100,000 assignment rules with
# examples/gen_rules.rs and times `revc check` on each (best of 3), printing the time per size
# and per rule; with LINT=1 it times `revc lint` too (slow: the linter's first-match analysis is
# superlinear, about 30 s for 1,000 generated rules on two shared cores). Linear scaling shows as a flat per-rule column; the script fails
# when the per-rule time at 100k is more than 3x that at 10k (a quadratic step would make it 10x).
# A script to rerun by hand, not a timed test: shared CI machines make timings flaky.
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=(1000 10000 100000)
if [ $# -gt 0 ]; then sizes=("$@"); fi
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
cargo build --release --quiet
cargo build --release --quiet --example gen_rules
bin="${CARGO_TARGET_DIR:-target}/release/revc"
gen="${CARGO_TARGET_DIR:-target}/release/examples/gen_rules"

best_of_3() {
  local best="" t start end
  for _ in 1 2 3; do
    start=$(date +%s.%N)
    "$@" > /dev/null 2>&1 || true
    end=$(date +%s.%N)
    t=$(echo "$end - $start" | bc -l)
    if [ -z "$best" ] || [ "$(echo "$t < $best" | bc -l)" = 1 ]; then best=$t; fi
  done
  echo "$best"
}

printf '%8s %10s %10s %14s %10s %14s\n' rules bytes check_s check_us/rule lint_s lint_us/rule
declare -A per_rule
for n in "${sizes[@]}"; do
  f="$dir/rules-$n.rev"
  "$gen" "$n" > "$f"
  # The generated file must compile clean, or the timing would measure error paths.
  "$bin" check "$f" 2> /dev/null
  c=$(best_of_3 "$bin" check "$f")
  l=0
  if [ "${LINT:-0}" = 1 ]; then l=$(best_of_3 "$bin" lint "$f"); fi
  cu=$(echo "$c * 1000000 / $n" | bc -l)
  lu=$(echo "$l * 1000000 / $n" | bc -l)
  per_rule[$n]=$cu
  printf '%8d %10d %10.3f %14.2f %10.3f %14.2f\n' "$n" "$(wc -c < "$f")" "$c" "$cu" "$l" "$lu"
done
if [ -n "${per_rule[10000]:-}" ] && [ -n "${per_rule[100000]:-}" ]; then
  ratio=$(echo "${per_rule[100000]} / ${per_rule[10000]}" | bc -l)
  printf 'check per-rule time, 100k over 10k: %.2fx\n' "$ratio"
  if [ "$(echo "$ratio > 3" | bc -l)" = 1 ]; then
    echo "compile time grows faster than the file" >&2
    exit 1
  fi
fi
