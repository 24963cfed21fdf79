"""`ingest_month`: source -> verified, bounded Parquet (or CSV) parts -> atomically published month + manifest."""

from __future__ import annotations

import contextlib
import logging
import tempfile
from collections.abc import Iterator

from spark_jobs.ingest.download import HttpBodyStream, RetryPolicy
from spark_jobs.ingest.kaggle_source import download_kaggle_file
from spark_jobs.ingest.local_source import open_path
from spark_jobs.ingest.manifest import build_manifest
from spark_jobs.ingest.progress import Progress
from spark_jobs.ingest.sources import Source, resolve_source
from spark_jobs.ingest.split import DEFAULT_PART_SIZE_MB, check_part_format, split_csv
from spark_jobs.ingest.store import PUBLISHED, open_store
from spark_jobs.logs import stage
from spark_jobs.months import parse_month

log = logging.getLogger("spark_jobs.ingest")


def ingest_month(
    *,
    month: str,
    dest: str,
    source: str = "rees46",
    force: bool = False,
    part_size_mb: float = DEFAULT_PART_SIZE_MB,
    part_format: str = "parquet",
    compress: bool = True,
    base_url: str | None = None,
    retry: RetryPolicy | None = None,
    progress_bar: bool | None = None,
) -> dict:
    """Ingest one month into `<dest>/year=YYYY/month=MM/`; returns a summary (status, uri, rows, parts).

    Skips the month when its manifest is present and every listed part matches its checksums,
    unless `force` (a month stored in the other part format is skipped too). Parts are
    `part-NNNNN.parquet` (`part_format="parquet"`) or `part-NNNNN.csv[.gz]` (`"csv"`, gzip when
    `compress`). `progress_bar=None` shows a bar only when stderr is a terminal.
    """
    check_part_format(part_format)  # before any download
    year, number = parse_month(month)
    resolved = resolve_source(source, month, base_url)
    store = open_store(dest)
    month_uri = store.month_uri(year, number)
    if not force:
        existing = store.valid_manifest(year, number)
        if existing is not None:
            log.info(
                "%s: already ingested (%s rows, %s parts, checksums match); skipping",
                month_uri,
                f"{existing['rows']:,}",
                existing.get("format", "csv"),
            )
            return _summary("skipped", month_uri, existing)
    part_size_bytes = int(part_size_mb * 1024 * 1024)
    with stage(f"ingest {month} from {resolved.uri}") as info, store.staging(year, number) as staging:
        progress = Progress(f"ingest {month}", use_bar=progress_bar)
        try:
            with _open_source(resolved, progress, retry) as stream:
                split = split_csv(
                    stream,
                    staging,
                    part_size_bytes=part_size_bytes,
                    part_format=part_format,
                    compress=compress,
                    source_name=resolved.uri,
                )
                source_bytes = stream.position
        finally:
            progress.close()
        manifest = build_manifest(
            month=month, source_uri=resolved.uri, source_bytes=source_bytes, split=split,
            part_size_bytes=part_size_bytes, part_format=part_format, compress=compress,
        )  # fmt: skip
        outcome = store.publish(staging, year, number, manifest, replace=force)
        info.update(
            rows=manifest["rows"],
            parts=len(manifest["parts"]),
            outcome=outcome.replace(" ", "_"),
            to=month_uri,
        )
    if outcome != PUBLISHED:
        return _summary("skipped", month_uri, store.valid_manifest(year, number) or manifest)
    return _summary("ingested", month_uri, manifest)


@contextlib.contextmanager
def _open_source(source: Source, progress: Progress, retry: RetryPolicy | None) -> Iterator:
    if source.kind == "http":
        with HttpBodyStream(
            source.location, retry=retry, progress=progress, valid_months=source.valid_months
        ) as s:
            yield s
    elif source.kind == "kaggle":
        with tempfile.TemporaryDirectory(prefix="ingest-kaggle-") as folder:
            with open_path(download_kaggle_file(source.location, folder), progress) as stream:
                yield stream
    else:
        with open_path(source.location, progress) as stream:
            yield stream


def _summary(status: str, month_uri: str, manifest: dict) -> dict:
    return {
        "status": status,
        "month_uri": month_uri,
        "rows": manifest["rows"],
        "parts": len(manifest["parts"]),
    }
