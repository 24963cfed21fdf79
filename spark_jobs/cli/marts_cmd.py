from spark_jobs.cli import common

HELP = "compute every analytics mart from the clean events into lake/marts/<table>"


def configure(parser):
    common.add_lake(parser)
    common.add_months(parser, "recompute only this month (default: every month in the lake)")
    common.add_days(parser, "recompute only the daily marts of this day (with --month: both)")


def run(args) -> int:
    from spark_jobs.jobs import build_marts
    from spark_jobs.lake import Lake
    from spark_jobs.session import get_spark

    spark, lake = get_spark("marts"), Lake(args.lake)
    if args.days:
        build_marts(spark, lake=lake, days=args.days)
    if args.months or not args.days:
        build_marts(spark, lake=lake, months=args.months)
    return 0
