"""Errors the user can act on; the CLI prints them as one line without a traceback.

Spark and Py4J errors a user can cause (a missing path, an empty folder, a damaged file, too little
memory or disk) are translated here into a sentence that says what to do (`spark_sentence`), so no
user-facing message is a Spark or Py4J exception name.
"""

from __future__ import annotations

import re


class UserError(Exception):
    """A problem the user can fix: a bad path, argument or input data. The message names it."""


# (pattern in the error's text, sentence; {0} is the pattern's first group): the first match wins
_SPARK_SENTENCES = (
    (r"\[PATH_NOT_FOUND\] Path does not exist: (\S+?)\.?(?:\s|$)", "no such file or folder: {0}"),
    (
        r"\[UNABLE_TO_INFER_SCHEMA\]",
        "a folder that should hold Parquet files holds none (an empty or unfinished table?); "
        "run the step that writes it first",
    ),
    (
        r"(?:FAILED_READ_FILE|CANNOT_READ_FILE_FOOTER)\S*\] .*?file (\S+?)\.?(?:\s|$)",
        "could not read {0}: the file is damaged or was being written by another run; "
        "rerun once no other run uses this lake",
    ),
    (r"No space left on device", "no space left on the disk Spark writes to; free some space and rerun"),
    (
        r"OutOfMemoryError|Java heap space",
        "Spark ran out of memory; give the driver more (SPARK_DRIVER_MEMORY, --driver-memory) and rerun",
    ),
    (
        r"Answer from Java side is empty|Error while receiving|Py4JNetworkError|Connection refused",
        "the Spark engine stopped during the run (often out of memory); rerun with -v for the details",
    ),
)


def is_engine_error(error: BaseException) -> bool:
    """Raised by Spark or Py4J (a Java exception surfacing in Python)."""
    return type(error).__module__.split(".")[0] in ("pyspark", "py4j")


def spark_sentence(error: BaseException) -> str | None:
    """A sentence for a Spark or Py4J error a user can cause, or None."""
    text = str(error)
    for pattern, sentence in _SPARK_SENTENCES:
        found = re.search(pattern, text)
        if found:
            return sentence.format(*found.groups())
    return None
