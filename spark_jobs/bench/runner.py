"""The benchmark: generate (cached) -> ingest -> the jobs on each engine (Sail, classic Spark) -> DuckDB
baseline -> compare every engine's marts with the baseline's.

Each step runs in its own process and is timed as a whole run (start-up included) while the memory
of its process tree is sampled. The figures go to `<results>/latest.json` and are appended to
`<results>/history.jsonl` (not committed) so runs can be compared.
"""

from __future__ import annotations

import json
import logging
import os
import platform
import shutil
import subprocess
import sys
import time
from datetime import datetime, timezone

from spark_jobs.bench.compare import compare_marts, compare_quality
from spark_jobs.bench.memory import PeakMemory
from spark_jobs.errors import UserError
from spark_jobs.session import ENGINES, LOCAL_CONF

log = logging.getLogger("spark_jobs.bench")

DEFAULT_CACHE = "bench/cache"
DEFAULT_RESULTS = "bench/results"
# How the ingest step stores the raw month, as `ingest` options (parquet is the pipeline's default).
RAW_PART_OPTIONS = {
    "parquet": ["--part-format", "parquet"],
    "csv.gz": ["--part-format", "csv", "--compression", "gzip"],
    "csv": ["--part-format", "csv", "--compression", "none"],
}


# Sail first: the local default engine.
BENCH_ENGINES = tuple(sorted(ENGINES, key=lambda engine: engine != "sail"))


class BenchError(UserError):
    """A step of the benchmark failed, or the engines disagree."""


def cached_month(rows: int, month: str, seed: int, cache_dir: str, bad_rows: int = 0) -> str:
    """The generated month CSV for (rows, month, seed, bad_rows), generated once and kept in the cache."""
    path = os.path.join(cache_dir, f"generated-{month}-{rows}-seed{seed}-bad{bad_rows}.csv")
    if not os.path.exists(path):
        os.makedirs(cache_dir, exist_ok=True)
        arguments = ["generate", "--rows", str(rows), "--month", month, "--out", path, "--seed", str(seed)]
        _run_step(
            "generate", [*arguments, "--bad-rows", str(bad_rows)], os.path.join(cache_dir, "generate.log")
        )
    return path


def _run_step(name: str, arguments: list[str], log_path: str, module: str = "spark_jobs") -> dict:
    """Run `python -m <module> <arguments>`; return its wall seconds and peak tree memory."""
    log.info("bench: %s ...", name)
    environment = {**os.environ, "SPARK_LOCAL_IP": os.environ.get("SPARK_LOCAL_IP", "127.0.0.1")}
    with open(log_path, "w") as log_file:
        started = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, "-m", module, *arguments],
            stdout=log_file,
            stderr=subprocess.STDOUT,
            env=environment,
        )
        with PeakMemory(process.pid) as memory:
            code = process.wait()
        seconds = time.perf_counter() - started
    if code != 0:
        with open(log_path) as log_file:
            tail = log_file.read().strip().splitlines()[-1:] or ["(no output)"]
        raise BenchError(f"bench step {name} failed (exit {code}), see {log_path}: {tail[0]}")
    log.info("bench: %s done in %.1fs, peak memory %s", name, seconds, _gib(memory.peak_bytes))
    return {"seconds": seconds, "peak_rss_bytes": memory.peak_bytes}


def _gib(value: int | None) -> str:
    return "n/a" if value is None else f"{value / 2**30:.2f} GiB"


def _engine_run(engine: str, raw_dir: str, out_dir: str, work: str) -> dict:
    result_path = os.path.join(work, f"{engine}.json")
    arguments = [engine, "--raw", raw_dir, "--out", out_dir, "--result", result_path]
    step = _run_step(engine, arguments, os.path.join(work, f"{engine}.log"), module="spark_jobs.bench.worker")
    with open(result_path) as file:
        worker = json.load(file)
    return {
        **step,
        "stages": worker["seconds"],
        "substages": worker.get("substages", {}),
        "quality": worker["quality"],
    }


