"""Shared fixtures: one session per engine for the whole test run (classic Spark's cold start costs ~7 s,
Sail's embedded server under 1 s).

`spark` is parametrized over both engines (`spark_jobs.session.ENGINES`), so every test that uses it is a
specification of both: `test_x[spark]` on classic Spark, `test_x[sail]` on Sail. pytest groups the tests
by engine; each engine's session is built once and stopped at the end of the run. While a test runs,
$SPARK_JOBS_ENGINE names its engine, so the commands it calls in-process (`main(["run", ...])`) use the
same session. `classic_spark` is for what only runs on classic Spark (the spark-submit / Dataproc chain).
"""

from __future__ import annotations

import os

import pytest

from spark_jobs.session import ENGINE_VARIABLE, ENGINES

os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
# classic Spark's test-size settings (interpreted expressions, the JIT's first tier, 2 partitions: see
# the file), for the sessions of this process and of every Spark process a test starts; set, not
# defaulted, so a developer's own SPARK_CONF_DIR cannot change what the tests run with (the spark-submit
# test relies on its 2 shuffle partitions instead of Spark's 200)
os.environ["SPARK_CONF_DIR"] = os.path.join(os.path.dirname(os.path.abspath(__file__)), "spark-conf")

# Real servers for integration tests: fake_gcs_server/fake_gcs (fake-gcs-server), http_files (HTTP),
# bigquery_emulator/bigquery_client (bqemulator); fake_dataproc, a stand-in for the Dataproc batches API.
pytest_plugins = ["servers.gcs", "servers.http", "servers.bigquery", "servers.dataproc"]

# Small settings for small test data; the JVM ones only apply to classic Spark.
TEST_CONF = {
    "spark.sql.shuffle.partitions": "2",
    "spark.default.parallelism": "2",
    "spark.driver.memory": "2g",
}


@pytest.fixture(scope="session")
def engine_sessions(tmp_path_factory):
    """engine -> its session, built on first use and stopped when the run ends."""
    from spark_jobs.session import stop_spark

    os.environ.setdefault("SPARK_SHUFFLE_PARTITIONS", "2")
    sessions: dict = {}
    yield sessions
    for session in sessions.values():
        stop_spark(session)


def _activate(engine: str, sessions: dict, tmp_path_factory):
    """The engine's session, made the one this process's Spark functions and commands use."""
    from spark_jobs.session import get_spark

    os.environ[ENGINE_VARIABLE] = engine
    if engine in sessions:
        return get_spark(engine=engine)
    conf = TEST_CONF
    if engine == "spark":
        conf = {**TEST_CONF, "spark.sql.warehouse.dir": str(tmp_path_factory.mktemp("spark-warehouse"))}
    sessions[engine] = get_spark("spark_jobs_tests", master="local[2]", extra_conf=conf, engine=engine)
    return sessions[engine]


# `make test-spark35` runs classic Spark only (PySpark 3.5 has no Sail: Dataproc 2.2's runtime)
TEST_ENGINES = os.environ.get("SPARK_JOBS_TEST_ENGINES", ",".join(ENGINES)).split(",")


@pytest.fixture(scope="session", params=TEST_ENGINES)
def spark(request, engine_sessions, tmp_path_factory):
    previous = os.environ.get(ENGINE_VARIABLE)
    yield _activate(request.param, engine_sessions, tmp_path_factory)
    _restore(previous)


@pytest.fixture(autouse=True)
def _engine_of_the_test(request, engine_sessions, tmp_path_factory):
    """Re-activate a test's engine (a `classic_spark` test in between may have switched the process)."""
    params = getattr(getattr(request.node, "callspec", None), "params", {})
    if "spark" in request.fixturenames and params.get("spark") in TEST_ENGINES:
        _activate(params["spark"], engine_sessions, tmp_path_factory)
    yield


@pytest.fixture
def classic_spark(engine_sessions, tmp_path_factory):
    """Classic Spark only: what spark-submit and Dataproc run (the JVM's Hadoop configuration included)."""
    previous = os.environ.get(ENGINE_VARIABLE)
    yield _activate("spark", engine_sessions, tmp_path_factory)
    _restore(previous)
    if previous in engine_sessions:
        _activate(previous, engine_sessions, tmp_path_factory)


def _restore(previous: str | None) -> None:
    if previous is None:
        os.environ.pop(ENGINE_VARIABLE, None)
    else:
        os.environ[ENGINE_VARIABLE] = previous


# Under `make test`'s two workers (pytest-xdist, --dist loadscope) modules are handed out in collection
# order; these long ones (real processes, whole benchmarks, stream scenarios: 1-4 minutes each) go first,
# so that they do not end the run on one worker while the other idles.
LONG_MODULES = (
    "test_stream_process.py",
    "test_stream.py",
    "test_bench_smoke.py",
    "test_package.py",
    "test_e2e_cloud.py",
    "test_trusted_numbers.py",
    "test_pipeline.py",
)


@pytest.hookimpl(trylast=True)  # after pytest's own grouping by engine, which the stable sort keeps
def pytest_collection_modifyitems(config, items):
    if config.pluginmanager.hasplugin("xdist") and getattr(config.option, "numprocesses", None):
        rank = {name: index for index, name in enumerate(LONG_MODULES)}
        items.sort(key=lambda item: rank.get(item.path.name, len(LONG_MODULES)))
