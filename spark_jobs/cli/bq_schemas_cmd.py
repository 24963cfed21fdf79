HELP = "write bigquery/schemas/<table>.json and bigquery/ddl/<table>.sql from the table contract"


def configure(parser):
    parser.add_argument("--out", help="folder to write into (default: the repository's bigquery/ folder)")


def run(args) -> int:
    from pathlib import Path

    from spark_jobs.warehouse.artifacts import BIGQUERY_DIR, write_files

    for path in write_files(root=Path(args.out) if args.out else BIGQUERY_DIR):
        print(path)
    return 0
