"""Which engine runs the jobs: `--engine`, else $SPARK_JOBS_ENGINE, else the local default; never Sail
under spark-submit (no session is built here: resolution only)."""

from __future__ import annotations

import pytest

from spark_jobs.session import ENGINE_VARIABLE, LOCAL_DEFAULT_ENGINE, EngineError, resolve_engine


@pytest.fixture
def plain_process(monkeypatch):
    monkeypatch.delenv(ENGINE_VARIABLE, raising=False)
    monkeypatch.delenv("PYSPARK_GATEWAY_PORT", raising=False)
    return monkeypatch


def test_without_flag_or_variable_the_local_default_runs(plain_process):
    assert resolve_engine(None) == LOCAL_DEFAULT_ENGINE


def test_the_variable_chooses_the_engine(plain_process):
    plain_process.setenv(ENGINE_VARIABLE, "sail")
    assert resolve_engine(None) == "sail"


def test_the_flag_wins_over_the_variable(plain_process):
    plain_process.setenv(ENGINE_VARIABLE, "sail")
    assert resolve_engine("spark") == "spark"


def test_an_unknown_engine_in_the_variable_is_named(plain_process):
    plain_process.setenv(ENGINE_VARIABLE, "flink")
    with pytest.raises(EngineError, match="unknown engine 'flink'"):
        resolve_engine(None)


def test_under_spark_submit_the_engine_is_classic_spark(plain_process):
    plain_process.setenv("PYSPARK_GATEWAY_PORT", "4040")
    assert resolve_engine(None) == "spark"


def test_asking_for_sail_under_spark_submit_is_an_error(plain_process):
    plain_process.setenv("PYSPARK_GATEWAY_PORT", "4040")
    plain_process.setenv(ENGINE_VARIABLE, "sail")
    with pytest.raises(EngineError, match="under spark-submit and on Dataproc the engine is classic Spark"):
        resolve_engine(None)


def test_a_streaming_job_runs_on_classic_spark_by_default(plain_process):
    plain_process.setenv(ENGINE_VARIABLE, "spark")
    assert resolve_engine(None, streaming=True) == "spark"
    plain_process.delenv(ENGINE_VARIABLE)
    assert resolve_engine(None, streaming=True) == "spark"


def test_asking_sail_for_a_streaming_job_says_why_in_one_line(plain_process):
    with pytest.raises(EngineError, match="Sail cannot run Structured Streaming .*use --engine spark"):
        resolve_engine("sail", streaming=True)
