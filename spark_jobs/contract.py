"""The table contract: every table the pipeline writes, its grain, partitioning, columns and meaning.

This module is the one place where table schemas are defined. Spark output schemas, the BigQuery
schema files and DDL under `bigquery/`, the DuckDB warehouse, the loaders and the tests are all
derived from or checked against it. Types are written as BigQuery types; `spark_type` and
`duckdb_type` translate them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

TYPES = ("STRING", "INT64", "DATE", "TIMESTAMP", "NUMERIC(12,2)", "NUMERIC(18,2)")
EVENT_TYPES = ("view", "cart", "remove_from_cart", "purchase")
FUNNEL_STAGES = ("view", "cart", "purchase")
UNKNOWN = "unknown"  # how marts show a missing category or brand
# The source files' header (Kaggle / REES46), in file order.
RAW_COLUMNS = (
    "event_time",
    "event_type",
    "product_id",
    "category_id",
    "category_code",
    "brand",
    "price",
    "user_id",
    "user_session",
)
# In raw Parquet parts (written by the ingest step, and by the clean step for a CSV given directly):
# the text of a line that did not have exactly 9 fields (its field columns are then NULL), NULL otherwise.
RAW_CORRUPT_COLUMN = "_corrupt_record"
# Also in every raw Parquet part: the original file's path or URI, and the row's id (`raw_row_id`).
RAW_SOURCE_COLUMN = "source_file"
RAW_ROW_ID_COLUMN = "row_id"
# row_id = part number * 2**32 + the row's position in its part (1-based: the part's rows in file
# order, then its malformed lines): stable for the same file, unique within a source file.
ROW_ID_PART_SHIFT = 32


def raw_row_id(part_number: int, position: int) -> int:
    return (part_number << ROW_ID_PART_SHIFT) + position


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    description: str
    nullable: bool = False

    def __post_init__(self) -> None:
        if self.type not in TYPES:
            raise ValueError(f"column {self.name}: unknown type {self.type!r}")

    @property
    def bigquery_type(self) -> str:
        return "NUMERIC" if self.type.startswith("NUMERIC") else self.type

    @property
    def precision_scale(self) -> tuple[int, int] | None:
        match = re.fullmatch(r"NUMERIC\((\d+),(\d+)\)", self.type)
        return (int(match.group(1)), int(match.group(2))) if match else None


@dataclass(frozen=True)
class Table:
    name: str
    description: str
    grain: tuple[str, ...]
    lake_path: str  # relative to the lake root
    columns: tuple[Column, ...]
    partition_column: str | None = None
    partition_granularity: str = "DAY"  # DAY or MONTH (BigQuery time partitioning type)
    cluster_by: tuple[str, ...] = ()
    require_partition_filter: bool = False
    warehouse: bool = True  # loaded into BigQuery / DuckDB
    kind: str = "mart"  # events | mart | quality | quarantine

    def __post_init__(self) -> None:
        names = [column.name for column in self.columns]
        if len(set(names)) != len(names):
            raise ValueError(f"table {self.name}: duplicate column names")
        for key in (
            *self.grain,
            *self.cluster_by,
            *([self.partition_column] if self.partition_column else []),
        ):
            if key not in names:
                raise ValueError(f"table {self.name}: {key!r} is not a column")

    @property
    def column_names(self) -> list[str]:
        return [column.name for column in self.columns]

    def column(self, name: str) -> Column:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(f"{self.name}.{name}")


def _c(name: str, type_: str, description: str, nullable: bool = False) -> Column:
    return Column(name, type_, description, nullable)


# Measures shared by the funnel tables, defined once.
def _funnel_measures() -> tuple[Column, ...]:
    return (
        _c("viewers", "INT64", "Distinct users with at least one view in the row's grain."),
        _c("carters", "INT64", "Distinct users with at least one cart event in the row's grain."),
        _c("purchasers", "INT64", "Distinct users with at least one purchase in the row's grain."),
        _c("view_sessions", "INT64", "Distinct sessions with at least one view in the row's grain."),
        _c("cart_sessions", "INT64", "Distinct sessions with at least one cart event in the row's grain."),
        _c("purchase_sessions", "INT64", "Distinct sessions with at least one purchase in the row's grain."),
        _c("revenue", "NUMERIC(18,2)", "Sum of price over purchase events."),
    )


def _event_counts() -> tuple[Column, ...]:
    return (
        _c("view_count", "INT64", "Number of view events."),
        _c("cart_count", "INT64", "Number of cart events."),
        _c("purchase_count", "INT64", "Number of purchase events."),
    )


EVENT_DATE = _c("event_date", "DATE", "UTC date of the event.")
EVENT_MONTH = _c("event_month", "DATE", "First day of the event's UTC month.")
REVENUE = _c("revenue", "NUMERIC(18,2)", "Sum of price over purchase events.")

EVENTS = Table(
    name="events",
    kind="events",
    description=(
        "Clean events: every valid input row, typed and normalised; rows identical in every column are "
        "collapsed to one."
    ),
    grain=("event_time", "event_type", "product_id", "user_id", "user_session"),
    lake_path="clean/events",
    partition_column="event_date",
    cluster_by=("event_type", "category_l1", "brand"),
    require_partition_filter=True,
    columns=(
        _c("event_time", "TIMESTAMP", "When the event happened (UTC)."),
        EVENT_DATE,
        _c("event_hour", "INT64", "UTC hour of the event, 0-23."),
        _c("event_type", "STRING", "view, cart, remove_from_cart or purchase (lower case)."),
        _c("product_id", "INT64", "Product identifier (positive)."),
        _c("category_id", "INT64", "Category identifier (non-negative)."),
        _c("category_code", "STRING", "Dot-separated category path, e.g. electronics.smartphone.", True),
        _c("category_l1", "STRING", "First level of category_code.", True),
        _c("category_l2", "STRING", "Second level of category_code.", True),
        _c("category_l3", "STRING", "Third level of category_code.", True),
        _c("brand", "STRING", "Brand, lower case.", True),
        _c("price", "NUMERIC(12,2)", "Product price at the time of the event (0 is valid)."),
        _c("user_id", "INT64", "User identifier (positive)."),
        _c("user_session", "STRING", "Session identifier (UUID in the source)."),
    ),
)

QUARANTINE = Table(
    name="quarantine",
    kind="quarantine",
    warehouse=False,
    description="Input lines rejected by the cleaning rules, kept as text with the first failed rule.",
    grain=("batch_id", "source_file", "row_id"),
    lake_path="quarantine",
    partition_column="batch_id",
    columns=(
        _c("batch_id", "STRING", "The input batch (usually the month, e.g. 2019-10) the line came from."),
        _c("source_file", "STRING", "Full path or URI of the file the line came from."),
        _c(
            "row_id",
            "INT64",
            "Id of the row within its source file: raw part number * 2^32 + the row's position in the"
            " part (1-based; the part's rows in file order, then its malformed lines). The same file"
            " gives the same ids on every run.",
        ),
        _c("reason", "STRING", "First cleaning rule the line failed, e.g. bad_event_time."),
        _c("raw_line", "STRING", "The line as read (fields re-joined with commas when it had 9 fields)."),
        *(_c(name, "STRING", f"Raw {name} text, trimmed.", True) for name in RAW_COLUMNS),
    ),
)

DATA_QUALITY = Table(
    name="data_quality",
    kind="quality",
    description="Where every input row of a batch went: one row per batch, outcome and reason.",
    grain=("batch_id", "outcome", "reason"),
    # Stored as <lake_path>/<batch_id>/part-*.parquet with batch_id inside the files (a tiny table,
    # not partitioned in the warehouse); each clean run replaces its batch's folder.
    lake_path="quality/data_quality",
    partition_column=None,
    columns=(
        _c("batch_id", "STRING", "The input batch (usually the month, e.g. 2019-10)."),
        _c("checked_at", "TIMESTAMP", "When the clean job produced this report (UTC)."),
        _c("outcome", "STRING", "valid, duplicate (exact duplicate removed) or quarantined."),
        _c("reason", "STRING", "Quarantine reason; empty string for valid and duplicate rows."),
        _c("row_count", "INT64", "Number of input rows with this outcome and reason."),
    ),
)

EVENT_TYPE_BY_HOUR = Table(
    name="event_type_by_hour",
    description="Hourly traffic by event type.",
    grain=("event_date", "event_hour", "event_type"),
    lake_path="marts/event_type_by_hour",
    partition_column="event_date",
    cluster_by=("event_type",),
    columns=(
        EVENT_DATE,
        _c("event_hour", "INT64", "UTC hour, 0-23."),
        _c("event_type", "STRING", "view, cart, remove_from_cart or purchase."),
        _c("event_count", "INT64", "Number of events."),
        _c("unique_users", "INT64", "Distinct users with at least one such event in the hour."),
    ),
)

FUNNEL_DAILY = Table(
    name="funnel_daily",
    description="Daily purchase funnel over all products.",
    grain=("event_date",),
    lake_path="marts/funnel_daily",
    partition_column="event_date",
    columns=(EVENT_DATE, *_event_counts(), *_funnel_measures()),
)

CATEGORY_BRAND_DAILY = Table(
    name="category_brand_daily",
    description="Daily activity and revenue per category and brand.",
    grain=("event_date", "category_l1", "category_code", "brand"),
    lake_path="marts/category_brand_daily",
    partition_column="event_date",
    cluster_by=("category_l1", "brand"),
    columns=(
        EVENT_DATE,
        _c("category_l1", "STRING", "First level of category_code, or 'unknown'."),
        _c("category_code", "STRING", "Full category code, or 'unknown'."),
        _c("brand", "STRING", "Brand, or 'unknown'."),
        *_event_counts(),
        _c("unique_users", "INT64", "Distinct users with any event in the row's grain."),
        REVENUE,
    ),
)

FUNNEL_BY_CATEGORY = Table(
    name="funnel_by_category",
    description="Monthly funnel per top-level category.",
    grain=("event_month", "category_l1"),
    lake_path="marts/funnel_by_category",
    partition_column="event_month",
    partition_granularity="MONTH",
    cluster_by=("category_l1",),
    columns=(
        EVENT_MONTH,
        _c("category_l1", "STRING", "First level of category_code, or 'unknown'."),
        *_funnel_measures(),
    ),
)

FUNNEL_BY_BRAND = Table(
    name="funnel_by_brand",
    description="Monthly funnel per brand.",
    grain=("event_month", "brand"),
    lake_path="marts/funnel_by_brand",
    partition_column="event_month",
    partition_granularity="MONTH",
    cluster_by=("brand",),
    columns=(EVENT_MONTH, _c("brand", "STRING", "Brand, or 'unknown'."), *_funnel_measures()),
)

PRODUCT_FUNNEL = Table(
    name="product_funnel",
    description="Monthly conversion per product.",
    grain=("event_month", "product_id"),
    lake_path="marts/product_funnel",
    partition_column="event_month",
    partition_granularity="MONTH",
    cluster_by=("product_id",),
    columns=(
        EVENT_MONTH,
        _c("product_id", "INT64", "Product identifier."),
        *_event_counts(),
        *_funnel_measures()[:3],
        REVENUE,
    ),
)

SESSIONS = Table(
    name="sessions",
    description="One row per session (user_session), however many days or months it spans.",
    grain=("user_session",),
    lake_path="marts/sessions",
    partition_column="session_date",
    cluster_by=("furthest_stage",),
    columns=(
        _c("user_session", "STRING", "Session identifier."),
        _c("user_id", "INT64", "User of the session's first event (ties: the smallest user_id)."),
        _c("session_start", "TIMESTAMP", "Time of the first event (UTC)."),
        _c("session_end", "TIMESTAMP", "Time of the last event (UTC)."),
        _c("duration_seconds", "INT64", "session_end - session_start in seconds."),
        _c("event_count", "INT64", "Number of events in the session (all types)."),
        *_event_counts(),
        REVENUE,
        _c("furthest_stage", "STRING", "purchase if any purchase, else cart if any cart, else view."),
        _c("session_date", "DATE", "UTC date of session_start."),
    ),
)

MARTS: tuple[Table, ...] = (
    EVENT_TYPE_BY_HOUR,
    FUNNEL_DAILY,
    CATEGORY_BRAND_DAILY,
    FUNNEL_BY_CATEGORY,
    FUNNEL_BY_BRAND,
    PRODUCT_FUNNEL,
    SESSIONS,
)
TABLES: tuple[Table, ...] = (EVENTS, QUARANTINE, DATA_QUALITY, *MARTS)
WAREHOUSE_TABLES: tuple[Table, ...] = tuple(table for table in TABLES if table.warehouse)
BY_NAME: dict[str, Table] = {table.name: table for table in TABLES}


def table(name: str) -> Table:
    try:
        return BY_NAME[name]
    except KeyError:
        raise KeyError(f"unknown table {name!r}; known: {', '.join(BY_NAME)}") from None
