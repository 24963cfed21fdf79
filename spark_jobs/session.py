"""The one place a SparkSession is built, and the one place that knows which engine runs the jobs.

Two engines run the same `pyspark.sql` code:
- `spark`: classic Spark (the JVM). Local runs get tuned defaults (driver memory, few shuffle
  partitions with AQE, UTC, zstd Parquet, TIMESTAMP_MICROS so BigQuery reads TIMESTAMP, dynamic
  partition overwrite). Under spark-submit on Dataproc the same settings are applied as runtime SQL
  confs; cluster sizing comes from the submit. spark-submit and Dataproc always use this engine.
- `sail`: Sail (`pysail`, Rust/DataFusion), embedded in this Python process as a Spark Connect server
  on 127.0.0.1 and a free port, with a Spark Connect client session; the server starts with the
  session (about 0.7 s) and stops with it (`stop_spark`) or when the process exits.

The engine is `--engine` (`spark_jobs.cli.common.add_engine`), else `SPARK_JOBS_ENGINE`, else
`LOCAL_DEFAULT_ENGINE`; nothing outside this module branches on it.
"""

from __future__ import annotations

import atexit
import os

from spark_jobs.errors import UserError
from spark_jobs.gcs_connector import gcs_conf

ENGINES = ("spark", "sail")
ENGINE_VARIABLE = "SPARK_JOBS_ENGINE"
# Sail locally: the same jobs about 3x faster than on the JVM, with identical tables (README, Performance)
LOCAL_DEFAULT_ENGINE = "sail"

SQL_CONF = {
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.sources.partitionOverwriteMode": "dynamic",
    "spark.sql.parquet.outputTimestampType": "TIMESTAMP_MICROS",
    "spark.sql.parquet.compression.codec": "zstd",
    "spark.sql.adaptive.enabled": "true",
    "spark.sql.adaptive.coalescePartitions.enabled": "true",
    # Exact behaviour the cleaning rules rely on is written with try_* functions, so ANSI mode
    # may stay at the runtime's default (on in Spark 4, off in 3.5).
}

_DRIVER_MEMORY = os.environ.get("SPARK_DRIVER_MEMORY", "2g")
LOCAL_CONF = {
    # 2g: as fast as 3g at 10 M rows since no aggregation spills any more, and the process tree
    # (heap + JVM overhead + Python) stays near 2.7 GiB from 5 M to 20 M rows, where with 3g the heap
    # grew with the month up to its cap (the README's Performance section)
    "spark.driver.memory": _DRIVER_MEMORY,
    "spark.sql.shuffle.partitions": os.environ.get("SPARK_SHUFFLE_PARTITIONS", "8"),
    # File scans split into at least 4 tasks per core (the default, 1 per core, let 128 MB splits
    # read a month's clean events as 3 tasks on 2 cores: one core idle for a third of every mart's
    # scan stage); whole bench at 10 M rows 150.1 s -> 131.6 s (the README's Performance section)
    "spark.sql.files.minPartitionNum": os.environ.get(
        "SPARK_FILES_MIN_PARTITIONS", str(4 * (os.cpu_count() or 1))
    ),
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.driver.host": "127.0.0.1",
    "spark.driver.bindAddress": "127.0.0.1",
    "spark.sql.warehouse.dir": os.path.join(os.environ.get("TMPDIR", "/tmp"), "spark-warehouse"),
    # Parallel GC: a batch job wants throughput, not G1's short pauses (5 M rows 94.3 s -> 83.1 s, peak
    # 2.50 -> 2.13 GiB); -Xms = the maximum heap: a fixed footprint instead of one that grows with
    # the month (the README's Performance section). The log4j2 file keeps Spark's start-up
    # chatter (native-hadoop warning, default-profile notice) out of the job's log.
    "spark.driver.extraJavaOptions": f"-XX:+UseParallelGC -Xms{_DRIVER_MEMORY} -Dlog4j2.configurationFile="
    + os.path.join(os.path.dirname(os.path.abspath(__file__)), "log4j2.properties"),
}


# Read by the embedded Sail server when it starts (Sail is configured through SAIL_* variables; the
# SQL confs above are session confs and are set on its sessions as on classic Spark).
_SAIL_ENVIRONMENT = {
    # the server's own start-up and per-session INFO lines would fill every job's log, and at exit it
    # warns that it is "aborting N task(s)" of its idle session actors (RUST_LOG=info shows them all)
    "RUST_LOG": "error",
    # A bounded memory pool, so that Sail's sorts and aggregations spill to disk (the system's
    # temporary folder) instead of growing with the month: without one the process peaked at
    # 2.41 / 3.84 / 6.94 GiB for 5 / 10 / 20 M rows. The fair pool shares the bound between the
    # operators that can spill; with 2.5 GiB the 20 M-row bench month peaked at 3.22 GiB in 192.5 s
    # (184.4 s unbounded; the README's Performance section). Sail's greedy pool failed in the session
    # split's sort merge at 3 GiB.
    # Each variable can be set in the environment to override it.
    "SAIL_RUNTIME__MEMORY_POOL__TYPE": "fair",
    "SAIL_RUNTIME__MEMORY_POOL__FAIR__MAX_SIZE": str(5 * 2**29),
}


class EngineError(UserError):
    """An unknown engine, or one that cannot run here."""


