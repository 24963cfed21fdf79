"""The warehouse step: load the lake's clean events, data-quality table and marts into BigQuery or DuckDB.

Both targets read the same plan (`plan.plan_load`: which lake folders, which months, checked against the
contract before anything changes) and create the same views from the same BigQuery SQL files under
`bigquery/views/` (DuckDB gets them transpiled by sqlglot).
"""
