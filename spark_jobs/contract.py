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
UNKNOWN = "unknown"  # how marts show a missing brand
# How marts show a missing category_code: this prefix and the event's category_id (the marts' category
# grain falls back to the id; the views and the dashboard show the label as it is).
CATEGORY_ID_LABEL = "category_id "
# Journeys (issue 14): sessions split by inactivity, the ordered funnel's and the cart's conversion
# window. GA4 and PostHog end a session after 30 minutes without an event; 24 h is Mixpanel's and
# PostHog's default funnel window.
DEFAULT_SESSION_GAP_MINUTES = 30
DEFAULT_FUNNEL_WINDOW_HOURS = 24
# Path steps on a tie of event_time, in this order.
PATH_STEP_ORDER = ("view", "cart", "remove_from_cart", "purchase")
PATH_STEPS = 5
PATH_SEPARATOR = ">"
# What a mart recomputed for some months (`marts --month`) reads beyond them (Table.read_margin):
# "session": one day on each side (a session crossing midnight at a month boundary stays whole), and
# the earlier events of the sessions it sees (session_index counts from the session's first event);
# "window": the conversion window on each side, and the previous month's last days whose window
# reaches the month are rewritten too.
READ_MARGINS = ("", "session", "window")
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
    read_margin: str = ""  # one of READ_MARGINS

    def __post_init__(self) -> None:
        if self.read_margin not in READ_MARGINS:
            raise ValueError(f"table {self.name}: read_margin must be one of {READ_MARGINS}")
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


# The rates the views compute, one definition per name (bigquery/views and the dashboard use these
# names for these definitions only). Every rate is the share of a set that contains its numerator:
# stages are counted independently (real users buy without a cart event and cart without a view), so
# carters / viewers is not a share of anything and reached 500% on real rows.
RATE_DEFINITIONS = {
    "view_to_cart_rate": "viewers_who_carted / viewers: the share of users with a view who also had a cart event",
    "view_to_purchase_rate": "viewers_who_purchased / viewers: the share of users with a view who also purchased",
    "cart_to_purchase_rate": "carters_who_purchased / carters: the share of users with a cart event who also purchased",
    "cart_removal_rate": (
        "carters_who_removed / carters: the share of users with a cart event who also removed an item from the cart"
    ),
    "session_conversion_rate": "purchase_sessions / sessions: the share of sessions (any event) with a purchase",
}

# Distinct keys per set of event types, defined once: column name -> the event types a user (or
# session) must have at least one of each of in the row's grain; () means any event.
USER_SETS: dict[str, tuple[str, ...]] = {
    "users": (),
    "viewers": ("view",),
    "carters": ("cart",),
    "removers": ("remove_from_cart",),
    "purchasers": ("purchase",),
    "viewers_who_carted": ("view", "cart"),
    "viewers_who_purchased": ("view", "purchase"),
    "carters_who_purchased": ("cart", "purchase"),
    "carters_who_removed": ("cart", "remove_from_cart"),
}
SESSION_SETS: dict[str, tuple[str, ...]] = {
    "sessions": (),
    "view_sessions": ("view",),
    "cart_sessions": ("cart",),
    "remove_sessions": ("remove_from_cart",),
    "purchase_sessions": ("purchase",),
}
_EVENT_WORDS = {
    "view": "one view",
    "cart": "one cart event",
    "remove_from_cart": "one remove_from_cart event",
    "purchase": "one purchase",
}


def _numerator_of(name: str) -> str:
    rates = [rate for rate, text in RATE_DEFINITIONS.items() if text.split(" / ")[0] == name]
    return f" The numerator of {', '.join(rates)}." if rates else ""


def _set_column(name: str, event_types: tuple[str, ...], unit: str) -> Column:
    if not event_types:
        text = (
            f"Distinct {unit} with any event (view, cart, remove_from_cart or purchase) in the row's grain."
        )
    else:
        text = f"Distinct {unit} with at least {' and at least '.join(_EVENT_WORDS[t] for t in event_types)}"
        text += " in the row's grain."
    return _c(name, "INT64", text + _numerator_of(name))


def _user_measures() -> tuple[Column, ...]:
    return tuple(_set_column(name, types, "users") for name, types in USER_SETS.items())


def _session_measures() -> tuple[Column, ...]:
    return tuple(_set_column(name, types, "sessions (session_id)") for name, types in SESSION_SETS.items())


# Measures shared by the funnel tables, defined once.
def _funnel_measures() -> tuple[Column, ...]:
    return (*_user_measures(), *_session_measures(), REVENUE)


def _event_counts() -> tuple[Column, ...]:
    return (
        _c("view_count", "INT64", "Number of view events."),
        _c("cart_count", "INT64", "Number of cart events."),
        _c("remove_from_cart_count", "INT64", "Number of remove_from_cart events."),
        _c("purchase_count", "INT64", "Number of purchase events."),
    )


CATEGORY_L1_TEXT = (
    "First level of category_code; where category_code is empty, 'category_id <id>' (the event's "
    "category_id: 97-98% of the cosmetics shop's events have no code)."
)


