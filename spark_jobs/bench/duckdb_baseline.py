"""The baseline: issue 2's cleaning rules and marts in DuckDB SQL, over the same raw files as Spark.

It does the same work as `spark_jobs.jobs` (parse once, validate, quarantine, deduplicate, write the
clean events partitioned by day, compute and write every mart) so the two wall times can be compared,
and its marts are compared with Spark's row for row (`compare.py`): the SQL below is a second,
independent statement of the contract, so a difference means one of the two engines is wrong.
"""

from __future__ import annotations

import os
import time

from spark_jobs import contract
from spark_jobs.clean import CORRUPT, RAW_COLUMNS, REASONS
from spark_jobs.schemas import duckdb_type

# The same patterns as spark_jobs.clean (Java and RE2 agree on these), matched against the whole value.
TIMESTAMP_TEXT = r"[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}( UTC)?"
UNSIGNED_INT = r"[0-9]{1,19}"
UNSIGNED_DECIMAL = r"[0-9]{1,10}([.][0-9]+)?"
PRICE_TYPE = duckdb_type(contract.EVENTS.column("price"))
REVENUE_TYPE = duckdb_type(contract.REVENUE)


def _quoted(values) -> str:
    return ", ".join(f"'{value}'" for value in values)


def _checked(text: str, pattern: str, sql_type: str) -> str:
    return f"CASE WHEN regexp_full_match({text}, '{pattern}') THEN try_cast({text} AS {sql_type}) END"


def _is_parquet(files: list[str]) -> bool:
    return all(path.endswith(".parquet") for path in files)


def _raw_sql(files: list[str]) -> str:
    """The well-formed lines of the raw parts: ingested Parquet parts or Kaggle CSV files."""
    if _is_parquet(files):
        return (
            f"SELECT {', '.join(RAW_COLUMNS)} FROM read_parquet([{_quoted(files)}]) WHERE {CORRUPT} IS NULL"
        )
    columns = "{" + ", ".join(f"'{name}': 'VARCHAR'" for name in RAW_COLUMNS) + "}"
    return f"""
        SELECT * FROM read_csv([{_quoted(files)}], header = true, auto_detect = false, delim = ',',
            quote = '"', escape = '"', columns = {columns}, ignore_errors = true, store_rejects = true)"""


def _malformed_sql(files: list[str]) -> str:
    """Lines without 9 fields: kept in Parquet parts, DuckDB's rejects for CSV (after the read)."""
    if _is_parquet(files):
        return f"SELECT count(*) FROM read_parquet([{_quoted(files)}]) WHERE {CORRUPT} IS NOT NULL"
    return "SELECT count(DISTINCT (file_id, line)) FROM reject_errors"


def validated_sql(files: list[str]) -> str:
    """Every well-formed line with trimmed text (`t_*`), typed candidates and its first failed rule."""
    trimmed = ", ".join(f"nullif(trim({name}), '') AS t_{name}" for name in RAW_COLUMNS)
    checks = {
        "bad_event_time": "_event_time IS NULL",
        "bad_event_type": f"coalesce(_event_type NOT IN ({_quoted(contract.EVENT_TYPES)}), true)",
        "bad_product_id": "coalesce(_product_id <= 0, true)",
        "bad_category_id": "_category_id IS NULL",
        "bad_price": "_price IS NULL",
        "bad_user_id": "coalesce(_user_id <= 0, true)",
        "missing_session": "t_user_session IS NULL",
    }
    assert ("malformed_row", *checks) == REASONS  # malformed lines are counted from DuckDB's rejects
    reason = " ".join(f"WHEN {condition} THEN '{name}'" for name, condition in checks.items())
    return f"""
        WITH raw AS ({_raw_sql(files)}), trimmed AS (
            SELECT {trimmed} FROM raw
        ), typed AS (
            SELECT *,
                CASE WHEN regexp_full_match(t_event_time, '{TIMESTAMP_TEXT}')
                    THEN try_strptime(substr(t_event_time, 1, 19), '%Y-%m-%d %H:%M:%S') END AS _event_time,
                lower(t_event_type) AS _event_type,
                {_checked("t_product_id", UNSIGNED_INT, "BIGINT")} AS _product_id,
                {_checked("t_category_id", UNSIGNED_INT, "BIGINT")} AS _category_id,
                {_checked("t_price", UNSIGNED_DECIMAL, PRICE_TYPE)} AS _price,
                {_checked("t_user_id", UNSIGNED_INT, "BIGINT")} AS _user_id
            FROM trimmed
        )
        SELECT *, CASE {reason} END AS reason FROM typed
    """


