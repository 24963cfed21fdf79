HELP = "print the table contract (every table, column, type, grain) as Markdown or JSON"


def configure(parser):
    parser.add_argument("--format", choices=("markdown", "json"), default="markdown")


def run(args) -> int:
    import json

    from spark_jobs.contract import TABLES
    from spark_jobs.contract_docs import contract_markdown
    from spark_jobs.schemas import bigquery_schema

    if args.format == "json":
        print(json.dumps({table.name: bigquery_schema(table) for table in TABLES}, indent=2))
    else:
        print(contract_markdown())
    return 0
