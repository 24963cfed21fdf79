"""Downloading a month from the Kaggle dataset through the official `kaggle` package.

The package is optional (`pip install 'spark-jobs[kaggle]'`) and imported only here, after the
credentials are known to exist: importing it without them prints a long help text.
"""

from __future__ import annotations

import glob
import logging
import os

from spark_jobs.errors import UserError
from spark_jobs.ingest.sources import KAGGLE_DATASET

log = logging.getLogger("spark_jobs.ingest")


def kaggle_credentials_present(environ=os.environ) -> bool:
    if environ.get("KAGGLE_USERNAME") and environ.get("KAGGLE_KEY"):
        return True
    if environ.get("KAGGLE_API_TOKEN"):
        return True
    config_dir = environ.get("KAGGLE_CONFIG_DIR") or os.path.join(os.path.expanduser("~"), ".kaggle")
    return any(os.path.isfile(os.path.join(config_dir, name)) for name in ("kaggle.json", "access_token"))


def download_kaggle_file(file_name: str, into_dir: str) -> str:
    """Download one file of the dataset into `into_dir`; returns the local path (.csv or .zip)."""
    if not kaggle_credentials_present():
        raise UserError(
            "--source kaggle: no Kaggle credentials; set KAGGLE_USERNAME and KAGGLE_KEY, or put kaggle.json "
            "into ~/.kaggle/ (https://www.kaggle.com/settings/api), or use --source rees46"
        )
    try:
        from kaggle.api.kaggle_api_extended import KaggleApi
    except ImportError as error:
        raise UserError(
            f"--source kaggle needs the kaggle package ({error}); pip install 'spark-jobs[kaggle]'"
        ) from error
    api = KaggleApi()
    api.authenticate()
    log.info("downloading %s from Kaggle dataset %s", file_name, KAGGLE_DATASET)
    api.dataset_download_file(KAGGLE_DATASET, file_name, path=into_dir, force=True, quiet=False)
    found = sorted(glob.glob(os.path.join(glob.escape(into_dir), glob.escape(file_name) + "*")))
    if not found:
        raise UserError(f"Kaggle download of {KAGGLE_DATASET}/{file_name} produced no file in {into_dir}")
    return found[0]
