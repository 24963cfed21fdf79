HELP = "print a Looker Studio Linking API URL that creates a report on the warehouse views"


def configure(parser):
    parser.add_argument("--project", required=True, help="Google Cloud project holding the dataset")
    parser.add_argument("--dataset", required=True, help="BigQuery dataset the load command filled")
    parser.add_argument("--report-id", help="template report to copy (default: a blank report)")
    parser.add_argument("--report-name", default="Clickstream analytics", help="name of the new report")


def run(args) -> int:
    from spark_jobs.warehouse.looker import looker_studio_url

    print(
        looker_studio_url(
            project=args.project, dataset=args.dataset, report_id=args.report_id, report_name=args.report_name
        )
    )
    return 0
