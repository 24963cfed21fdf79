"""`bench`: argument parsing for spark_jobs.bench.runner.run_bench."""

from __future__ import annotations

HELP = (
    "benchmark the jobs on Sail and classic Spark on a generated month against a DuckDB baseline (make bench)"
)


def configure(parser) -> None:
    from spark_jobs.bench.runner import BENCH_ENGINES

    parser.add_argument(
        "--rows", type=int, action="append", required=True,
        help="rows of the generated month; repeat for a scaling run (e.g. --rows 5000000 --rows 20000000)",
    )  # fmt: skip
    parser.add_argument("--month", default="2019-10", help="month to generate, YYYY-MM (default 2019-10)")
    parser.add_argument("--seed", type=int, default=1, help="generator seed (default 1)")
    parser.add_argument(
        "--raw-parts", choices=("parquet", "csv.gz", "csv"), default="parquet",
        help="how the ingest step stores the raw month (default parquet, as in production)",
    )  # fmt: skip
    parser.add_argument(
        "--engine", dest="engines", action="append", choices=BENCH_ENGINES,
        help=f"engine to run the jobs on; repeatable (default: {' and '.join(BENCH_ENGINES)})",
    )  # fmt: skip
    parser.add_argument("--cache-dir", default="bench/cache", help="generated months and work folders")
    parser.add_argument("--results-dir", default="bench/results", help="latest.json and history.jsonl")


def run(args) -> int:
    from spark_jobs.bench.report import format_result, format_scale
    from spark_jobs.bench.runner import BENCH_ENGINES, run_bench, save

    results = []
    for rows in args.rows:
        result = run_bench(
            rows=rows, month=args.month, seed=args.seed, raw_parts=args.raw_parts,
            cache_dir=args.cache_dir, results_dir=args.results_dir,
            engines=tuple(args.engines or BENCH_ENGINES),
        )  # fmt: skip
        print(format_result(result), flush=True)
        results.append(result)
    if len(results) > 1:
        print(format_scale(results))
        save({"runs": results}, args.results_dir, name="scale.json", history=False)
    return 0
