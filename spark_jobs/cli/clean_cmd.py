from spark_jobs.cli import common

HELP = "clean raw files into lake/clean/events, lake/quarantine and a data-quality report"


def configure(parser):
    common.add_inputs(parser)
    common.add_lake(parser)
    common.add_engine(parser)


def run(args) -> int:
    from spark_jobs.jobs import clean_batch
    from spark_jobs.lake import Lake
    from spark_jobs.session import get_spark

    clean_batch(
        get_spark("clean", engine=args.engine),
        inputs=args.inputs,
        lake=Lake(args.lake),
        batch_id=args.batch_id,
        max_quarantine_share=args.max_quarantine_share,
    )
    return 0
