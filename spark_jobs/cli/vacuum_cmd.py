from spark_jobs.cli import common

HELP = "remove what killed runs left in the lake (staging folders, half-written Spark output)"


def configure(parser):
    common.add_lake(parser)
    parser.add_argument(
        "--min-age-seconds",
        type=float,
        default=None,
        help="leave hidden folders inside tables younger than this (default: one hour)",
    )


def run(args) -> int:
    from spark_jobs.lake import Lake
    from spark_jobs.vacuum import LEFTOVER_AGE_S, vacuum

    counts = vacuum(
        Lake(args.lake), args.min_age_seconds if args.min_age_seconds is not None else LEFTOVER_AGE_S
    )
    print(
        f"vacuum {args.lake}: {counts['finished']} interrupted commits finished, "
        f"{counts['removed']} dead staging folders and {counts['leftovers']} leftovers removed"
    )
    return 0