EVENTS_SQL = """
    SELECT DISTINCT
        _event_time AS event_time,
        CAST(_event_time AS DATE) AS event_date,
        CAST(hour(_event_time) AS BIGINT) AS event_hour,
        _event_type AS event_type,
        _product_id AS product_id,
        _category_id AS category_id,
        t_category_code AS category_code,
        string_split(t_category_code, '.')[1] AS category_l1,
        string_split(t_category_code, '.')[2] AS category_l2,
        string_split(t_category_code, '.')[3] AS category_l3,
        lower(t_brand) AS brand,
        _price AS price,
        _user_id AS user_id,
        t_user_session AS user_session
    FROM validated WHERE reason IS NULL
"""


def _count(stage: str) -> str:
    return f"count(*) FILTER (WHERE event_type = '{stage}') AS {stage}_count"


def _distinct(stage: str, key: str, alias: str) -> str:
    return f"count(DISTINCT {key}) FILTER (WHERE event_type = '{stage}') AS {alias}"


REVENUE = "coalesce(sum(price) FILTER (WHERE event_type = 'purchase'), 0) AS revenue"
EVENT_COUNTS = [_count(stage) for stage in contract.FUNNEL_STAGES]
USERS_BY_STAGE = [_distinct(stage, "user_id", alias) for stage, alias in zip(
    contract.FUNNEL_STAGES, ("viewers", "carters", "purchasers"), strict=True)]  # fmt: skip
FUNNEL_MEASURES = [
    *USERS_BY_STAGE,
    *(_distinct(stage, "user_session", f"{stage}_sessions") for stage in contract.FUNNEL_STAGES),
    REVENUE,
]
UNKNOWNS = f"""
    SELECT * REPLACE (coalesce(category_l1, '{contract.UNKNOWN}') AS category_l1,
                      coalesce(category_code, '{contract.UNKNOWN}') AS category_code,
                      coalesce(brand, '{contract.UNKNOWN}') AS brand),
           CAST(date_trunc('month', event_date) AS DATE) AS event_month
    FROM events
"""


def _grouped(source: str, keys: list[str], measures: list[str]) -> str:
    return f"SELECT {', '.join(keys)}, {', '.join(measures)} FROM ({source}) GROUP BY ALL"


