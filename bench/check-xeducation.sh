#!/usr/bin/env bash
# Runs `revc assign` on the full X Education export (../shared/data, when present) and checks that
# every lead is accounted for: read = 9,240 = assigned + unassigned + rejected, none rejected.
set -euo pipefail
cd "$(dirname "$0")/.."
data=../shared/data/xeducation-leads.csv
if [ ! -f "$data" ]; then
  echo "check-xeducation: $data not found; skipped"
  exit 0
fi
cargo build --release --quiet --bin revc
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
./target/release/revc assign examples/xeducation.rev "$data" --as-of 2024-06-15 \
  -o "$out/assignments.csv" --rejects "$out/rejects.csv" --format json 2> "$out/summary.json"
python3 - "$out" <<'PY'
import csv, json, sys
out = sys.argv[1]
s = json.load(open(f"{out}/summary.json"))
rows = list(csv.DictReader(open(f"{out}/assignments.csv", newline="")))
assert s["read"] == 9240, s["read"]
assert s["read"] == s["assigned"] + s["unassigned"] + s["rejected"], s
assert s["rejected"] == 0 and len(rows) == 9240, (s["rejected"], len(rows))
assert sum(st["leads"] for st in s["stages"]) == s["assigned"]
print(f"check-xeducation: {s['read']} leads, {s['assigned']} assigned, {s['unassigned']} unassigned, "
      f"{s['rejected']} rejected; stages: " + ", ".join(f"{st['stage']} {st['leads']}" for st in s["stages"]))
PY
