from spark_jobs.cli import common

HELP = "compute every analytics mart from the clean events into lake/marts/<table>"


def configure(parser):
    common.add_lake(parser)
    common.add_engine(parser)
    common.add_months(parser, "recompute only this month (default: every month in the lake)")


def run(args) -> int:
    from spark_jobs.jobs import build_marts
    from spark_jobs.lake import Lake
    from spark_jobs.session import get_spark

    build_marts(get_spark("marts", engine=args.engine), lake=Lake(args.lake), months=args.months)
    return 0
