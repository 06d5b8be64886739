#!/usr/bin/env bash
# Benchmark `revc assign` against DuckDB and the csv crate on a generated export (default
# 1,000,000 leads, about 200 MB). Needs python3; installs the duckdb package if missing.
#   ./bench/assign-bench.sh [ROWS]
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet --bin revc --example gen_leads --example csv_floor
python3 -c "import duckdb" 2>/dev/null || python3 -m pip install --quiet duckdb
python3 bench/assign_bench.py "$@"
