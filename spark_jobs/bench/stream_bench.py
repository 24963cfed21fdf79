"""`make stream` and `make bench-stream`: replay traffic into a landing folder while `stream` runs, and measure.

Both start `python -m spark_jobs stream --trigger '<N> seconds'` as a child process on a fresh lake,
replay a Kaggle-format file into its landing folder (`spark_jobs.replay`), and follow the stream's
ledger: each `<batch>.applied.json` is written once a micro-batch's clean events, daily marts and
live window are committed. For every new micro-batch the DuckDB warehouse is refreshed with
`load --day` for the days it touched (and, for the demo, the HTML dashboard is rebuilt). When the
replay has ended and every landed file is in an applied micro-batch, the stream is stopped (SIGTERM:
it finishes the current micro-batch) and the figures are printed:

- marts delay: from a file's arrival (its rename into the landing folder) to the commit of the
  micro-batch that holds it (the applied record's write time);
- DuckDB delay: from arrival to the end of the `load --day` that follows that micro-batch;
- rows/s: rows the stream read divided by the time from the first arrival to the last commit;
- memory: the stream's process tree (driver + JVM) resident size, and the checkpoint + ledger size,
  sampled over the run (flat means state does not grow with the run).

`demo` replays the bundled sample (a month of 30,000 rows) at 14,400 x (a day in 6 s, an hour per file); `bench`
replays generated traffic at `--rate` events per second for `--minutes`.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from spark_jobs.bench.memory import tree_rss_bytes
from spark_jobs.lake import Lake
from spark_jobs.replay import replay

log = logging.getLogger("spark_jobs.stream_bench")

SAMPLE = "data/sample/2019-Oct-sample.csv.gz"
MONTH_SECONDS = 31 * 24 * 3600


@dataclass
class Run:
    arrivals: dict[str, float] = field(default_factory=dict)  # landed file name -> arrival (epoch s)
    batches: list[dict] = field(default_factory=list)  # per micro-batch: files, rows, committed, loaded
    memory: list[tuple[float, int, int]] = field(default_factory=list)  # (t, process bytes, state bytes)
    replay_done: threading.Event = field(default_factory=threading.Event)


def folder_bytes(path: str) -> int:
    total = 0
    for root, _, files in os.walk(path):
        for name in files:
            try:
                total += os.path.getsize(os.path.join(root, name))
            except OSError:
                pass
    return total


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))]


def _start_stream(lake: str, landing: str, trigger: str, log_path: str, extra: list[str]) -> subprocess.Popen:
    command = [sys.executable, "-m", "spark_jobs", "stream", "--lake", lake, "--landing", landing]
    command += ["--trigger", trigger, *extra]
    with open(log_path, "w") as out:
        return subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)


def _replay_thread(
    run: Run, source: str, landing: str, speed: float, file_seconds: float
) -> threading.Thread:
    def target():
        try:
            replay(input_path=source, landing=landing, speed=speed, file_seconds=file_seconds)
        finally:
            run.replay_done.set()

    thread = threading.Thread(target=target, name="replay", daemon=True)
    thread.start()
    return thread


def _new_applied(ledger: Path, seen: set[str]) -> list[Path]:
    if not ledger.is_dir():
        return []
    fresh = sorted(p for p in ledger.glob("*.applied.json") if p.name not in seen)
    seen.update(p.name for p in fresh)
    return fresh


def _load_days(load_duckdb, lake: Lake, warehouse: str, days: list[str], attempts: int = 3) -> None:
    """`load --day` while the stream may be replacing the next batch's partitions: a read that meets a
    partition mid-swap fails (the footer check or DuckDB's read), and a second try a second later sees
    the new partition whole."""
    for attempt in range(attempts):
        try:
            load_duckdb(lake=lake, warehouse=warehouse, days=days, skip_missing_days=True)
            return
        except Exception as error:  # noqa: BLE001 - retried, then raised
            if attempt == attempts - 1:
                raise
            log.warning("load --day %s failed (%s); trying again", ",".join(days), error)
            time.sleep(1)


def _refresh_dashboard(warehouse: str, out: str) -> None:
    from spark_jobs.dashboard import build_dashboard
    from spark_jobs.errors import UserError

    try:
        build_dashboard(warehouse=warehouse, out=out)
    except UserError as error:  # e.g. no sessions yet: they follow the stream's monthly cadence
        log.warning("dashboard not refreshed yet: %s", error)


def follow(
    *,
    source: str,
    workdir: str,
    speed: float,
    file_seconds: float,
    trigger: str = "10 seconds",
    warehouse: str | None = None,
    dashboard: str | None = None,
    timeout_seconds: float = 3600,
    stream_args: tuple[str, ...] = (),
) -> Run:
    """Replay `source` while the stream runs on a fresh lake under `workdir`; return what was measured."""
    from spark_jobs.warehouse.duckdb_loader import load_duckdb

    shutil.rmtree(workdir, ignore_errors=True)
    lake_root, landing = os.path.join(workdir, "lake"), os.path.join(workdir, "landing")
    os.makedirs(landing)
    warehouse = warehouse or os.path.join(workdir, "warehouse.duckdb")
    if os.path.exists(warehouse):
        os.unlink(warehouse)
    lake = Lake(lake_root)
    ledger = Path(lake_root) / "_checkpoints" / "stream-ledger"
    run = Run()
    stream = _start_stream(
        lake_root, landing, trigger, os.path.join(workdir, "stream.log"), list(stream_args)
    )
    _replay_thread(run, source, landing, speed, file_seconds)
    seen: set[str] = set()
    started = time.time()
    try:
        while True:
            if stream.poll() is not None:
                raise RuntimeError(f"stream exited with {stream.returncode}; see {workdir}/stream.log")
            for name in os.listdir(landing):
                if not name.startswith(".") and name not in run.arrivals:
                    run.arrivals[name] = os.stat(os.path.join(landing, name)).st_mtime
            for path in _new_applied(ledger, seen):
                record = json.loads(path.read_text())
                batch = {
                    "batch": record["batch_id"],
                    "files": [os.path.basename(p) for p in record["inputs"]],
                    "rows": record["rows_read"],
                    "days": record["event_dates"],
                    "committed": path.stat().st_mtime,
                }
                if batch["days"]:
                    _load_days(load_duckdb, lake, warehouse, batch["days"])
                    if dashboard:
                        _refresh_dashboard(warehouse, dashboard)
                batch["loaded"] = time.time()
                run.batches.append(batch)
            run.memory.append(
                (time.time() - started, tree_rss_bytes(stream.pid), folder_bytes(str(ledger.parent)))
            )
            processed = {name for batch in run.batches for name in batch["files"]}
            if run.replay_done.is_set() and run.arrivals and set(run.arrivals) <= processed:
                break
            if time.time() - started > timeout_seconds:
                raise RuntimeError(f"gave up after {timeout_seconds:.0f} s; see {workdir}/stream.log")
            time.sleep(0.5)
        if dashboard:
            # the day loads leave out the data-quality rows of the stream's batches (named
            # stream-NNNNNN, not after a day): one full load at the end brings them in
            load_duckdb(lake=lake, warehouse=warehouse)
            _refresh_dashboard(warehouse, dashboard)
    finally:
        if stream.poll() is None:
            os.killpg(stream.pid, signal.SIGTERM)  # the stream's own process group, started above
            try:
                stream.wait(timeout=120)
            except subprocess.TimeoutExpired:
                os.killpg(stream.pid, signal.SIGKILL)
    return run


def figures(run: Run) -> dict:
    marts, duck = [], []
    for batch in run.batches:
        for name in batch["files"]:
            if name in run.arrivals:
                marts.append(batch["committed"] - run.arrivals[name])
                duck.append(batch["loaded"] - run.arrivals[name])
    rows = sum(batch["rows"] for batch in run.batches)
    span = max(b["loaded"] for b in run.batches) - min(run.arrivals.values()) if run.batches else 0
    processes = [m[1] for m in run.memory if m[1]]
    state = [m[2] for m in run.memory]
    half = len(processes) // 2

    def summary(values):
        if not values:
            return None
        return {"p50": round(percentile(values, 0.5), 1), "p95": round(percentile(values, 0.95), 1),
                "max": round(max(values), 1)}  # fmt: skip

    return {
        "files": len(run.arrivals),
        "micro_batches": len(run.batches),
        "rows": rows,
        "rows_per_second": round(rows / span, 1) if span else None,
        "marts_delay_seconds": summary(marts),
        "duckdb_delay_seconds": summary(duck),
        "memory_mb": {
            "first_half_peak": round(max(processes[:half] or [0]) / 2**20),
            "second_half_peak": round(max(processes[half:] or [0]) / 2**20),
        },
        "state_mb": {"start": round((state[0] if state else 0) / 2**20, 2), "end": round((state[-1] if state else 0) / 2**20, 2)},
        "mean_files_per_batch": round(statistics.mean(len(b["files"]) for b in run.batches), 1) if run.batches else 0,
    }  # fmt: skip


def print_figures(title: str, result: dict) -> None:
    print(f"\n{title}")
    for key, value in result.items():
        print(f"  {key:>22}: {value}")


def sorted_copy(source: str, out: str) -> str:
    """The file's data lines sorted by event_time (generated months are not in time order)."""
    import gzip

    opener = gzip.open if source.endswith(".gz") else open
    with opener(source, "rt", encoding="utf-8", newline="") as handle:
        header, *lines = handle.read().splitlines()
    lines.sort(key=lambda line: line[:19])
    Path(out).write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m spark_jobs.bench.stream_bench", description=__doc__.split("\n")[0]
    )
    sub = parser.add_subparsers(dest="mode", required=True)
    demo = sub.add_parser("demo", help="replay the bundled sample while the stream runs (make stream)")
    demo.add_argument("--input", default=SAMPLE)
    demo.add_argument(
        "--speed", type=float, default=14400.0, help="a day in 6 s: the sample month in about 3 min"
    )
    demo.add_argument("--file-seconds", type=float, default=3600.0, help="event seconds per landed file")
    demo.add_argument("--workdir", default="data/stream-demo")
    demo.add_argument("--warehouse", default="data/stream-demo/warehouse.duckdb")
    demo.add_argument("--dashboard", default="data/reports/stream-dashboard.html")
    bench = sub.add_parser("bench", help="replay generated traffic at a rate (make bench-stream)")
    bench.add_argument("--rate", type=float, default=200.0, help="events per second")
    bench.add_argument("--minutes", type=float, default=3.0, help="how long the replay lasts")
    bench.add_argument("--file-seconds", type=float, default=5.0, help="seconds of traffic per landed file")
    bench.add_argument("--workdir", default="data/stream-bench")
    bench.add_argument("--out", default="bench/results/stream.json")
    for sub_parser in (demo, bench):
        sub_parser.add_argument("--trigger", default="10 seconds")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    if args.mode == "demo":
        run = follow(source=args.input, workdir=args.workdir, speed=args.speed, file_seconds=args.file_seconds,
                     trigger=args.trigger, warehouse=args.warehouse, dashboard=args.dashboard,
                     # the sample's month is replayed in minutes: sessions and monthly marts follow
                     # every 30 s so the dashboard (which needs sessions) fills in during the demo
                     stream_args=("--months-every", "0.5"))  # fmt: skip
        print_figures(f"make stream: {args.input} at {args.speed:g}x real time", figures(run))
        print(f"  warehouse {args.warehouse}, dashboard {args.dashboard}")
        return 0
    from spark_jobs.generate import write_month

    rows = int(args.rate * args.minutes * 60)
    os.makedirs(args.workdir + "-input", exist_ok=True)
    generated = os.path.join(args.workdir + "-input", f"2019-10-{rows}.csv")
    write_month(out=generated, rows=rows, month="2019-10", seed=7)
    source = sorted_copy(generated, generated.replace(".csv", "-sorted.csv"))
    # the generated month spreads its rows over 31 days: this speed plays them at `rate` per second
    speed = args.rate * MONTH_SECONDS / rows
    run = follow(source=source, workdir=args.workdir, speed=speed, file_seconds=args.file_seconds * speed,
                 trigger=args.trigger, timeout_seconds=args.minutes * 60 * 4 + 600)  # fmt: skip
    result = {
        "rate_events_per_second": args.rate,
        "minutes": args.minutes,
        "trigger": args.trigger,
        **figures(run),
    }
    print_figures(f"make bench-stream: {args.rate:g} events/s for {args.minutes:g} min", result)
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
