from spark_jobs.cli import common

HELP = "rewrite days of clean events as the batch job would (few files, no late duplicates) and rebuild their marts"


def configure(parser):
    common.add_lake(parser)
    common.add_engine(parser)
    common.add_days(parser, "compact this day")
    common.add_months(parser, "compact every stored day of this month")


def run(args) -> int:
    from spark_jobs.errors import UserError
    from spark_jobs.lake import Lake
    from spark_jobs.session import get_spark
    from spark_jobs.streaming.compact import compact

    if not args.days and not args.months:
        raise UserError("compact: give --day YYYY-MM-DD or --month YYYY-MM")
    compact(
        get_spark("compact", engine=args.engine), lake=Lake(args.lake), days=args.days, months=args.months
    )
    return 0
