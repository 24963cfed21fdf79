"""Dataproc Serverless: the batch a month runs as (`batch`) and its submission over the REST API (`submit`)."""