MART_SQL = {
    "event_type_by_hour": _grouped(
        "SELECT * FROM events",
        ["event_date", "event_hour", "event_type"],
        ["count(*) AS event_count", "count(DISTINCT user_id) AS unique_users"],
    ),
    "funnel_daily": _grouped("SELECT * FROM events", ["event_date"], [*EVENT_COUNTS, *FUNNEL_MEASURES]),
    "category_brand_daily": _grouped(
        UNKNOWNS,
        ["event_date", "category_l1", "category_code", "brand"],
        [*EVENT_COUNTS, "count(DISTINCT user_id) AS unique_users", REVENUE],
    ),
    "funnel_by_category": _grouped(UNKNOWNS, ["event_month", "category_l1"], FUNNEL_MEASURES),
    "funnel_by_brand": _grouped(UNKNOWNS, ["event_month", "brand"], FUNNEL_MEASURES),
    "product_funnel": _grouped(
        UNKNOWNS, ["event_month", "product_id"], [*EVENT_COUNTS, *USERS_BY_STAGE, REVENUE]
    ),
    "sessions": """
        SELECT *, CAST(epoch(session_end) - epoch(session_start) AS BIGINT) AS duration_seconds,
            CASE WHEN purchase_count > 0 THEN 'purchase' WHEN cart_count > 0 THEN 'cart' ELSE 'view' END
                AS furthest_stage,
            CAST(session_start AS DATE) AS session_date
        FROM (
            SELECT user_session,
                -- the first event's user; on a tie of times the smallest user_id
                min({'t': event_time, 'u': user_id}).u AS user_id,
                min(event_time) AS session_start, max(event_time) AS session_end,
                count(*) AS event_count, """
    + ", ".join([*EVENT_COUNTS, REVENUE])
    + """
            FROM events GROUP BY user_session
        )
    """,
}
assert set(MART_SQL) == {table.name for table in contract.MARTS}


def conformed(sql: str, table: contract.Table) -> str:
    """The contract's columns, in order, with the contract's DuckDB types."""
    columns = ", ".join(f"CAST({c.name} AS {duckdb_type(c)}) AS {c.name}" for c in table.columns)
    return f"SELECT {columns} FROM ({sql})"


def run_baseline(files: list[str], out_dir: str, threads: int | None = None) -> dict:
    """Clean `files` and build every mart into `out_dir`; return the quality counts and stage seconds."""
    import duckdb

    os.makedirs(out_dir, exist_ok=True)
    seconds: dict[str, float] = {}
    connection = duckdb.connect()  # in memory, spilling to temp_directory
    try:
        connection.execute("SET TimeZone = 'UTC'")
        connection.execute("SET enable_progress_bar = false")
        connection.execute(f"SET temp_directory = '{os.path.join(out_dir, 'tmp')}'")
        if threads:
            connection.execute(f"SET threads = {int(threads)}")
        started = time.perf_counter()
        connection.execute(f"CREATE OR REPLACE TEMP TABLE validated AS {validated_sql(files)}")
        malformed = connection.execute(_malformed_sql(files)).fetchone()[0]
        by_reason = dict(
            connection.execute("SELECT reason, count(*) FROM validated GROUP BY reason").fetchall()
        )
        candidates = by_reason.pop(None, 0)
        if malformed:
            by_reason["malformed_row"] = malformed
        connection.execute(f"CREATE OR REPLACE TEMP TABLE events AS {conformed(EVENTS_SQL, contract.EVENTS)}")
        rows_valid = connection.execute("SELECT count(*) FROM events").fetchone()[0]
        _copy(connection, "SELECT * FROM events", os.path.join(out_dir, "events"), partition="event_date")
        _copy(
            connection,
            "SELECT * FROM validated WHERE reason IS NOT NULL",
            os.path.join(out_dir, "quarantine.parquet"),
        )
        seconds["clean"] = time.perf_counter() - started
        for table in contract.MARTS:
            started = time.perf_counter()
            _copy(connection, conformed(MART_SQL[table.name], table), mart_path(out_dir, table.name))
            seconds[table.name] = time.perf_counter() - started
    finally:
        connection.close()
    quality = {
        "rows_read": candidates + sum(by_reason.values()),
        "rows_valid": rows_valid,
        "duplicates_removed": candidates - rows_valid,
        "quarantined_by_reason": by_reason,
    }
    return {"quality": quality, "seconds": seconds}


def mart_path(out_dir: str, name: str) -> str:
    return os.path.join(out_dir, "marts", f"{name}.parquet")


def _copy(connection, sql: str, path: str, partition: str | None = None) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    options = "FORMAT parquet, COMPRESSION zstd" + (
        f", PARTITION_BY ({partition}), OVERWRITE" if partition else ""
    )
    connection.execute(f"COPY ({sql}) TO '{path}' ({options})")
