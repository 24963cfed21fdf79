"""`ingest`: argument parsing for spark_jobs.ingest.job.ingest_month."""

from __future__ import annotations

import json

HELP = (
    "download/copy one month (REES46, Kaggle, URL or file) into the raw zone as verified Parquet "
    "(or CSV) parts"
)


def configure(parser) -> None:
    from spark_jobs.ingest.sources import KAGGLE_MONTHS, REES46_BASE_URL, REES46_MONTHS
    from spark_jobs.ingest.split import DEFAULT_PART_SIZE_MB, PART_FORMATS

    parser.add_argument("--month", required=True, help="month to ingest, YYYY-MM (e.g. 2019-10)")
    parser.add_argument(
        "--source",
        default="rees46",
        help=f"rees46 (default; {REES46_MONTHS[0]}..{REES46_MONTHS[-1]}), kaggle ({', '.join(KAGGLE_MONTHS)}; "
        "needs KAGGLE_USERNAME/KAGGLE_KEY or ~/.kaggle/kaggle.json), an http(s):// URL, or a local "
        ".csv/.csv.gz/.zip path",
    )
    parser.add_argument(
        "--dest",
        required=True,
        help="raw zone root: gs://BUCKET/PREFIX or a local directory (e.g. data/lake/raw)",
    )
    parser.add_argument(
        "--force", action="store_true", help="re-ingest even if the month is already complete"
    )
    parser.add_argument(
        "--part-size-mb",
        type=float,
        default=DEFAULT_PART_SIZE_MB,
        help=f"uncompressed CSV size of each part (default {DEFAULT_PART_SIZE_MB})",
    )
    parser.add_argument(
        "--part-format",
        choices=PART_FORMATS,
        default="parquet",
        help="parquet (default): part-NNNNN.parquet, zstd, the 9 raw columns and _corrupt_record as "
        "strings; csv: part-NNNNN.csv[.gz], each starting with the Kaggle header",
    )
    parser.add_argument(
        "--compression",
        choices=("gzip", "none"),
        default="gzip",
        help="how csv parts are stored (default gzip); ignored for parquet parts, which are always zstd",
    )
    parser.add_argument("--base-url", default=None, help=f"rees46 base URL (default {REES46_BASE_URL})")


def run(args) -> int:
    from spark_jobs.ingest.job import ingest_month

    summary = ingest_month(
        month=args.month,
        dest=args.dest,
        source=args.source,
        force=args.force,
        part_size_mb=args.part_size_mb,
        part_format=args.part_format,
        compress=args.compression == "gzip",
        base_url=args.base_url,
    )
    print(json.dumps(summary))
    return 0
