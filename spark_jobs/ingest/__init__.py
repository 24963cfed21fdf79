"""Ingestion: one month of REES46/Kaggle events from a URL, Kaggle or a local file into the raw zone.

The month is stored as bounded parts, Parquet by default (the 9 raw columns and `_corrupt_record`, all
strings) or CSV carrying the Kaggle header, plus `_manifest.json`,
published atomically to `<dest>/year=YYYY/month=MM/` (a local folder or a gs:// prefix).
Entry point: `spark_jobs.ingest.job.ingest_month`.
"""
