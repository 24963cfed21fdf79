"""`make bench`: time the Spark pipeline on a generated month, against a DuckDB baseline of the same work.

- `runner`: generate (cached) -> ingest -> Spark clean + marts -> DuckDB baseline -> compare -> report;
- `worker`: one engine's run in its own process (so its wall time and peak memory are whole runs);
- `duckdb_baseline`: the cleaning rules and marts of issue 2 in DuckDB SQL;
- `compare`: every mart of both engines must be equal, row for row;
- `memory`: peak resident memory of a process tree;
- `report`: the printed table.
"""
