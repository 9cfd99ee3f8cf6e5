"""DuckDB doing the aggregation of boj's year report on the same data, for BENCHMARKS.md.

    cargo run --release -p boj-rapport --example rapport_bench -- 1000000 /tmp/rapport
    pip install duckdb
    python3 perf/rapport_duckdb.py /tmp/rapport

Loading the CSV files is not timed (boj's in-memory structure is built at start-up, and its cost is
reported separately); the queries are, best and median of 15 runs on a warm connection. They compute
the same numbers as `boj_rapport::modell::sammanstall` for the year: the five two-way tables with
their margins (which give the one-way tables), the several-valued items by bit, informed, reasons,
late registrations, and the two activity tables with counts, minutes and contributing cases.
"""
import statistics
import sys
import time

import duckdb

d = sys.argv[1]
con = duckdb.connect()
con.execute(f"create table fall as select * from read_csv_auto('{d}/fall.csv')")
con.execute(f"create table akt as select * from read_csv_auto('{d}/aktiviteter.csv')")

Y = "cykel between 0 and 3"
two_way = [
    f"select hem, {c}, count(*) from fall where {Y} and status = 0 group by grouping sets ((hem, {c}), (hem), ({c}), ())"
    for c in ["person", "kon", "alder", "polis", "forsta"]
]
bits = ", ".join(f"sum((brott >> {i}) & 1)" for i in range(11))
obits = ", ".join(f"sum((omst >> {i}) & 1)" for i in range(5))
rbits = ", ".join(f"sum((orsaker >> {i}) & 1)" for i in range(4))
queries = two_way + [
    f"select {bits}, {obits}, sum(informerad), count(*) - sum(informerad), sum(sent) from fall where {Y} and status = 0",
    f"select {rbits}, sum(case when status = 2 then 1 else 0 end) from fall where {Y} and status <> 0",
    f"select a.slag, count(*), sum(a.minuter), count(distinct a.fall) from akt a join fall f on f.id = a.fall "
    f"where a.cykel between 0 and 3 and f.status = 0 group by grouping sets ((a.slag), ())",
    f"select a.satt, count(*), sum(a.minuter), count(distinct a.fall) from akt a join fall f on f.id = a.fall "
    f"where a.cykel between 0 and 3 and f.status = 0 group by a.satt",
]
times = []
for _ in range(15):
    t = time.perf_counter()
    for q in queries:
        con.execute(q).fetchall()
    times.append((time.perf_counter() - t) * 1000)
times.sort()
n = con.execute("select count(*) from fall").fetchone()[0]
print(f"duckdb {duckdb.__version__}: the year report's aggregation over {n} cases: best {times[0]:.1f} ms, median {statistics.median(times):.1f} ms")
check = con.execute(
    f"select (select count(*) from fall where {Y} and status = 0), count(*), sum(a.minuter), count(distinct a.fall) "
    f"from akt a join fall f on f.id = a.fall where a.cykel between 0 and 3 and f.status = 0"
).fetchone()
print(f"check: {check[0]} cases within the agreement; activities, minutes, contributing cases: ({check[1]}, {check[2]}, {check[3]})")
