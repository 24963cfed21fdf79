from spark_jobs.cli import common

HELP = "the whole local pipeline on one file: ingest -> clean -> marts -> DuckDB warehouse -> HTML dashboard"


def configure(parser):
    parser.add_argument(
        "--input", required=True, help="a Kaggle-format .csv or .csv.gz file (or http(s) URL)"
    )
    parser.add_argument(
        "--month", type=common.month, help="the file's month, YYYY-MM (default: from its name)"
    )
    common.add_lake(parser)
    common.add_engine(parser)
    parser.add_argument(
        "--warehouse", default="data/warehouse.duckdb", help="DuckDB file (default %(default)s)"
    )
    parser.add_argument(
        "--dashboard",
        default="data/reports/dashboard.html",
        help="HTML report to write (default %(default)s)",
    )


def run(args) -> int:
    from spark_jobs.lake import Lake
    from spark_jobs.local_run import run_local

    run_local(
        input_path=args.input,
        lake=Lake(args.lake),
        warehouse=args.warehouse,
        dashboard=args.dashboard,
        month=args.month,
        engine=args.engine,
    )
    return 0
