from spark_jobs.cli import common

HELP = "load the lake's clean events, data-quality table and marts into BigQuery or a local DuckDB file"


def configure(parser):
    common.add_lake(parser)
    common.add_months(parser, "replace this month in the warehouse (default: every month in the lake)")
    parser.add_argument(
        "--day",
        dest="days",
        action="append",
        type=common.day,
        metavar="YYYY-MM-DD",
        help="replace only this day's partitions (what a micro-batch touched); repeatable, not with --month",
    )
    parser.add_argument(
        "--skip-missing-days",
        action="store_true",
        help="with --day: leave out a day the lake has no clean events for (exit 0 when none is left)",
    )
    parser.add_argument(
        "--target", choices=("duckdb", "bigquery"), default="duckdb", help="warehouse engine (default duckdb)"
    )
    parser.add_argument(
        "--warehouse", default="data/warehouse.duckdb", help="DuckDB file (default data/warehouse.duckdb)"
    )
    parser.add_argument("--project", help="Google Cloud project (--target bigquery)")
    parser.add_argument("--dataset", help="BigQuery dataset, created when missing (--target bigquery)")
    parser.add_argument(
        "--location", default="US", help="BigQuery location of the dataset and jobs (default US)"
    )
    parser.add_argument(
        "--api-endpoint",
        help="BigQuery API endpoint with anonymous credentials, for an emulator (e.g. http://127.0.0.1:9050)",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=600.0,
        help="seconds to wait for each BigQuery call, retries included",
    )


def run(args) -> int:
    from spark_jobs.lake import Lake
    from spark_jobs.warehouse.plan import NothingToLoad

    lake = Lake(args.lake)
    try:
        return _load(args, lake)
    except NothingToLoad as nothing:
        if not args.skip_missing_days:
            raise
        print(str(nothing))
        return 0


def _load(args, lake) -> int:
    from spark_jobs.errors import UserError

    if args.target == "duckdb":
        from spark_jobs.warehouse.duckdb_loader import load_duckdb

        load_duckdb(
            lake=lake,
            warehouse=args.warehouse,
            months=args.months,
            days=args.days,
            skip_missing_days=args.skip_missing_days,
        )
        return 0
    if not args.project or not args.dataset:
        raise UserError("--target bigquery needs --project and --dataset")
    from spark_jobs.warehouse.bigquery_loader import load_bigquery

    load_bigquery(
        lake=lake,
        project=args.project,
        dataset=args.dataset,
        months=args.months,
        days=args.days,
        skip_missing_days=args.skip_missing_days,
        location=args.location,
        api_endpoint=args.api_endpoint,
        timeout=args.timeout,
    )
    return 0
