#!/usr/bin/env bash
# Peak memory of `revc assign` reading standard input stays flat as the input grows: generated
# exports of 1M and 10M leads (about 200 MB and 2 GB, streamed, never on disk) must peak within
# 10% of each other, and under 64 MB.
#   ./bench/memory-flat.sh [SMALL] [LARGE]
set -euo pipefail
cd "$(dirname "$0")/.."
small=${1:-1000000}
large=${2:-10000000}
cargo build --release --quiet --bin revc --example gen_leads
peak() {
  local rows=$1 log
  log=$(mktemp)
  ./target/release/examples/gen_leads "$rows" |
    /usr/bin/time -f "%M" -o "$log" ./target/release/revc assign bench/rules.rev - \
      --as-of 2024-06-15 -o /dev/null --format json 2>/dev/null
  cat "$log"
  rm -f "$log"
}
a=$(peak "$small")
b=$(peak "$large")
echo "peak RSS reading stdin: $small leads ${a} KB, $large leads ${b} KB"
python3 - "$a" "$b" <<'PY'
import sys
a, b = int(sys.argv[1]), int(sys.argv[2])
ratio = b / a
print(f"ratio {ratio:.3f} (must be within 10%: 0.90..1.10); largest {max(a, b) / 1024:.1f} MB (must be under 64 MB)")
if not (0.9 <= ratio <= 1.1) or max(a, b) >= 64 * 1024:
    sys.exit(1)
PY
