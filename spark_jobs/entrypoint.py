"""Entry script for `spark-submit` (local) and Dataproc Serverless PySpark batches.

`make package` copies this file to `dist/entrypoint.py`; it is submitted on its own, next to
`dist/spark_jobs.zip`, and forwards its arguments to `python -m spark_jobs`:

    spark-submit --py-files dist/spark_jobs.zip dist/entrypoint.py run --input ... --lake ...

Finding the package, in order:
1. already importable (`--py-files`, `spark.submit.pyFiles`, or an installed wheel);
2. shipped as a plain file (Dataproc `fileUris` / spark-submit `--files`): Spark fetches every
   `spark.files` entry into the driver's SparkFiles folder when the context starts, so the zip is
   put on `sys.path` from there (or from the working directory).
The Kestra plugin for Dataproc batches has no `pythonFileUris` property, hence step 2.
This file must stay importable without the package (it is uploaded alone), so it only uses the
standard library and pyspark.
"""

from __future__ import annotations

import os
import sys

PACKAGE_ZIP = "spark_jobs.zip"


def _zip_candidates() -> list[str]:
    candidates = [os.path.join(os.getcwd(), PACKAGE_ZIP)]
    if "PYSPARK_GATEWAY_PORT" in os.environ:  # under spark-submit: a SparkContext may be started
        from pyspark import SparkContext, SparkFiles

        SparkContext.getOrCreate()
        candidates.append(SparkFiles.get(PACKAGE_ZIP))
    return candidates


def ensure_package_importable() -> str:
    """Make `spark_jobs` importable; return where it was found."""
    try:
        import spark_jobs

        return os.path.dirname(os.path.abspath(spark_jobs.__file__))
    except ImportError:
        pass
    for candidate in _zip_candidates():
        if os.path.isfile(candidate):
            sys.path.insert(0, candidate)
            import spark_jobs  # noqa: F401  (raises if the zip is not a spark_jobs package)

            return candidate
    raise SystemExit(
        f"cannot import spark_jobs: pass {PACKAGE_ZIP} with --py-files (spark-submit) "
        f"or fileUris (Dataproc batch)"
    )


def main(argv: list[str] | None = None) -> int:
    ensure_package_importable()
    from spark_jobs.cli import main as cli_main

    return cli_main(sys.argv[1:] if argv is None else argv)


if __name__ == "__main__":
    sys.exit(main())