def resolve_engine(engine: str | None = None, streaming: bool = False) -> str:
    """The engine to use: `engine` (from --engine), else $SPARK_JOBS_ENGINE, else the local default.

    Under spark-submit (local or Dataproc) the JVM is already running: the engine is always `spark`.
    `streaming`: the job runs Structured Streaming, which only classic Spark can run (Sail 0.7.2 has no
    file sink and no foreachBatch: "streaming query must write data to a sink"), so the default is
    `spark` and asking for Sail is an error.
    """
    chosen = engine or os.environ.get(ENGINE_VARIABLE) or None
    if chosen is not None and chosen not in ENGINES:
        raise EngineError(
            f"unknown engine {chosen!r} (--engine or ${ENGINE_VARIABLE}): one of {', '.join(ENGINES)}"
        )
    if streaming:
        if chosen == "sail":
            raise EngineError(
                "Sail cannot run Structured Streaming (no file sink, no foreachBatch in pysail 0.7.2); "
                "this command runs on classic Spark: use --engine spark"
            )
        return "spark"
    if _under_spark_submit():
        if chosen not in (None, "spark"):
            raise EngineError(
                f"engine {chosen} runs only in a plain `python -m spark_jobs` process; under spark-submit "
                "and on Dataproc the engine is classic Spark (drop --engine / unset $SPARK_JOBS_ENGINE)"
            )
        return "spark"
    return chosen or LOCAL_DEFAULT_ENGINE


def get_spark(
    app_name: str = "spark_jobs",
    master: str | None = None,
    extra_conf: dict | None = None,
    engine: str | None = None,
    streaming: bool = False,
):
    """Return this process's session of the engine (`resolve_engine(engine, streaming)`), or build one.

    Classic Spark: when launched by spark-submit, only SQL confs are set; in a plain
    `python -m spark_jobs` run, a local[*] session with LOCAL_CONF is created. Sail: an embedded
    server and a Spark Connect session to it; `master` and the JVM settings do not apply.
    """
    engine = resolve_engine(engine, streaming)
    _use_engine_functions(engine)
    if engine == "sail":
        active = _sail_session(app_name, extra_conf or {})
    else:
        active = _classic_session(app_name, master, extra_conf or {})
    for key, value in SQL_CONF.items():
        active.conf.set(key, value)
    return active


def stop_spark(session) -> None:
    """Stop the session, and for Sail the embedded server it was started with."""
    session.stop()
    server = _SAIL_SERVERS.pop(id(session), None)
    if server is not None:
        server.stop()


def _use_engine_functions(engine: str) -> None:
    # `pyspark.sql.functions` builds Spark Connect columns or JVM columns depending on this process-wide
    # variable (pyspark.sql.utils.is_remote), which the generic builder sets for good once a Connect
    # session exists; set here, it follows the engine asked for, so both engines can be used in turn in
    # one process (the test suite does).
    if engine == "sail":
        os.environ["SPARK_CONNECT_MODE_ENABLED"] = "1"
    else:
        os.environ.pop("SPARK_CONNECT_MODE_ENABLED", None)


_SAIL_SERVERS: dict[int, object] = {}


def _sail_session(app_name: str, extra_conf: dict):
    from pyspark.sql.connect.session import SparkSession as ConnectSession

    active = ConnectSession.getActiveSession()
    if active is not None and id(active) in _SAIL_SERVERS:
        return active
    try:
        from pysail.spark import SparkConnectServer
    except ImportError:
        raise EngineError(
            "engine sail needs the pysail package (pip install 'pysail==0.7.2'); or use --engine spark"
        ) from None
    for key, value in _SAIL_ENVIRONMENT.items():
        os.environ.setdefault(key, value)
    server = SparkConnectServer(ip="127.0.0.1", port=0)
    server.start(background=True)
    atexit.register(_stop_quietly, server)
    host, port = server.listening_address
    builder = ConnectSession.builder.remote(f"sc://{host}:{port}").appName(app_name)
    for key, value in extra_conf.items():
        builder = builder.config(key, value)
    active = builder.getOrCreate()
    _SAIL_SERVERS[id(active)] = server
    return active


def _stop_quietly(server) -> None:
    if server.running:
        server.stop()


def _classic_session(app_name: str, master: str | None, extra_conf: dict):
    from pyspark.sql import SparkSession

    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    active = SparkSession.getActiveSession()
    if active is None:
        builder = SparkSession.builder.appName(app_name)
        if not _under_spark_submit():
            builder = builder.master(master or os.environ.get("SPARK_MASTER", "local[*]"))
            # gs:// outside Dataproc: the connector jar from pyspark-gcs (emulator-aware); Dataproc has its own
            for key, value in {**LOCAL_CONF, **gcs_conf()}.items():
                builder = builder.config(key, value)
        for key, value in extra_conf.items():
            builder = builder.config(key, value)
        active = builder.getOrCreate()
        active.sparkContext.setLogLevel(os.environ.get("SPARK_LOG_LEVEL", "ERROR"))
    return active


def _under_spark_submit() -> bool:
    # spark-submit starts the JVM first and hands its gateway port to the Python driver; the master
    # and resources then come from the submit command and must not be overridden here.
    return "PYSPARK_GATEWAY_PORT" in os.environ
