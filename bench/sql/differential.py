#!/usr/bin/env python3
"""The generated SQL on real engines against `revc assign`, lead by lead.

For each case (a rules file, a lead table, a mode) this runs `revc assign` for the expected
result, then for each engine `revc compile --emit sql --dialect D` and the query on that engine
over the same table loaded as text columns, and compares id, stage and rule of every lead.

Engines: DuckDB (in-process, also over a Parquet copy of the table), PostgreSQL (a server this
script starts on loopback in a scratch directory; installed with apt-get when missing), Apache
Spark in local mode (PySpark). It prints, per engine, that it ran, on how many leads, with how
many differences, and exits 1 when an engine cannot start or any lead differs.

Usage: python3 bench/sql/differential.py --revc target/debug/revc
Requirements: bench/sql/requirements.txt (pip), Java 17 for Spark.
"""

import argparse
import csv
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
AS_OF = "2024-06-15"


def fail(msg):
    print(f"FAIL: {msg}", file=sys.stderr, flush=True)
    sys.exit(1)


def xeducation_with_stages(src, dst):
    """The X Education sample with a made-up stage column (as in tests/sql_differential.rs)."""
    stages = ["", "Inquiry", "engaged", "  ROUTING ", "Sales   Qualified", "Enrolled",
              "nurture", "Do Not Contact", "Lost"]
    lines = Path(src).read_text(encoding="utf-8").split("\n")
    out = []
    for i, line in enumerate(lines):
        if not line:
            continue
        out.append(line + ("Current Stage" if i == 0 else f'"{stages[i % len(stages)]}"'))
    Path(dst).write_text("\n".join(out) + "\n", encoding="utf-8")


def cases(tmp):
    xe = tmp / "xeducation-stages.csv"
    xeducation_with_stages(ROOT / "examples/data/xeducation-sample.csv", xe)
    life = ROOT / "examples/data/lifecycle-leads.csv"
    hostile = ROOT / "tests/fixtures/sql/hostile.csv"
    return [
        ("lifecycle: assignment rules", "examples/lifecycle.rev", life, []),
        ("lifecycle: transitions", "examples/lifecycle.rev", life, ["--stage-column", "Stage"]),
        ("lifecycle: campaign", "examples/lifecycle.rev", life,
         ["--stage-column", "Stage", "--campaign", "Backfill hot leads"]),
        ("xeducation: assignment rules", "examples/xeducation.rev", xe, []),
        ("xeducation: transitions", "examples/xeducation.rev", xe,
         ["--stage-column", "Current Stage"]),
        ("xeducation: campaign", "examples/xeducation.rev", xe,
         ["--campaign", "Backfill engaged visitors"]),
        ("hostile values", "tests/fixtures/sql/hostile.rev", hostile, []),
    ]


def header_of(path):
    with open(path, newline="", encoding="utf-8-sig") as f:
        return next(csv.reader(f))


def table_columns(path):
    """Column names as loaded: an unnamed column gets a name (every engine needs one)."""
    return [h if h else f"_unnamed_{i}" for i, h in enumerate(header_of(path))]


def expected(revc, rules, data, mode, tmp):
    out = tmp / "expected.csv"
    r = subprocess.run([revc, "assign", rules, str(data), "--as-of", AS_OF, "-o", str(out),
                        "--threads", "1", *mode], cwd=ROOT, capture_output=True, text=True)
    if r.returncode != 0:
        fail(f"revc assign {rules} {data} {' '.join(mode)}: {r.stderr}")
    with open(out, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))[1:]
    return {row[0]: (row[1], row[2]) for row in rows}


def query(revc, rules, data, mode, dialect):
    r = subprocess.run([revc, "compile", rules, "--emit", "sql", "--dialect", dialect,
                        "--as-of", AS_OF, "--columns-from", str(data), *mode],
                       cwd=ROOT, capture_output=True, text=True)
    if r.returncode != 0:
        fail(f"revc compile --dialect {dialect}: {r.stderr}")
    return r.stdout.strip().rstrip(";")


