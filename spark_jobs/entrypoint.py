"""Entry script for `spark-submit` (local) and Dataproc Serverless PySpark batches.

`make package` copies this file to `dist/entrypoint.py`; it is submitted on its own, with
`dist/spark_jobs.zip` as its Python file, and forwards its arguments to `python -m spark_jobs`:

    spark-submit --py-files dist/spark_jobs.zip dist/entrypoint.py run --input ... --lake ...

On Dataproc the zip is the batch's `pythonFileUris` (`python -m spark_jobs dataproc-submit --py-file`).
This file must stay importable without the package (it is uploaded alone), so it only uses the
standard library.
"""

from __future__ import annotations

import os
import sys

PACKAGE_ZIP = "spark_jobs.zip"


def ensure_package_importable() -> str:
    """Check that `spark_jobs` is importable (from the zip or an installed wheel); return where from."""
    try:
        import spark_jobs
    except ImportError:
        raise SystemExit(
            f"cannot import spark_jobs: pass {PACKAGE_ZIP} with --py-files (spark-submit) "
            f"or as a Python file of the batch (Dataproc pythonFileUris)"
        ) from None
    return os.path.dirname(os.path.abspath(spark_jobs.__file__))


def main(argv: list[str] | None = None) -> int:
    ensure_package_importable()
    from spark_jobs.cli import main as cli_main

    return cli_main(sys.argv[1:] if argv is None else argv)


if __name__ == "__main__":
    sys.exit(main())
