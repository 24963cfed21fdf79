"""The printed benchmark table: each stage's seconds for Spark and DuckDB, throughput, memory, targets."""

from __future__ import annotations

from spark_jobs import contract

# Issue 7's targets (measured here, never asserted in tests).
TARGET_ROWS_PER_SECOND = 250_000
TARGET_RATIO = 5.0
TARGET_PEAK_BYTES = 4 * 2**30
TARGET_MEMORY_GROWTH = 0.25


def _seconds(value: float | None) -> str:
    return "" if value is None else f"{value:,.1f}"


def _gib(value: int | None) -> str:
    return "n/a" if value is None else f"{value / 2**30:.2f} GiB"


def _verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def format_result(result: dict) -> str:
    spark, duckdb, rows = result["spark"], result["duckdb"], result["rows"]
    machine = result["machine"]
    stages = ["session", "clean", *(table.name for table in contract.MARTS)]
    lines = [
        f"Benchmark: {rows:,} rows ({result['csv_bytes'] / 1e6:,.0f} MB of CSV, month {result['month']}, "
        f"raw parts {result['raw_parts']}), {machine['cpus']} cores, {machine['memory_gib']} GiB, "
        f"Spark {machine['pyspark']}, DuckDB {machine['duckdb']}, load average {result.get('load_average')}",
        f"  {'stage':<24}{'Spark s':>10}{'DuckDB s':>10}",
        f"  {'ingest':<24}{_seconds(result['ingest']['seconds']):>10}{'':>10}",
    ]
    lines += [
        f"  {name:<24}{_seconds(spark['stages'].get(name)):>10}{_seconds(duckdb['stages'].get(name)):>10}"
        for name in stages
    ]
    lines += [
        f"  {'total (whole process)':<24}{_seconds(spark['seconds']):>10}{_seconds(duckdb['seconds']):>10}",
        f"  {'peak memory (tree)':<24}{_gib(spark['peak_rss_bytes']):>10}{_gib(duckdb['peak_rss_bytes']):>10}",
        "",
        f"  Spark clean + marts: {result['spark_rows_per_second']:,.0f} rows/s, "
        f"{result['spark_mb_per_second']:,.1f} MB/s  "
        f"[target >= {TARGET_ROWS_PER_SECOND:,}: {_verdict(result['spark_rows_per_second'] >= TARGET_ROWS_PER_SECOND)}]",
        f"  Spark/DuckDB time ratio: {result['spark_duckdb_ratio']:.2f}  "
        f"[target <= {TARGET_RATIO:g}: {_verdict(result['spark_duckdb_ratio'] <= TARGET_RATIO)}]",
        f"  Spark peak memory: {_gib(spark['peak_rss_bytes'])}  "
        f"[target <= 4 GiB: {_verdict((spark['peak_rss_bytes'] or 0) <= TARGET_PEAK_BYTES)}]",
        f"  ingest: {rows / result['ingest']['seconds']:,.0f} rows/s, peak memory {_gib(result['ingest']['peak_rss_bytes'])}",
        "  marts equal in both engines: "
        + ("yes" if result["match"] else "NO: " + "; ".join(result["differences"])),
    ]
    return "\n".join(lines)


def format_scale(results: list[dict]) -> str:
    """How time and memory grow between the sizes (first size is the reference)."""
    first = results[0]
    lines = [
        "Scaling (relative to the first size)",
        f"  {'rows':>12}{'Spark s':>10}{'time x':>8}{'rows x':>8}{'peak':>12}{'memory +':>10}",
    ]
    for result in results:
        time_growth = result["spark"]["seconds"] / first["spark"]["seconds"]
        memory_growth = (result["spark"]["peak_rss_bytes"] or 0) / max(
            first["spark"]["peak_rss_bytes"] or 1, 1
        ) - 1
        lines.append(
            f"  {result['rows']:>12,}{result['spark']['seconds']:>10.1f}{time_growth:>8.2f}"
            f"{result['rows'] / first['rows']:>8.2f}{_gib(result['spark']['peak_rss_bytes']):>12}{memory_growth:>+10.0%}"
        )
    last = results[-1]
    growth = (last["spark"]["peak_rss_bytes"] or 0) / max(first["spark"]["peak_rss_bytes"] or 1, 1) - 1
    linear = last["spark"]["seconds"] / first["spark"]["seconds"] <= last["rows"] / first["rows"]
    lines.append(
        f"  memory growth {growth:+.0%} [target < +{TARGET_MEMORY_GROWTH:.0%}: {_verdict(growth < TARGET_MEMORY_GROWTH)}]; "
        f"time no worse than linear: {_verdict(linear)}"
    )
    return "\n".join(lines)
