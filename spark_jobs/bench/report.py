"""The printed benchmark table: each stage's seconds per engine and for DuckDB, throughput, memory, targets."""

from __future__ import annotations

from spark_jobs import contract

# Targets, measured here and never asserted in tests. Sail (issue 13): DuckDB's speed (250 k rows/s,
# ratio <= 1.0) in at most 4 GiB, flat with the month's size. Classic Spark (issue 7): ratio <= 5 in at
# most 4 GiB, and no slower than its 131.6 s at 10 M rows before Sail came in.
TARGET_ROWS_PER_SECOND = {"sail": 250_000, "spark": 250_000}
TARGET_RATIO = {"sail": 1.0, "spark": 5.0}
TARGET_PEAK_BYTES = 4 * 2**30
TARGET_MEMORY_GROWTH = 0.25
CLASSIC_REFERENCE = (10_000_000, 131.6)  # (rows, whole-process seconds), README, 2026-11-22
ENGINE_LABELS = {"sail": "Sail", "spark": "Spark", "duckdb": "DuckDB"}


def _seconds(value: float | None) -> str:
    return "" if value is None else f"{value:,.1f}"


def _gib(value: int | None) -> str:
    return "n/a" if value is None else f"{value / 2**30:.2f} GiB"


def _verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def format_result(result: dict) -> str:
    engines, duckdb, rows = result["engines"], result["duckdb"], result["rows"]
    machine = result["machine"]
    runs = {**engines, "duckdb": duckdb}
    header = "".join(f"{ENGINE_LABELS[name] + ' s':>11}" for name in runs)
    stages = ["session", "clean", "session split", *(table.name for table in contract.MARTS)]
    lines = [
        f"Benchmark: {rows:,} rows ({result['csv_bytes'] / 1e6:,.0f} MB of CSV, month {result['month']}, "
        f"raw parts {result['raw_parts']}), {machine['cpus']} cores, {machine['memory_gib']} GiB, "
        f"PySpark {machine['pyspark']}, Sail {machine.get('pysail')}, DuckDB {machine['duckdb']}, "
        f"load average {result.get('load_average')}",
        f"  {'stage':<24}{header}",
        f"  {'ingest':<24}{_seconds(result['ingest']['seconds']):>11}",
    ]
    lines += [
        f"  {name:<24}" + "".join(f"{_seconds(run['stages'].get(name)):>11}" for run in runs.values())
        for name in stages
    ]
    lines += [
        f"  {'total (whole process)':<24}"
        + "".join(f"{_seconds(run['seconds']):>11}" for run in runs.values()),
        f"  {'peak memory (tree)':<24}"
        + "".join(f"{_gib(run['peak_rss_bytes']):>11}" for run in runs.values()),
        "",
    ]
    for name, run in engines.items():
        label = ENGINE_LABELS[name]
        lines += [
            f"  {label} clean + marts: {run['rows_per_second']:,.0f} rows/s, {run['mb_per_second']:,.1f} MB/s  "
            f"[target >= {TARGET_ROWS_PER_SECOND[name]:,}: {_verdict(run['rows_per_second'] >= TARGET_ROWS_PER_SECOND[name])}]",
            f"  {label}/DuckDB time ratio: {run['duckdb_ratio']:.2f}  "
            f"[target <= {TARGET_RATIO[name]:g}: {_verdict(run['duckdb_ratio'] <= TARGET_RATIO[name])}]",
            f"  {label} peak memory: {_gib(run['peak_rss_bytes'])}  "
            f"[target <= 4 GiB: {_verdict((run['peak_rss_bytes'] or 0) <= TARGET_PEAK_BYTES)}]",
        ]
        if name == "spark" and rows == CLASSIC_REFERENCE[0]:
            lines.append(
                f"  Spark vs before Sail ({CLASSIC_REFERENCE[1]} s): {run['seconds']:.1f} s  "
                f"[target no slower: {_verdict(run['seconds'] <= CLASSIC_REFERENCE[1])}]"
            )
    lines += [
        f"  ingest: {rows / result['ingest']['seconds']:,.0f} rows/s, peak memory {_gib(result['ingest']['peak_rss_bytes'])}",
        f"  marts equal in {', '.join(ENGINE_LABELS[name] for name in runs)}: "
        + ("yes" if result["match"] else "NO: " + "; ".join(result["differences"])),
    ]
    return "\n".join(lines)


def format_scale(results: list[dict]) -> str:
    """How time and memory grow between the sizes, per engine (the first size is the reference)."""
    first = results[0]
    lines = [
        "Scaling (relative to the first size)",
        f"  {'engine':<8}{'rows':>12}{'s':>10}{'time x':>8}{'rows x':>8}{'peak':>12}{'memory +':>10}",
    ]
    for name in first["engines"]:
        runs = [result["engines"][name] for result in results]
        base = runs[0]
        for result, run in zip(results, runs, strict=True):
            time_growth = run["seconds"] / base["seconds"]
            memory_growth = (run["peak_rss_bytes"] or 0) / max(base["peak_rss_bytes"] or 1, 1) - 1
            lines.append(
                f"  {ENGINE_LABELS[name]:<8}{result['rows']:>12,}{run['seconds']:>10.1f}{time_growth:>8.2f}"
                f"{result['rows'] / first['rows']:>8.2f}{_gib(run['peak_rss_bytes']):>12}{memory_growth:>+10.0%}"
            )
        last = runs[-1]
        growth = (last["peak_rss_bytes"] or 0) / max(base["peak_rss_bytes"] or 1, 1) - 1
        linear = last["seconds"] / base["seconds"] <= results[-1]["rows"] / first["rows"]
        lines.append(
            f"  {ENGINE_LABELS[name]}: memory growth {growth:+.0%} [target < +{TARGET_MEMORY_GROWTH:.0%}: "
            f"{_verdict(growth < TARGET_MEMORY_GROWTH)}]; time no worse than linear: {_verdict(linear)}"
        )
    return "\n".join(lines)
