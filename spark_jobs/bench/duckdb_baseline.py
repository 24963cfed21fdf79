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


REVENUE = "coalesce(sum(price) FILTER (WHERE event_type = 'purchase'), 0) AS revenue"
EVENT_COUNTS = [_count(event_type) for event_type in contract.EVENT_TYPES]
FLAGS = ", ".join(f"bool_or(event_type = '{t}') AS has_{t}" for t in contract.EVENT_TYPES)


def _members(name: str, event_types: tuple[str, ...]) -> str:
    condition = " AND ".join(f"has_{t}" for t in event_types) or "true"
    return f"count(*) FILTER (WHERE {condition}) AS {name}"


def _key_sets(source: str, keys: list[str], key: str, sets: dict[str, tuple[str, ...]]) -> str:
    """Per grain, the keys (users or sessions) in each of the contract's sets, from per-key flags."""
    flags = f"SELECT {', '.join(keys)}, {key}, {FLAGS} FROM ({source}) GROUP BY ALL"
    return _grouped(flags, keys, [_members(name, types) for name, types in sets.items()])


def _funnel(source: str, keys: list[str], sessions: bool = True) -> str:
    parts = [
        _grouped(source, keys, [*EVENT_COUNTS, REVENUE]),
        _key_sets(source, keys, "user_id", contract.USER_SETS),
        *([_key_sets(source, keys, "session_id", contract.SESSION_SETS)] if sessions else []),
    ]
    joins = " ".join(f"JOIN ({part}) USING ({', '.join(keys)})" for part in parts[1:])
    return f"SELECT * FROM ({parts[0]}) {joins}"


UNKNOWNS = f"""
    SELECT * REPLACE (coalesce(category_l1, '{contract.CATEGORY_ID_LABEL}' || category_id) AS category_l1,
                      coalesce(category_code, '{contract.CATEGORY_ID_LABEL}' || category_id) AS category_code,
                      coalesce(brand, '{contract.UNKNOWN}') AS brand),
           CAST(date_trunc('month', event_date) AS DATE) AS event_month
    FROM sessionized
"""
GAP_MICROS = contract.DEFAULT_SESSION_GAP_MINUTES * 60 * 1_000_000
WINDOW_SECONDS = contract.DEFAULT_FUNNEL_WINDOW_HOURS * 3600
# The events with session_id: a part starts at a user_session's first event and after every gap of more
# than G minutes (contract.SESSION_ID).
SESSIONIZED_SQL = f"""
    SELECT * EXCLUDE (part_start),
        CASE WHEN session_index = 1 THEN user_session ELSE user_session || '#' || session_index END AS session_id
    FROM (
        SELECT *, 1 + sum(part_start) OVER (PARTITION BY user_session ORDER BY event_time
                                            ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS session_index
        FROM (
            SELECT *, CASE WHEN epoch_us(event_time) - lag(epoch_us(event_time))
                               OVER (PARTITION BY user_session ORDER BY event_time) > {GAP_MICROS}
                           THEN 1 ELSE 0 END AS part_start
            FROM events
        )
    )
"""
SECONDS = "CAST(epoch(event_time) AS BIGINT)"


def _mean_cents(value: str) -> str:
    """Mean rounded half up to 0.01 in integer arithmetic, as the Spark marts compute it."""
    return (
        f"CASE WHEN count({value}) > 0 THEN "
        f"CAST((200 * sum({value}) + count({value})) // (2 * count({value})) AS DOUBLE) / 100 END"
    )


def _first_time(kind: str, keys: tuple[str, ...], row: str, start: str, end: str) -> str:
    """The first `kind` event of the row's keys with start <= time <= end (a correlated subquery)."""
    same = " AND ".join(f"e.{key} = {row}.{key}" for key in keys)
    return (
        f"(SELECT min({SECONDS}) FROM events AS e WHERE e.event_type = '{kind}' AND {same} "
        f"AND {SECONDS} BETWEEN {start} AND {end})"
    )


