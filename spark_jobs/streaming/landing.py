"""The landing zone: which files are events, how each kind is read, and which files are refused.

Kaggle-format CSV (`.csv`, `.csv.gz`, with the Kaggle header) and newline-delimited JSON objects with
the nine raw fields (`.json`, `.jsonl`, `.ndjson`, optionally `.gz`, as a web collector or a Pub/Sub
Cloud Storage subscription writes them). Both become the raw string columns + `_corrupt_record` +
`source_file` + `row_id` that `clean.validate` takes, so every rule applies unchanged. A JSON line that
is not an object (or not JSON) gets `_corrupt_record` and is quarantined as malformed_row.

A file is refused whole, before any of its lines is used, when its first line is not the Kaggle
header (`bad_header`) or it cannot be decoded (`unreadable_file`, e.g. a truncated `.csv.gz`).
Zero-byte files hold no line: Spark's file scans skip them, so they add nothing and refuse nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T

from spark_jobs import clean, lake_io

log = logging.getLogger("spark_jobs.stream")

CSV_SUFFIXES = (".csv", ".csv.gz")
JSON_SUFFIXES = (".json", ".jsonl", ".ndjson", ".json.gz", ".jsonl.gz", ".ndjson.gz")
# Spark's pathGlobFilter for the landing zone (names starting with `.` or `_` are never listed, so a
# writer lands a file atomically by writing it under such a name and renaming it)
FILE_GLOB = "*.{csv,gz,json,jsonl,ndjson}"
REJECTIONS = ("bad_header", "unreadable_file")


class LandedFileError(Exception):
    """A landed file that cannot be used; `reason` is one of REJECTIONS."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass
class LandedFiles:
    """A micro-batch's files split into those read and those refused (path -> (reason, message))."""

    csv: list[str] = field(default_factory=list)
    json: list[str] = field(default_factory=list)
    rejected: dict[str, tuple[str, str]] = field(default_factory=dict)

    @property
    def readable(self) -> list[str]:
        return self.csv + self.json

    def reject(self, path: str, reason: str, message: str) -> None:
        log.warning("landed file refused (%s): %s: %s", reason, path, message)
        self.rejected[path] = (reason, message)
        for kind in (self.csv, self.json):
            if path in kind:
                kind.remove(path)


def is_csv(path: str) -> bool:
    return path.lower().endswith(CSV_SUFFIXES)


def is_json(path: str) -> bool:
    return path.lower().endswith(JSON_SUFFIXES)


def header_matches(line: str) -> bool:
    """The Kaggle header, in order (a byte-order mark, quotes, case and surrounding blanks allowed)."""
    names = [name.strip().strip('"').lower() for name in line.lstrip("\ufeff").strip().split(",")]
    return tuple(names) == clean.RAW_COLUMNS


def sort_files(spark: SparkSession, paths: list[str]) -> LandedFiles:
    """Split by kind and refuse CSV files whose first line is not the Kaggle header."""
    files = LandedFiles()
    for path in sorted(paths):
        if is_csv(path):
            files.csv.append(path)
            try:
                first = lake_io.read_first_line(path)
            except Exception as error:  # py4j wraps the JVM's IOException
                files.reject(path, "unreadable_file", _root_cause(error))
                continue
            if first is not None and not header_matches(first):
                files.reject(path, "bad_header", f"first line is not the Kaggle header: {first[:120]!r}")
        elif is_json(path):
            files.json.append(path)
        else:  # a .gz that is neither CSV nor JSON lines (the glob lets every .gz through)
            files.reject(path, "unreadable_file", "not a .csv, .csv.gz or JSON-lines file")
    return files


# What a landed file's lines give: the 9 raw strings and the corrupt-record text (clean.RAW_SCHEMA's
# other two columns, source_file and row_id, are added from the file's metadata below).
LINE_SCHEMA = T.StructType(
    [field for field in clean.RAW_SCHEMA.fields if field.name in (*clean.RAW_COLUMNS, clean.CORRUPT)]
)


def read_files(spark: SparkSession, csv: list[str], json: list[str]) -> DataFrame:
    """The raw columns of every line of the files, with source_file and row_id (as jobs.read_raw)."""
    frames = []
    if csv:
        frames.append(_permissive(spark).option("header", True).csv(csv))
    if json:
        frames.append(_permissive(spark).json(json))
    columns = [*LINE_SCHEMA.fieldNames(), F.col("_metadata.file_path").alias("source_file")]
    raw = frames[0].select(*columns)
    for frame in frames[1:]:
        raw = raw.unionByName(frame.select(*columns))
    return raw.select("*", F.monotonically_increasing_id().alias("row_id"))


def _permissive(spark: SparkSession):
    return (
        spark.read.schema(LINE_SCHEMA)
        .option("mode", "PERMISSIVE")
        .option("columnNameOfCorruptRecord", clean.CORRUPT)
    )


def probe(spark: SparkSession, path: str) -> None:
    """Decode every line of one file; raise LandedFileError when it cannot be read."""
    frame = read_files(spark, [path] if is_csv(path) else [], [] if is_csv(path) else [path])
    try:
        frame.select(F.count(F.hash(*LINE_SCHEMA.fieldNames()))).collect()
    except Exception as error:
        raise LandedFileError("unreadable_file", _root_cause(error)) from None


def _root_cause(error: BaseException) -> str:
    """The deepest `Caused by:` line of a JVM error (e.g. `java.io.EOFException: Unexpected end of input stream`)."""
    lines = [line.strip() for line in str(error).splitlines()]
    causes = [line[len("Caused by: ") :] for line in lines if line.startswith("Caused by: ")]
    if causes:
        return causes[-1]
    first = next((line for line in lines if line), type(error).__name__)
    return first[:300]
