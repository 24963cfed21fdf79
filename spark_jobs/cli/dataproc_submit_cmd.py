import argparse

HELP = (
    "run the job as a Dataproc Serverless PySpark batch and wait for it (what Kestra's dataproc flow calls)"
)


def configure(parser):
    from spark_jobs.dataproc.submit import DEFAULT_CANCEL_WAIT_SECONDS, DEFAULT_TIMEOUT_SECONDS

    parser.add_argument("--project", required=True, help="Google Cloud project of the batch")
    parser.add_argument("--region", required=True, help="Dataproc region, e.g. europe-west1")
    parser.add_argument(
        "--batch-id",
        required=True,
        help="4-63 lowercase letters, digits, hyphens; an existing one is followed",
    )
    parser.add_argument("--main", required=True, help="gs:// URI of the entry script (dist/entrypoint.py)")
    parser.add_argument(
        "--py-file",
        action="append",
        dest="py_files",
        default=[],
        help="gs:// URI of spark_jobs.zip; repeatable",
    )
    parser.add_argument(
        "--upload",
        action="append",
        dest="uploads",
        metavar="LOCAL=gs://BUCKET/OBJECT",
        help="copy a local file (dist/spark_jobs.zip, dist/entrypoint.py) to GCS before submitting; repeatable",
    )
    parser.add_argument("--runtime-version", help="Dataproc Serverless runtime, e.g. 2.2")
    parser.add_argument("--service-account", help="service account the batch runs as")
    parser.add_argument("--subnetwork", help="subnetwork URI (needs Private Google Access)")
    parser.add_argument(
        "--property",
        action="append",
        dest="properties",
        metavar="KEY=VALUE",
        help="Spark property over the recommended ones (spark_jobs/dataproc/batch.py); repeatable",
    )
    parser.add_argument("--label", action="append", dest="labels", metavar="KEY=VALUE", help="batch label")
    parser.add_argument("--poll-seconds", type=float, default=15.0, help="seconds between state checks")
    parser.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT_SECONDS,
        help="seconds to wait for the batch, then it is cancelled (default %(default).0f); stopped by "
        "SIGTERM (Kestra's timeout or kill), the command cancels the batch too",
    )
    parser.add_argument(
        "--cancel-wait",
        type=float,
        default=DEFAULT_CANCEL_WAIT_SECONDS,
        help="seconds to wait for a cancelled batch to end before exiting (default %(default).0f)",
    )
    parser.add_argument(
        "--api-endpoint", help="Dataproc API root without credentials, for a stand-in server (tests)"
    )
    parser.add_argument(
        "job_args", nargs=argparse.REMAINDER, metavar="-- COMMAND ...", help="what the batch runs, after --"
    )


def run(args) -> int:
    from spark_jobs.dataproc.batch import RECOMMENDED_PROPERTIES, PySparkBatch, check_batch_id, parse_pairs
    from spark_jobs.dataproc.staging import parse_uploads, upload_files
    from spark_jobs.dataproc.submit import DEFAULT_ENDPOINT, http_session, run_batch
    from spark_jobs.errors import UserError

    job_args = args.job_args[1:] if args.job_args[:1] == ["--"] else args.job_args
    if not job_args:
        raise UserError("dataproc-submit needs the batch's command after --, e.g. -- run --input ...")
    uploads = parse_uploads(args.uploads)
    batch = PySparkBatch(
        main_python_file_uri=args.main,
        args=tuple(job_args),
        python_file_uris=tuple(args.py_files),
        runtime_version=args.runtime_version,
        properties={**RECOMMENDED_PROPERTIES, **parse_pairs(args.properties, "--property")},
        service_account=args.service_account,
        subnetwork_uri=args.subnetwork,
        labels=parse_pairs(args.labels, "--label"),
    )
    check_batch_id(args.batch_id)
    batch.body()  # a batch Dataproc would refuse is refused before anything is uploaded
    upload_files(uploads, project=args.project)
    run_batch(
        http_session(args.api_endpoint),
        project=args.project,
        region=args.region,
        batch_id=args.batch_id,
        batch=batch,
        endpoint=args.api_endpoint or DEFAULT_ENDPOINT,
        poll_seconds=args.poll_seconds,
        timeout_seconds=args.timeout,
        cancel_wait_seconds=args.cancel_wait,
    )
    return 0
