"""The one place a SparkSession is built.

Local runs get tuned defaults (driver memory, few shuffle partitions with AQE, UTC, zstd Parquet,
TIMESTAMP_MICROS so BigQuery reads TIMESTAMP, dynamic partition overwrite). Under spark-submit on
Dataproc the same settings are applied as runtime SQL confs; cluster sizing comes from the submit.
"""

from __future__ import annotations

import os

from spark_jobs.gcs_connector import gcs_conf

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


def get_spark(app_name: str = "spark_jobs", master: str | None = None, extra_conf: dict | None = None):
    """Return the active SparkSession, or build one.

    When launched by spark-submit, only SQL confs are set; in a plain
    `python -m spark_jobs` run, a local[*] session with LOCAL_CONF is created.
    """
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
        for key, value in (extra_conf or {}).items():
            builder = builder.config(key, value)
        active = builder.getOrCreate()
        active.sparkContext.setLogLevel(os.environ.get("SPARK_LOG_LEVEL", "ERROR"))
    for key, value in SQL_CONF.items():
        active.conf.set(key, value)
    return active


def _under_spark_submit() -> bool:
    # spark-submit starts the JVM first and hands its gateway port to the Python driver; the master
    # and resources then come from the submit command and must not be overridden here.
    return "PYSPARK_GATEWAY_PORT" in os.environ