def machine() -> dict:
    import duckdb
    import pyspark

    try:
        from importlib.metadata import version

        sail = version("pysail")
    except Exception:  # not installed: the bench then runs classic Spark only
        sail = None
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") if hasattr(os, "sysconf") else None
    java = subprocess.run(["java", "-version"], capture_output=True, text=True).stderr.splitlines()
    return {
        "cpus": os.cpu_count(),
        "memory_gib": round(memory / 2**30, 1) if memory else None,
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "python": platform.python_version(),
        "java": java[0] if java else None,
        "pyspark": pyspark.__version__,
        "pysail": sail,
        "duckdb": duckdb.__version__,
        "spark_driver_memory": LOCAL_CONF["spark.driver.memory"],
        "spark_shuffle_partitions": LOCAL_CONF["spark.sql.shuffle.partitions"],
    }


def _load_average() -> float | None:
    return round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None


def run_bench(
    *,
    rows: int,
    month: str = "2019-10",
    seed: int = 1,
    raw_parts: str = "parquet",
    bad_rows: int = 0,
    cache_dir: str = DEFAULT_CACHE,
    results_dir: str | None = DEFAULT_RESULTS,
    engines: tuple[str, ...] = BENCH_ENGINES,
) -> dict:
    """One benchmark run; returns its figures (and writes them under `results_dir` when given).

    The same jobs run on each of `engines`, each in its own process, then the DuckDB baseline. Raises
    BenchError when a step fails or when an engine's marts or quality counts differ from DuckDB's (so
    all engines agree with each other too).
    """
    load_before = _load_average()
    source = cached_month(rows, month, seed, cache_dir, bad_rows)
    work = os.path.join(cache_dir, f"work-{month}-{rows}")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    year, number = month.split("-")
    raw_dir = os.path.join(work, "raw", f"year={year}", f"month={number}")
    ingest = _run_step(
        "ingest",
        ["ingest", "--month", month, "--source", source, "--dest", os.path.join(work, "raw"),
         *RAW_PART_OPTIONS[raw_parts]],
        os.path.join(work, "ingest.log"),
    )  # fmt: skip
    runs = {engine: _engine_run(engine, raw_dir, engine_lake(work, engine), work) for engine in engines}
    duckdb = _engine_run("duckdb", raw_dir, os.path.join(work, "duckdb"), work)
    log.info("bench: comparing the marts of %s with DuckDB's ...", ", ".join(engines))
    differences = []
    for engine, run in runs.items():
        found = [d.describe() for d in compare_marts(engine_lake(work, engine), os.path.join(work, "duckdb"))]
        found += compare_quality(run["quality"], duckdb["quality"])
        differences += [f"{engine} vs DuckDB: {text}" for text in found]
    csv_bytes = os.path.getsize(source)
    for run in runs.values():
        run.update(
            rows_per_second=rows / run["seconds"],
            mb_per_second=csv_bytes / 1e6 / run["seconds"],
            duckdb_ratio=run["seconds"] / duckdb["seconds"],
        )
    result = {
        "finished_at": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "rows": rows,
        "month": month,
        "seed": seed,
        "bad_rows": bad_rows,
        "csv_bytes": csv_bytes,
        "raw_parts": raw_parts,
        "machine": machine(),
        # other work on the machine slows every figure: the 1-minute load average before and after
        "load_average": [load_before, _load_average()],
        "ingest": ingest,
        "engines": runs,
        "duckdb": duckdb,
        "match": not differences,
        "differences": differences,
    }
    if results_dir:
        save(result, results_dir)
    if differences:
        raise BenchError(f"the engines disagree ({len(differences)} differences): {differences[0]}")
    return result


def engine_lake(work: str, engine: str) -> str:
    """The lake one engine's run writes (`<work>/lake-<engine>`)."""
    return os.path.join(work, f"lake-{engine}")


def save(result: dict, results_dir: str, name: str = "latest.json", history: bool = True) -> None:
    """Write `<results_dir>/<name>` and, with `history`, append one line to history.jsonl."""
    os.makedirs(results_dir, exist_ok=True)
    with open(os.path.join(results_dir, name), "w") as file:
        json.dump(result, file, indent=2)
        file.write("\n")
    if history:
        with open(os.path.join(results_dir, "history.jsonl"), "a") as file:
            file.write(json.dumps(result) + "\n")
