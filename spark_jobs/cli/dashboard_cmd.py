HELP = "write the local HTML dashboard (offline, self-contained) from the DuckDB warehouse views"


def configure(parser):
    parser.add_argument(
        "--warehouse",
        default="data/warehouse.duckdb",
        help="DuckDB warehouse file (default data/warehouse.duckdb)",
    )
    parser.add_argument(
        "--out",
        default="data/reports/dashboard.html",
        help="HTML file to write (default data/reports/dashboard.html)",
    )


def run(args) -> int:
    from spark_jobs.dashboard.job import build_dashboard

    print(build_dashboard(warehouse=args.warehouse, out=args.out))
    return 0
