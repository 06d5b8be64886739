#!/usr/bin/env bash
# Seeds fuzz/corpus/parse_lower/ with every .rev fixture and example (named by content hash, as
# libFuzzer names its own finds, so reseeding is idempotent).
set -euo pipefail
cd "$(dirname "$0")/.."
out=fuzz/corpus/parse_lower
mkdir -p "$out"
n=0
while IFS= read -r -d '' f; do
  cp "$f" "$out/$(sha1sum "$f" | cut -c1-40)"
  n=$((n + 1))
done < <(find tests/fixtures examples -name '*.rev' -print0)
echo "seeded $n files into $out"