def compare(got_rows, want):
    got = {}
    for id_, stage, rule in got_rows:
        got[str(id_)] = (stage or "", rule or "")
    diffs = [(k, got.get(k), v) for k, v in want.items() if got.get(k) != v]
    extra = [k for k in got if k not in want]
    return len(want), diffs + [(k, got[k], None) for k in extra]


# ------------------------------------------------------------------ engines

class DuckDB:
    name = "duckdb"
    dialect = "duckdb"

    def __init__(self, tmp):
        import duckdb
        self.con = duckdb.connect()
        self.tmp = tmp
        self.parquet = False

    def load(self, data):
        cols = table_columns(data)
        spec = ", ".join(f"'{c.replace(chr(39), chr(39) * 2)}': 'VARCHAR'" for c in cols)
        # The last case's table (or, with Parquet, view) goes first.
        self.con.execute(f"DROP {'VIEW' if self.parquet else 'TABLE'} IF EXISTS leads")
        path = str(data).replace("'", "''")
        self.con.execute(
            f"CREATE TABLE leads AS SELECT * FROM read_csv('{path}', header = true, "
            f"columns = {{{spec}}}, quote = '\"', escape = '\"', auto_detect = false)")
        if self.parquet:
            # The same table through a Parquet file, as docs/sql.md shows.
            pq = str(self.tmp / "leads.parquet").replace("'", "''")
            self.con.execute(f"COPY leads TO '{pq}' (FORMAT parquet)")
            self.con.execute("DROP TABLE leads")
            self.con.execute(f"CREATE VIEW leads AS SELECT * FROM read_parquet('{pq}')")

    def run(self, sql):
        return self.con.execute(sql).fetchall()

    def close(self):
        self.con.close()


class DuckDBParquet(DuckDB):
    name = "duckdb (parquet)"

    def __init__(self, tmp):
        super().__init__(tmp)
        self.parquet = True


def pg_bin():
    for d in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (d / "pg_ctl").exists():
            return d
    return None