FUNNEL_ORDERED_SQL = f"""
    WITH entries AS (
        SELECT user_id, event_date AS entry_date, min({SECONDS}) AS entry_s
        FROM events WHERE event_type = 'view' GROUP BY ALL
    ), carted AS (
        SELECT *, {_first_time("cart", ("user_id",), "entries", "entry_s", f"entry_s + {WINDOW_SECONDS}")} AS cart_s
        FROM entries
    ), bought AS (
        SELECT *, {_first_time("purchase", ("user_id",), "carted", "cart_s", f"entry_s + {WINDOW_SECONDS}")}
            AS purchase_s
        FROM carted
    ), measured AS (
        SELECT entry_date, cart_s - entry_s AS to_cart, purchase_s - entry_s AS to_purchase FROM bought
    )
    SELECT entry_date, count(*) AS entrants, count(to_cart) AS reached_cart,
        count(to_purchase) AS reached_purchase,
        quantile_disc(to_cart, 0.5) AS median_seconds_to_cart,
        quantile_disc(to_purchase, 0.5) AS median_seconds_to_purchase,
        {_mean_cents("to_cart")} AS avg_seconds_to_cart,
        {_mean_cents("to_purchase")} AS avg_seconds_to_purchase,
        {contract.DEFAULT_FUNNEL_WINDOW_HOURS} AS window_hours
    FROM measured GROUP BY entry_date
"""
CART_ABANDONMENT_SQL = f"""
    WITH firsts AS (
        SELECT user_id, product_id, event_date AS cart_date,
            min({{'s': {SECONDS}, 'p': price, 'c': coalesce(category_l1, '{contract.CATEGORY_ID_LABEL}' || category_id),
                 'b': coalesce(brand, '{contract.UNKNOWN}')}}) AS first
        FROM events WHERE event_type = 'cart' GROUP BY ALL
    ), carts AS (
        SELECT user_id, product_id, cart_date, first.s AS cart_s, first.p AS price, first.c AS category_l1,
            first.b AS brand
        FROM firsts
    ), marked AS (
        SELECT *,
            {_first_time("purchase", ("user_id", "product_id"), "carts", "cart_s", f"cart_s + {WINDOW_SECONDS}")}
                AS purchase_s,
            {_first_time("remove_from_cart", ("user_id", "product_id"), "carts", "cart_s", f"cart_s + {WINDOW_SECONDS}")}
                AS removal_s
        FROM carts
    )
    SELECT cart_date, category_l1, brand, count(*) AS carts, count(purchase_s) AS purchased,
        count(*) FILTER (WHERE purchase_s IS NULL) AS abandoned, count(removal_s) AS removed,
        coalesce(sum(price) FILTER (WHERE purchase_s IS NULL), 0) AS abandoned_value,
        coalesce(sum(price) FILTER (WHERE purchase_s IS NOT NULL), 0) AS purchased_value,
        quantile_disc(purchase_s - cart_s, 0.5) AS median_seconds_to_purchase
    FROM marked GROUP BY ALL
"""
TIE_ORDER = (
    "CASE event_type "
    + " ".join(f"WHEN '{kind}' THEN {order}" for order, kind in enumerate(contract.PATH_STEP_ORDER))
    + " END"
)
SESSION_PATHS_SQL = f"""
    WITH ordered AS (
        SELECT session_id, event_type,
            row_number() OVER (PARTITION BY session_id ORDER BY event_time, {TIE_ORDER}) AS step
        FROM sessionized
    ), changes AS (
        SELECT *, lag(event_type) OVER (PARTITION BY session_id ORDER BY step) AS previous FROM ordered
    ), kept AS (
        SELECT *, row_number() OVER (PARTITION BY session_id ORDER BY step) AS n
        FROM changes WHERE previous IS NULL OR previous <> event_type
    ), paths AS (
        SELECT session_id, string_agg(event_type, '{contract.PATH_SEPARATOR}' ORDER BY n) AS path
        FROM kept WHERE n <= {contract.PATH_STEPS} GROUP BY session_id
    ), per_session AS (
        SELECT session_id, CAST(date_trunc('month', min(event_time)) AS DATE) AS session_month,
            max(CASE WHEN event_type = 'purchase' THEN 1 ELSE 0 END) AS purchasing, {REVENUE}
        FROM sessionized GROUP BY session_id
    )
    SELECT session_month, path, count(*) AS sessions, sum(purchasing) AS purchasing_sessions,
        sum(revenue) AS revenue
    FROM per_session JOIN paths USING (session_id) GROUP BY ALL
"""


