#!/usr/bin/env bash
# Generates a 2,000-rule .rev file and times `revc lint` on it (target: under 2 seconds).
#
# Usage: bench/lint-speed.sh [RULES]   (default 2000; builds revc in release mode first)
#
# The rules look like real ones: score bands per country and company size, so the analysis has
# to subtract thousands of overlapping boxes over three fields, and the last rules are covered.
set -euo pipefail
cd "$(dirname "$0")/.."
rules=${1:-2000}
cargo build --release --quiet
bin=${CARGO_TARGET_DIR:-target}/release/revc
out=$(mktemp -d)/bench.rev
{
  echo 'fields {'
  echo '  "Lead Score" number'
  echo '  "Number of Employees" number'
  echo '  Country text'
  echo '}'
  echo 'model "Generated" {'
  echo '  stage Known'
  echo '  stage Engaged'
  echo '  stage "Sales Lead"'
  echo '  transition Known -> Engaged when "Lead Score" at least 10'
  echo '  transition Engaged -> "Sales Lead" when "Lead Score" at least 40'
  echo '  assignment rules {'
  countries=(germany france spain india brazil japan canada mexico kenya chile)
  stages=(Known Engaged '"Sales Lead"')
  for ((i = 0; i < rules; i++)); do
    c=${countries[$((i % 10))]}
    lo=$(( (i / 10) % 100 ))
    emp=$(( (i / 1000) * 500 ))
    echo "    if \"Lead Score\" between $lo and $((lo + 1)) and Country is $c and \"Number of Employees\" at least $emp then ${stages[$((i % 3))]}"
  done
  echo '    default Known'
  echo '  }'
  echo '}'
} > "$out"
echo "generated $rules rules in $out ($(wc -l < "$out") lines)"
start=$(date +%s.%N)
"$bin" lint "$out" 2>/dev/null || true
end=$(date +%s.%N)
echo "revc lint: $(echo "$end - $start" | bc) s for $rules rules"

# Rules that keep the analysis at its size cap (examples/gen_rules.rs: bands, lists, dates and
# text over five fields): the work budget bounds the run; findings past it are left out.
gen=$(mktemp -d)/gen.rev
cargo run --release --quiet --example gen_rules -- 1000 > "$gen"
start=$(date +%s.%N)
"$bin" lint "$gen" 2>/dev/null || true
end=$(date +%s.%N)
echo "revc lint: $(echo "$end - $start" | bc) s for 1000 rules of examples/gen_rules.rs"
