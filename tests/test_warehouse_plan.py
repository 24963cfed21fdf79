"""What a load takes from the lake, and the bad input it refuses before any table changes."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from warehouse_lake import build_lake

from spark_jobs import contract
from spark_jobs.errors import UserError
from spark_jobs.lake import Lake
from spark_jobs.warehouse import validate
from spark_jobs.warehouse.plan import month_range, plan_load


@pytest.fixture
def lake(tmp_path):
    return build_lake(tmp_path / "lake")


def funnel_daily_file(lake: Lake, day: str = "2019-10-01"):
    return f"{lake.table_path(contract.FUNNEL_DAILY)}/event_date={day}/part-00000.parquet"


def test_plan_takes_every_month_in_the_lake_by_default(lake):
    plan = plan_load(lake)
    assert plan.months == ("2019-10", "2019-11")
    events = plan.tables[0]
    assert events.table is contract.EVENTS
    assert events.expected_rows() == {"2019-10-01": 2, "2019-10-02": 1, "2019-11-01": 1}


def test_plan_for_one_month_takes_only_its_folders_and_batches(lake):
    plan = plan_load(lake, ["2019-11"])
    by_name = {tp.table.name: tp for tp in plan.tables}
    assert by_name["events"].expected_rows() == {"2019-11-01": 1}
    assert by_name["funnel_by_brand"].expected_rows() == {"2019-11-01": 1}
    assert by_name["data_quality"].expected_rows() == {"2019-11": 2}


def test_replace_predicates_cover_whole_months_or_the_loaded_batches(lake):
    by_name = {tp.table.name: tp for tp in plan_load(lake, ["2019-10"]).tables}
    assert by_name["sessions"].replace_predicate() == (
        "(session_date >= DATE '2019-10-01' AND session_date < DATE '2019-11-01')"
    )
    assert by_name["data_quality"].replace_predicate() == "batch_id IN ('2019-10')"


def test_month_range_rolls_over_the_year():
    assert month_range("2019-12") == (dt.date(2019, 12, 1), dt.date(2020, 1, 1))


def test_missing_lake_is_refused(tmp_path):
    with pytest.raises(UserError, match="lake not found"):
        plan_load(Lake(str(tmp_path / "nowhere")))


def test_missing_table_folder_is_refused(lake):
    import shutil

    shutil.rmtree(lake.table_path(contract.SESSIONS))
    with pytest.raises(UserError, match="lake table sessions not found"):
        plan_load(lake)


def test_month_absent_from_the_lake_is_refused(lake):
    with pytest.raises(UserError, match="lake table events has no partitions for 2019-12"):
        plan_load(lake, ["2019-12"])


def test_badly_written_month_is_refused(lake):
    with pytest.raises(UserError, match="invalid month '2019-13'"):
        plan_load(lake, ["2019-13"])


def rewrite(path: str, table: pa.Table) -> None:
    pq.write_table(table, path)


def test_parquet_column_of_the_wrong_type_is_refused_naming_file_and_column(lake):
    path = funnel_daily_file(lake)
    data = pq.read_table(path)
    index = data.schema.get_field_index("revenue")
    rewrite(path, data.set_column(index, "revenue", pa.array([25.5], pa.float64())))
    with pytest.raises(
        UserError, match=r"event_date=2019-10-01/part-00000.parquet: column 'revenue' is double"
    ):
        plan_load(lake)


def test_parquet_missing_a_contract_column_is_refused(lake):
    path = funnel_daily_file(lake)
    rewrite(path, pq.read_table(path).drop_columns(["viewers"]))
    with pytest.raises(UserError, match=r"missing column\(s\) viewers required by the funnel_daily contract"):
        plan_load(lake)


def test_parquet_with_an_extra_column_is_refused(lake):
    path = funnel_daily_file(lake)
    rewrite(path, pq.read_table(path).append_column("surprise", pa.array([1])))
    with pytest.raises(UserError, match=r"column\(s\) surprise are not in the funnel_daily contract"):
        plan_load(lake)


def test_zone_less_timestamps_are_refused(lake):
    path = f"{lake.table_path(contract.SESSIONS)}/session_date=2019-10-02/part-00000.parquet"
    data = pq.read_table(path)
    index = data.schema.get_field_index("session_start")
    naive = pa.array([dt.datetime(2019, 10, 2, 8)], pa.timestamp("us"))
    rewrite(path, data.set_column(index, "session_start", naive))
    with pytest.raises(UserError, match="column 'session_start' is timestamp"):
        plan_load(lake)


def test_nulls_in_a_required_column_are_refused(lake):
    path = funnel_daily_file(lake, "2019-10-02")
    data = pq.read_table(path)
    index = data.schema.get_field_index("revenue")
    nullable = data.schema.field("revenue").with_nullable(True)
    rewrite(path, data.set_column(index, nullable, pa.array([None], pa.decimal128(18, 2))))
    with pytest.raises(UserError, match="column 'revenue' has 1 null value"):
        plan_load(lake)


def test_partition_folder_with_a_bad_name_is_refused(lake):
    import os
    import shutil

    folder = f"{lake.table_path(contract.FUNNEL_DAILY)}/day=2019-10-01"
    os.makedirs(folder)
    shutil.copy(funnel_daily_file(lake), folder)
    with pytest.raises(UserError, match="expected a folder named event_date=YYYY-MM-DD"):
        plan_load(lake)


def test_folders_spark_leaves_behind_are_ignored(lake):
    import os

    os.makedirs(f"{lake.table_path(contract.FUNNEL_DAILY)}/.spark-staging-123")
    open(f"{lake.table_path(contract.FUNNEL_DAILY)}/_SUCCESS", "w").close()
    assert len(plan_load(lake).tables[3].slices) == 3


@pytest.mark.parametrize(
    "kind,value",
    [
        ("project", "ab"),
        ("project", "My-Project"),
        ("dataset", "has-dash"),
        ("dataset", ""),
        ("table", "1abc"),
    ],
)
def test_invalid_names_are_refused(kind, value):
    with pytest.raises(UserError, match=f"invalid BigQuery {kind} name"):
        validate.check_name(kind, value)


def test_valid_names_pass():
    assert validate.check_name("project", "my-project-123") == "my-project-123"
    assert validate.check_name("dataset", "clickstream_analytics") == "clickstream_analytics"


def test_contract_decimal_matches_only_the_same_precision_and_scale():
    price = contract.EVENTS.column("price")
    assert validate.arrow_type_matches(price, pa.decimal128(12, 2))
    assert not validate.arrow_type_matches(price, pa.decimal128(18, 2))