class Postgres:
    name = "postgres"
    dialect = "postgres"

    def __init__(self, tmp):
        bin_dir = pg_bin()
        if bin_dir is None:
            print("postgres: not installed; installing the Debian package", flush=True)
            env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
            subprocess.run(["apt-get", "update", "-q"], check=True, env=env)
            subprocess.run(["apt-get", "install", "-y", "-q", "postgresql"], check=True, env=env)
            bin_dir = pg_bin()
            if bin_dir is None:
                raise RuntimeError("apt-get installed postgresql but pg_ctl is not there")
        self.bin = bin_dir
        self.dir = Path(tempfile.mkdtemp(prefix="revc-pg-"))
        # The server refuses to run as root: run it as the package's `postgres` user.
        self.user = "postgres" if os.geteuid() == 0 else None
        if self.user:
            shutil.chown(self.dir, self.user)
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        data = self.dir / "data"
        self.sh([str(self.bin / "initdb"), "-D", str(data), "-U", "revc", "--auth=trust",
                 "--encoding=UTF8", "--locale=C.UTF-8"])
        self.sh([str(self.bin / "pg_ctl"), "-D", str(data), "-l", str(self.dir / "log"), "-w",
                 "-o", f"-h 127.0.0.1 -p {self.port} -k {self.dir}", "start"])
        self.started = True

    def sh(self, cmd, **kw):
        if self.user:
            cmd = ["runuser", "-u", self.user, "--", *cmd]
        r = subprocess.run(cmd, capture_output=True, text=True, **kw)
        if r.returncode != 0:
            log = self.dir / "log"
            extra = log.read_text() if log.exists() else ""
            raise RuntimeError(f"{' '.join(cmd)}: {r.stderr}{extra}")
        return r.stdout

    def psql(self, sql, stdin=None):
        r = subprocess.run(["psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "revc",
                            "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-q", "-c", sql],
                           input=stdin, capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError(f"psql: {r.stderr}")
        return r.stdout

    def load(self, data):
        cols = ", ".join('"' + c.replace('"', '""') + '" text' for c in table_columns(data))
        self.psql("DROP TABLE IF EXISTS leads")
        self.psql(f"CREATE TABLE leads ({cols})")
        self.psql("COPY leads FROM STDIN WITH (FORMAT csv, HEADER true)",
                  stdin=Path(data).read_text(encoding="utf-8-sig"))

    def run(self, sql):
        out = self.psql(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)")
        return list(csv.reader(out.splitlines(keepends=True)))

    def close(self):
        if getattr(self, "started", False):
            self.sh([str(self.bin / "pg_ctl"), "-D", str(self.dir / "data"), "-m", "fast",
                     "-w", "stop"])
        shutil.rmtree(self.dir, ignore_errors=True)


class Spark:
    name = "spark"
    dialect = "spark"

    def __init__(self, tmp):
        from pyspark.sql import SparkSession
        self.spark = (SparkSession.builder.master("local[1]").appName("revc-differential")
                      .config("spark.ui.enabled", "false")
                      .config("spark.sql.shuffle.partitions", "1")
                      .getOrCreate())
        self.spark.sparkContext.setLogLevel("ERROR")

    def load(self, data):
        from pyspark.sql.types import StringType, StructField, StructType
        schema = StructType([StructField(c, StringType()) for c in table_columns(data)])
        df = (self.spark.read.option("header", "true").option("multiLine", "true")
              .option("escape", '"').option("encoding", "UTF-8").schema(schema)
              .option("enforceSchema", "true").csv(str(data)))
        df.createOrReplaceTempView("leads")

    def run(self, sql):
        return [tuple(r) for r in self.spark.sql(sql).collect()]

    def close(self):
        self.spark.stop()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--revc", required=True, help="the revc binary")
    ap.add_argument("--engines", default="duckdb,duckdb-parquet,postgres,spark")
    args = ap.parse_args()
    revc = str(Path(args.revc).resolve())
    engines = {"duckdb": DuckDB, "duckdb-parquet": DuckDBParquet, "postgres": Postgres,
               "spark": Spark}
    failed = False
    with tempfile.TemporaryDirectory(prefix="revc-sql-") as t:
        tmp = Path(t)
        todo = cases(tmp)
        want = {c[0]: expected(revc, c[1], c[2], c[3], tmp) for c in todo}
        for key in args.engines.split(","):
            cls = engines[key]
            started = time.time()
            try:
                engine = cls(tmp)
            except Exception as e:  # noqa: BLE001 - any failure to start is fatal, loudly
                print(f"{cls.name}: COULD NOT START: {e}", flush=True)
                failed = True
                continue
            leads = diffs = 0
            try:
                for label, rules, data, mode in todo:
                    engine.load(data)
                    rows = engine.run(query(revc, rules, data, mode, engine.dialect))
                    n, d = compare(rows, want[label])
                    leads += n
                    diffs += len(d)
                    if d:
                        print(f"  {cls.name} / {label}: {len(d)} differences, first: {d[:3]}",
                              flush=True)
            except Exception as e:  # noqa: BLE001
                print(f"{cls.name}: FAILED while running: {e}", flush=True)
                failed = True
            finally:
                engine.close()
            verdict = "ok" if diffs == 0 else "DIFFERS"
            print(f"{cls.name}: ran {len(todo)} cases on {leads} leads, {diffs} differences "
                  f"({time.time() - started:.1f} s) {verdict}", flush=True)
            failed |= diffs > 0
    if failed:
        fail("the generated SQL does not match revc assign on every engine")
    print("all engines agree with revc assign")


if __name__ == "__main__":
    main()