def _grouped(source: str, keys: list[str], measures: list[str]) -> str:
    return f"SELECT {', '.join(keys)}, {', '.join(measures)} FROM ({source}) GROUP BY ALL"


MART_SQL = {
    "event_type_by_hour": _grouped(
        "SELECT * FROM events",
        ["event_date", "event_hour", "event_type"],
        ["count(*) AS event_count", "count(DISTINCT user_id) AS unique_users"],
    ),
    "funnel_daily": _funnel("SELECT * FROM sessionized", ["event_date"]),
    "category_brand_daily": _funnel(
        UNKNOWNS, ["event_date", "category_l1", "category_code", "brand"], sessions=False
    ),
    "funnel_by_category": _funnel(UNKNOWNS, ["event_month", "category_l1"]),
    "funnel_by_brand": _funnel(UNKNOWNS, ["event_month", "brand"]),
    "product_funnel": _funnel(UNKNOWNS, ["event_month", "product_id"], sessions=False),
    "sessions": """
        SELECT *, CAST(epoch(session_end) - epoch(session_start) AS BIGINT) AS duration_seconds,
            CASE WHEN purchase_count > 0 THEN 'purchase' WHEN cart_count > 0 THEN 'cart' ELSE 'view' END
                AS furthest_stage,
            CAST(session_start AS DATE) AS session_date
        FROM (
            SELECT session_id, user_session, session_index,
                -- the first event's user; on a tie of times the smallest user_id
                min({'t': event_time, 'u': user_id}).u AS user_id,
                min(event_time) AS session_start, max(event_time) AS session_end,
                count(*) AS event_count, """
    + ", ".join([*EVENT_COUNTS, REVENUE])
    + """
            FROM sessionized GROUP BY session_id, user_session, session_index
        )
    """,
    "funnel_ordered_daily": FUNNEL_ORDERED_SQL,
    "cart_abandonment_daily": CART_ABANDONMENT_SQL,
    "session_paths_monthly": SESSION_PATHS_SQL,
}
# Trailing active users by a range join (each window minute against the (user, minute) pairs before
# it): a different statement from Spark's gaps-and-islands running sum, so the bench cross-checks both.
_LONGEST = max(contract.ACTIVE_USER_WINDOWS)
MART_SQL["live_traffic"] = f"""
    WITH timed AS (SELECT *, date_trunc('minute', event_time) AS event_minute FROM events),
    windowed AS (
        SELECT * FROM timed WHERE event_minute >= (SELECT max(event_minute) FROM timed)
            - INTERVAL {contract.LIVE_WINDOW_MINUTES - 1} MINUTE
    ), per_minute AS (
        SELECT event_minute, event_date, event_type, count(*) AS event_count,
            count(DISTINCT user_id) AS unique_users, {REVENUE}, max(event_time) AS last_event_time
        FROM windowed GROUP BY ALL
    ), pairs AS (SELECT DISTINCT user_id, event_minute FROM timed),
    active AS (
        SELECT minutes.event_minute, {
    ", ".join(
        f"count(DISTINCT pairs.user_id) FILTER (WHERE pairs.event_minute > minutes.event_minute"
        f" - INTERVAL {minutes} MINUTE) AS active_users_{minutes}m"
        for minutes in contract.ACTIVE_USER_WINDOWS
    )
}
        FROM (SELECT DISTINCT event_minute FROM windowed) AS minutes JOIN pairs
            ON pairs.event_minute > minutes.event_minute - INTERVAL {_LONGEST} MINUTE
            AND pairs.event_minute <= minutes.event_minute
        GROUP BY minutes.event_minute
    )
    SELECT * FROM per_minute JOIN active USING (event_minute)
"""
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
        # a view, recomputed by every mart that counts sessions, as the Spark marts recompute it
        connection.execute(f"CREATE OR REPLACE TEMP VIEW sessionized AS {SESSIONIZED_SQL}")
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