def _median_seconds(name: str, interval: str, over: str) -> Column:
    return _c(
        name,
        "INT64",
        f"Exact median of {interval} in seconds over {over} (the lower middle value for an even count); "
        "NULL when there are none.",
        True,
    )


def _mean_seconds(name: str, interval: str, over: str) -> Column:
    return _c(
        name,
        "NUMERIC(18,2)",
        f"Mean of {interval} in seconds over {over}, rounded half up to 0.01 s; NULL when there are none.",
        True,
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
        _c(
            "batch_id",
            "STRING",
            "The input batch (usually the month, e.g. 2019-10; stream-<n> for micro-batch n of `stream`).",
        ),
        _c("checked_at", "TIMESTAMP", "When the clean job produced this report (UTC)."),
        _c(
            "outcome",
            "STRING",
            "valid, duplicate (exact duplicate removed), quarantined, or rejected_file (a landed file "
            "`stream` refused whole: bad_header or unreadable_file).",
        ),
        _c("reason", "STRING", "Quarantine or rejection reason; empty string for valid and duplicate rows."),
        _c(
            "row_count",
            "INT64",
            "Number of input rows with this outcome and reason (for rejected_file: number of files).",
        ),
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
        _c("category_l1", "STRING", CATEGORY_L1_TEXT),
        _c("category_code", "STRING", "Full category code; where it is empty, 'category_id <id>'."),
        _c("brand", "STRING", "Brand, or 'unknown'."),
        *_event_counts(),
        *_user_measures(),
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
        _c("category_l1", "STRING", CATEGORY_L1_TEXT),
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
        *_user_measures(),
        REVENUE,
    ),
)

SESSION_ID = _c(
    "session_id",
    "STRING",
    "Session: a user_session split by inactivity. Within one user_session, events ordered by event_time; "
    "a new session starts at the first event and after every gap longer than G minutes to the previous "
    "event (--session-gap-minutes, default 30; 0 keeps user_session unsplit). user_session for the "
    "first part, user_session#2, user_session#3, ... for the later ones.",
)

SESSIONS = Table(
    name="sessions",
    description=(
        "One row per session (session_id: a user_session split after every gap of more than G minutes "
        "without an event), however many days or months it spans."
    ),
    grain=("session_id",),
    lake_path="marts/sessions",
    partition_column="session_date",
    cluster_by=("furthest_stage",),
    read_margin="session",
    columns=(
        SESSION_ID,
        _c("user_session", "STRING", "The source's session identifier the session was split from."),
        _c(
            "session_index",
            "INT64",
            "1 for the first part of the user_session, 2, 3, ... for the later ones.",
        ),
        _c("user_id", "INT64", "User of the session's first event (ties: the smallest user_id)."),
        _c("session_start", "TIMESTAMP", "Time of the first event (UTC)."),
        _c("session_end", "TIMESTAMP", "Time of the last event (UTC)."),
        _c("duration_seconds", "INT64", "session_end - session_start in seconds."),
        _c("event_count", "INT64", "Number of events in the session (all types)."),
        *_event_counts(),
        REVENUE,
        _c(
            "furthest_stage",
            "STRING",
            "purchase if any purchase, else cart if any cart event, else view (the session had neither: "
            "it may hold only views and removals; views label it 'no cart or purchase').",
        ),
        _c("session_date", "DATE", "UTC date of session_start."),
    ),
)

FUNNEL_ORDERED_DAILY = Table(
    name="funnel_ordered_daily",
    description=(
        "Ordered funnel with a conversion window W (--funnel-window-hours, default 24), per entry day. "
        "An entry is a (user, UTC day) with at least one view that day; the entry time is the user's "
        "first view that day. The entry reaches cart if that user has a cart event at a time t with "
        "entry time <= t <= entry time + W; the cart time is the first such t. It reaches purchase if "
        "the user has a purchase at a time t with cart time <= t <= entry time + W; the purchase time is "
        "the first such t. Events of the next day or month count."
    ),
    grain=("entry_date",),
    lake_path="marts/funnel_ordered_daily",
    partition_column="entry_date",
    read_margin="window",
    columns=(
        _c("entry_date", "DATE", "UTC day of the entries."),
        _c("entrants", "INT64", "Entries: users with at least one view that day."),
        _c("reached_cart", "INT64", "Entries with a cart event within the window after the entry time."),
        _c(
            "reached_purchase",
            "INT64",
            "Entries with a purchase after their cart time and within the window after the entry time.",
        ),
        _median_seconds("median_seconds_to_cart", "cart time - entry time", "entries that reached cart"),
        _median_seconds(
            "median_seconds_to_purchase", "purchase time - entry time", "entries that reached purchase"
        ),
        _mean_seconds("avg_seconds_to_cart", "cart time - entry time", "entries that reached cart"),
        _mean_seconds(
            "avg_seconds_to_purchase", "purchase time - entry time", "entries that reached purchase"
        ),
        _c("window_hours", "INT64", "The conversion window W the row was computed with, in hours."),
    ),
)

