from spark_jobs.cli import common

HELP = "clean raw files, then compute the marts for the months they contain, and print a summary"


def configure(parser):
    common.add_inputs(parser)
    common.add_lake(parser)
    common.add_engine(parser)
    common.add_months(parser, "marts for this month (default: the months found in the input)")


def run(args) -> int:
    from spark_jobs.lake import Lake
    from spark_jobs.pipeline import run_pipeline
    from spark_jobs.session import get_spark

    run_pipeline(
        get_spark("run", engine=args.engine),
        inputs=args.inputs,
        lake=Lake(args.lake),
        batch_id=args.batch_id,
        max_quarantine_share=args.max_quarantine_share,
        months=args.months,
    )
    return 0
