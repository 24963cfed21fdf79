"""Ingestion: one month of REES46/Kaggle events from a URL, Kaggle or a local file into the raw zone.

The month is stored as bounded CSV parts that all carry the Kaggle header, plus `_manifest.json`,
published atomically to `<dest>/year=YYYY/month=MM/` (a local folder or a gs:// prefix).
Entry point: `spark_jobs.ingest.job.ingest_month`.
"""