CART_ABANDONMENT_DAILY = Table(
    name="cart_abandonment_daily",
    description=(
        "Carts with the product held constant. A cart is a (user, product, UTC day) with at least one "
        "cart event; its time is the first such event that day and its value that event's price. It is "
        "purchased if the same user purchases the same product at a time t with cart time <= t <= cart "
        "time + W (the funnel window); removed if a remove_from_cart of that product by that user falls "
        "in the same interval; abandoned if not purchased."
    ),
    grain=("cart_date", "category_l1", "brand"),
    lake_path="marts/cart_abandonment_daily",
    partition_column="cart_date",
    cluster_by=("category_l1", "brand"),
    read_margin="window",
    columns=(
        _c("cart_date", "DATE", "UTC day of the carts."),
        _c(
            "category_l1",
            "STRING",
            "First level of the cart event's category_code; " + CATEGORY_L1_TEXT.split("; ", 1)[1],
        ),
        _c("brand", "STRING", "The cart event's brand, or 'unknown'."),
        _c("carts", "INT64", "Carts: (user, product) pairs with at least one cart event that day."),
        _c("purchased", "INT64", "Carts whose product the user purchased within the window."),
        _c("abandoned", "INT64", "Carts not purchased within the window (carts - purchased)."),
        _c("removed", "INT64", "Carts whose product the user removed (remove_from_cart) within the window."),
        _c(
            "abandoned_value",
            "NUMERIC(18,2)",
            "Sum of the abandoned carts' values (price of the first cart event).",
        ),
        _c(
            "purchased_value",
            "NUMERIC(18,2)",
            "Sum of the purchased carts' values (price of the first cart event).",
        ),
        _median_seconds("median_seconds_to_purchase", "first purchase time - cart time", "purchased carts"),
    ),
)

SESSION_PATHS_MONTHLY = Table(
    name="session_paths_monthly",
    description=(
        "Session paths per month. A session's path is its event types in order (ties on event_time in "
        "the order view, cart, remove_from_cart, purchase), consecutive repeats collapsed, the first 5 "
        "steps joined with '>' (e.g. view>cart>view>purchase)."
    ),
    grain=("session_month", "path"),
    lake_path="marts/session_paths_monthly",
    partition_column="session_month",
    partition_granularity="MONTH",
    cluster_by=("path",),
    read_margin="session",
    columns=(
        _c("session_month", "DATE", "First day of the UTC month of the session's start."),
        _c("path", "STRING", "The sessions' path, e.g. view>cart>view>purchase."),
        _c("sessions", "INT64", "Sessions (session_id) with this path."),
        _c("purchasing_sessions", "INT64", "Of those, sessions with at least one purchase."),
        _c("revenue", "NUMERIC(18,2)", "Sum of price over those sessions' purchase events."),
    ),
)

# The live view's window: 48 hours of event time, anchored on the newest event in the lake rather than
# on the clock, so a replay of 2019 data is "live" too (spark_jobs/live_window.py reads that window).
LIVE_WINDOW_MINUTES = 48 * 60
ACTIVE_USER_WINDOWS = (5, 60)  # minutes: the live view's "active users in the last 5 and 60 minutes"

LIVE_TRAFFIC = Table(
    name="live_traffic",
    description=(
        "Live traffic per minute and event type over the last 48 hours of event time: the 2,880 UTC "
        "minutes ending with the minute of the newest event in the lake (the newest event, not the "
        "clock, so replayed 2019 data is live too). Replaced whole on every refresh."
    ),
    grain=("event_minute", "event_type"),
    lake_path="marts/live_traffic",
    partition_column="event_date",
    cluster_by=("event_type",),
    columns=(
        _c("event_minute", "TIMESTAMP", "Start of the UTC minute."),
        EVENT_DATE,
        _c("event_type", "STRING", "view, cart, remove_from_cart or purchase."),
        _c("event_count", "INT64", "Number of events."),
        _c("unique_users", "INT64", "Distinct users with at least one such event in the minute."),
        _c("revenue", "NUMERIC(18,2)", "Sum of price over purchase events (0 for other event types)."),
        _c(
            "last_event_time",
            "TIMESTAMP",
            "Time of the minute's last event of this type; the newest over the table is the newest "
            "event time in the lake (the live view's 'data as of').",
        ),
        *(
            _c(
                f"active_users_{minutes}m",
                "INT64",
                f"Distinct users with any event (any type) in the {minutes} minutes ending with this "
                "minute; the same on every event type's row of the minute.",
            )
            for minutes in ACTIVE_USER_WINDOWS
        ),
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
    FUNNEL_ORDERED_DAILY,
    CART_ABANDONMENT_DAILY,
    SESSION_PATHS_MONTHLY,
    LIVE_TRAFFIC,
)
TABLES: tuple[Table, ...] = (EVENTS, QUARANTINE, DATA_QUALITY, *MARTS)
WAREHOUSE_TABLES: tuple[Table, ...] = tuple(table for table in TABLES if table.warehouse)
BY_NAME: dict[str, Table] = {table.name: table for table in TABLES}


def table(name: str) -> Table:
    try:
        return BY_NAME[name]
    except KeyError:
        raise KeyError(f"unknown table {name!r}; known: {', '.join(BY_NAME)}") from None
