from spark_jobs.cli import common

HELP = "clean files as they land (Structured Streaming, exactly once) into the lake and its daily marts"


def configure(parser):
    common.add_lake(parser)
    parser.add_argument("--landing", help="landing zone, a folder or gs:// prefix (default <lake>/landing)")
    parser.add_argument(
        "--trigger",
        default="available-now",
        help="available-now (process what has landed, then exit; the default) or '<N> seconds' "
        "(run until SIGTERM / Ctrl-C, which stop it after the current micro-batch)",
    )
    parser.add_argument(
        "--max-files-per-batch", type=int, metavar="N", help="at most N files per micro-batch"
    )
    parser.add_argument(
        "--lateness",
        default="2 days",
        help="how far behind the newest event time an event counts as on time (default '2 days')",
    )
    parser.add_argument(
        "--months-every",
        type=float,
        default=15,
        metavar="MINUTES",
        help="refresh the monthly marts and sessions of touched months at most this often (default 15)",
    )
    parser.add_argument(
        "--from-scratch",
        action="store_true",
        help="forget the checkpoint and the stream's batches and read the whole landing zone again",
    )


def run(args) -> int:
    from spark_jobs.lake import Lake
    from spark_jobs.session import get_spark
    from spark_jobs.streaming.job import run_stream

    run_stream(
        get_spark("stream"),
        lake=Lake(args.lake),
        landing_path=args.landing,
        trigger=args.trigger,
        max_files_per_batch=args.max_files_per_batch,
        lateness=args.lateness,
        from_scratch=args.from_scratch,
        months_every_seconds=args.months_every * 60,
    )
    return 0
