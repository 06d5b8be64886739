"""DuckDB running bench/rules.rev by hand-written SQL with the same semantics, as the peer to beat.

Usage: python3 bench/duckdb_assign.py LEADS.csv OUT.csv [THREADS]
Prints the wall time; writes id,stage to OUT.csv for the agreement check.
"""
import sys
import time

import duckdb

leads, out = sys.argv[1], sys.argv[2]
threads = int(sys.argv[3]) if len(sys.argv) > 3 else 2
con = duckdb.connect()
con.execute(f"SET threads TO {threads}")
sql = f"""
COPY (
  WITH raw AS (
    SELECT * FROM read_csv('{leads}', header = true, all_varchar = true)
  ), t AS (
    SELECT "Prospect ID" AS id,
      TRY_CAST(trim("Lead Score") AS DOUBLE) AS score,
      TRY_CAST(trim("Number of Employees") AS DOUBLE) AS employees,
      TRY_CAST(trim(TotalVisits) AS DOUBLE) AS visits,
      TRY_CAST(trim("Total Time Spent on Website") AS DOUBLE) AS time_on_site,
      TRY_CAST(trim("Created At") AS DATE) AS created,
      lower(trim(Unsubscribed)) IN ('true', 'yes', '1') AS unsub,
      NULLIF(lower(trim(Country)), '') AS country,
      NULLIF(lower(trim("Job Title")), '') AS title,
      NULLIF(lower(trim("Lead Source")), '') AS source,
      NULLIF(lower(trim(Notes)), '') AS notes
    FROM raw
  ), l AS (
    SELECT *, coalesce(country IN ('germany', 'france', 'united kingdom', 'spain'), false)
      AND (coalesce(employees >= 1000, false)
           OR coalesce(title LIKE '%vp%' OR title LIKE '%director%' OR title LIKE '%head%', false)) AS emea
    FROM t
  )
  SELECT id,
    CASE
      WHEN unsub THEN 'Disqualified'
      WHEN coalesce(score >= 90 AND time_on_site > 1200, false) THEN 'Opportunity'
      WHEN coalesce(score >= 70, false) AND emea THEN 'Sales Lead'
      WHEN coalesce(source IN ('google', 'organic search') AND visits >= 10, false) THEN 'Engaged'
      WHEN coalesce(notes LIKE '%pricing%', false) THEN 'Engaged'
      WHEN (created IS NULL OR created < DATE '2024-02-01') AND coalesce(score < 20, false) THEN 'Nurture'
      WHEN country IS NULL THEN 'Disqualified'
      ELSE 'Known'
    END AS stage
  FROM l
) TO '{out}' (HEADER, DELIMITER ',')
"""
started = time.time()
con.execute(sql)
print(f"duckdb {duckdb.__version__}: {time.time() - started:.3f} s ({threads} threads)")
