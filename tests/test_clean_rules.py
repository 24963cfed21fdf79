"""The cleaning contract, rule by rule: which reason a raw row gets, and what a valid row becomes."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest
from builders import event, events_frame, raw_frame, raw_row
from chispa import assert_df_equality

from spark_jobs import clean


def reasons(spark, *rows):
    validated = clean.validate(raw_frame(spark, list(rows)))
    return [row.reason for row in validated.orderBy("row_id").select("reason").collect()]


def test_a_well_formed_row_has_no_reason(spark):
    assert reasons(spark, raw_row()) == [None]


def test_a_row_without_nine_fields_is_malformed(spark):
    short = (*raw_row()[:8], None, "2019-10-01 10:00:00 UTC,view,1,2,,,1.00,5")
    assert reasons(spark, short) == ["malformed_row"]


@pytest.mark.parametrize(
    "value",
    [
        "2019-02-30 10:00:00 UTC",
        "2019-10-01T10:00:00",
        "2019-10-01 24:00:00",
        "2019-10-01 10:00",
        "",
        "yesterday",
        "2019-10-01 10:00:00 CET",
    ],
)
def test_event_time_must_be_a_real_date_time(spark, value):
    assert reasons(spark, raw_row(event_time=value)) == ["bad_event_time"]


@pytest.mark.parametrize(
    "value", ["2019-10-01 10:00:00 UTC", "2019-10-01 10:00:00", "  2019-10-01 10:00:00 UTC  "]
)
def test_event_time_accepts_an_optional_utc_suffix_and_surrounding_spaces(spark, value):
    assert reasons(spark, raw_row(event_time=value)) == [None]


@pytest.mark.parametrize("value", ["click", "", "views"])
def test_event_type_must_be_known(spark, value):
    assert reasons(spark, raw_row(event_type=value)) == ["bad_event_type"]


@pytest.mark.parametrize("value", ["VIEW", " Cart ", "remove_from_cart", "purchase"])
def test_event_type_is_case_insensitive_and_includes_remove_from_cart(spark, value):
    assert reasons(spark, raw_row(event_type=value)) == [None]


@pytest.mark.parametrize("value", ["0", "-5", "12a", "", "1.5", "99999999999999999999"])
def test_product_id_must_be_a_positive_integer(spark, value):
    assert reasons(spark, raw_row(product_id=value)) == ["bad_product_id"]


@pytest.mark.parametrize("value", ["-1", "x", ""])
def test_category_id_must_be_a_non_negative_integer(spark, value):
    assert reasons(spark, raw_row(category_id=value)) == ["bad_category_id"]


def test_category_id_zero_is_valid(spark):
    assert reasons(spark, raw_row(category_id="0")) == [None]


@pytest.mark.parametrize("value", ["-1.00", "abc", "", "1e3", "1,5"])
def test_price_must_be_a_non_negative_decimal(spark, value):
    assert reasons(spark, raw_row(price=value)) == ["bad_price"]


@pytest.mark.parametrize("value", ["0", "0.00", "12", "12.5"])
def test_price_zero_and_plain_numbers_are_valid(spark, value):
    assert reasons(spark, raw_row(price=value)) == [None]


@pytest.mark.parametrize("value", ["0", "-3", "u1", ""])
def test_user_id_must_be_a_positive_integer(spark, value):
    assert reasons(spark, raw_row(user_id=value)) == ["bad_user_id"]


@pytest.mark.parametrize("value", ["", "   "])
def test_user_session_must_not_be_empty(spark, value):
    assert reasons(spark, raw_row(user_session=value)) == ["missing_session"]


def test_the_first_failing_rule_in_contract_order_gives_the_reason(spark):
    row = raw_row(event_time="bad", event_type="bad", product_id="bad", price="bad", user_session="")
    assert reasons(spark, row) == ["bad_event_time"]
    row = raw_row(product_id="bad", category_id="bad", price="bad", user_id="bad")
    assert reasons(spark, row) == ["bad_product_id"]


def test_a_valid_row_becomes_a_typed_clean_event(spark):
    validated = clean.validate(raw_frame(spark, [raw_row()]))
    expected = events_frame(
        spark,
        [
            event(
                event_time=datetime(2019, 10, 1, 10, 0, 0),
                product_id=1004856,
                category_id=2053013555631882655,
                price=Decimal("130.76"),
                user_id=543272936,
                user_session="8187d148-3c41-46d4-b0c0-9c08cd9dc564",
            )
        ],
    )
    assert_df_equality(clean.valid_events(validated), expected, ignore_nullable=True)


def test_values_are_trimmed_brand_lowercased_and_empty_text_becomes_null(spark):
    row = raw_row(event_type=" PURCHASE ", brand=" Apple ", category_code="  ", user_session=" s9 ")
    validated = clean.validate(raw_frame(spark, [row]))
    result = clean.valid_events(validated).select(
        "event_type", "brand", "category_code", "category_l1", "user_session"
    )
    assert [tuple(r) for r in result.collect()] == [("purchase", "apple", None, None, "s9")]


def test_empty_brand_becomes_null(spark):
    validated = clean.validate(raw_frame(spark, [raw_row(brand="")]))
    assert clean.valid_events(validated).first().brand is None


def test_category_code_is_split_into_three_levels(spark):
    rows = [raw_row(category_code="appliances.kitchen.washer"), raw_row(category_code="apparel")]
    validated = clean.validate(raw_frame(spark, rows))
    result = clean.valid_events(validated).select("category_l1", "category_l2", "category_l3")
    assert sorted(tuple(r) for r in result.collect()) == [
        ("apparel", None, None),
        ("appliances", "kitchen", "washer"),
    ]


def test_event_time_is_utc_and_gives_date_and_hour(spark):
    validated = clean.validate(raw_frame(spark, [raw_row(event_time="2019-10-31 23:59:59 UTC")]))
    row = clean.valid_events(validated).first()
    assert (row.event_time, str(row.event_date), row.event_hour) == (
        datetime(2019, 10, 31, 23, 59, 59),
        "2019-10-31",
        23,
    )


def test_price_keeps_two_decimals(spark):
    validated = clean.validate(raw_frame(spark, [raw_row(price="0"), raw_row(price="1081.98")]))
    assert sorted(r.price for r in clean.valid_events(validated).collect()) == [
        Decimal("0.00"),
        Decimal("1081.98"),
    ]


def test_rows_identical_after_normalisation_collapse_to_one(spark):
    rows = [raw_row(brand="Samsung"), raw_row(brand="samsung "), raw_row(brand="samsung", user_id="2")]
    validated = clean.validate(raw_frame(spark, rows))
    assert clean.deduplicate(clean.valid_events(validated)).count() == 2


def test_quarantined_rows_keep_text_reason_and_source(spark):
    validated = clean.validate(raw_frame(spark, [raw_row(price="-1"), raw_row()]))
    rows = clean.quarantined_rows(validated, "2019-10").collect()
    assert len(rows) == 1
    row = rows[0]
    assert (row.batch_id, row.reason, row.price, row.source_file) == (
        "2019-10",
        "bad_price",
        "-1",
        "file:/in/2019-Oct.csv",
    )
    assert row.raw_line.split(",")[6] == "-1"
