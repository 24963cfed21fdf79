"""Load the lake into BigQuery with load jobs (Parquet only, no streaming) and replace whole months atomically.

1. plan: list the lake folders, check every Parquet footer against the contract (nothing changed yet);
2. look the dataset up (created only when missing) and create any missing table (partitioning, clustering from the contract); check that
   existing tables still match the contract;
3. stage: one load job per lake folder into its own staging table (the partition column lives in the
   folder name, so step 4 sets it from the folder's value);
4. replace: one multi-statement transaction deletes the loaded months (or batches) of every table and
   inserts the staged rows; a failure rolls back everything. Partition decorators (`table$20191001`)
   would do the same on BigQuery, but the emulators reject them;
5. verify rows per partition against the Parquet footers, then (re)create the views; drop staging tables.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import uuid
from dataclasses import dataclass

from spark_jobs import schemas
from spark_jobs.contract import Table
from spark_jobs.errors import UserError
from spark_jobs.lake import Lake
from spark_jobs.logs import stage
from spark_jobs.warehouse import sql, validate
from spark_jobs.warehouse.ddl import bigquery_table
from spark_jobs.warehouse.plan import LoadPlan, TablePlan, plan_load
from spark_jobs.warehouse.sources import Slice

log = logging.getLogger("spark_jobs.warehouse.bigquery")

DEFAULT_LOCATION = "US"
STAGING_PREFIX = "_staging_"
LEGACY_TYPES = {"INTEGER": "INT64", "FLOAT": "FLOAT64", "BOOLEAN": "BOOL"}


@dataclass(frozen=True)
class Calls:
    """Explicit timeout and retry for every API call, and labels for every job."""

    timeout: float
    retry: object
    labels: dict[str, str]
    location: str

    def job(self, job):
        return job.result(timeout=self.timeout, retry=self.retry)


def make_client(project: str, location: str, api_endpoint: str | None = None):
    """A client with the default credentials, or anonymous ones for an emulator at `api_endpoint`."""
    from google.cloud import bigquery

    if not api_endpoint:
        return bigquery.Client(project=project, location=location)
    from google.api_core.client_options import ClientOptions
    from google.auth.credentials import AnonymousCredentials

    options = ClientOptions(api_endpoint=api_endpoint)
    return bigquery.Client(
        project=project, location=location, credentials=AnonymousCredentials(), client_options=options
    )


def load_bigquery(
    *,
    lake: Lake,
    project: str,
    dataset: str,
    months: list[str] | None = None,
    location: str = DEFAULT_LOCATION,
    days: list[str] | None = None,
    skip_missing_days: bool = False,
    client=None,
    api_endpoint: str | None = None,
    timeout: float = 600.0,
) -> dict[str, int]:
    """Replace the loaded months (or days) in every warehouse table of `project.dataset`; return rows per table."""
    from google.api_core.retry import Retry

    validate.check_name("project", project)
    validate.check_name("dataset", dataset)
    plan = plan_load(lake, months, days=days, skip_missing_days=skip_missing_days)
    for table_plan in plan.tables:
        validate.check_name("table", table_plan.table.name)
    views = sql.view_files()
    run_id = uuid.uuid4().hex[:12]
    calls = Calls(
        timeout=timeout,
        retry=Retry(initial=1.0, maximum=30.0, multiplier=2.0, timeout=timeout),
        labels={"app": "clickstream", "step": "warehouse-load", "run_id": run_id},
        location=location,
    )
    client = client or make_client(project, location, api_endpoint)
    with stage("load bigquery") as info:
        ensure_dataset(client, project, dataset, calls)
        _ensure_tables(client, [tp.table for tp in plan.tables], project, dataset, calls)
        staged: dict[Slice, str] = {}
        try:
            for table_plan in plan.tables:
                for piece in table_plan.slices:
                    staged[piece] = _staging_name(
                        piece, project, dataset, run_id
                    )  # dropped even if its load fails
                    _stage(client, piece, staged[piece], calls)
            _replace(client, plan, staged, project, dataset, calls)
        finally:
            for name in staged.values():
                client.delete_table(name, not_found_ok=True, timeout=calls.timeout, retry=calls.retry)
        for table_plan in plan.tables:
            _verify(client, table_plan, project, dataset, calls)
        for path in views:
            _query(client, sql.bigquery_create_view(path, project, dataset), calls)
        info.update(
            months=",".join(plan.days or plan.months), rows=plan.total_rows, views=len(views), dataset=dataset
        )
    return {tp.table.name: sum(s.rows for s in tp.slices) for tp in plan.tables}


def _query(client, statement: str, calls: Calls):
    from google.cloud import bigquery

    config = bigquery.QueryJobConfig(labels=calls.labels, use_legacy_sql=False)
    # job_retry re-runs a failed job (the default keeps trying for 10 minutes); a rerun is safe:
    # the replace script is one transaction and every other statement is idempotent.
    job = client.query(
        statement,
        job_config=config,
        location=calls.location,
        timeout=calls.timeout,
        retry=calls.retry,
        job_retry=calls.retry,
    )
    return job.result(timeout=calls.timeout, retry=calls.retry, job_retry=calls.retry)


def ensure_dataset(client, project: str, dataset: str, calls: Calls) -> None:
    """Look the dataset up and create it only when it is missing.

    Terraform creates the dataset and gives the loader `roles/bigquery.dataEditor` on it, which has no
    `bigquery.datasets.create`: BigQuery checks that permission before it looks for the dataset, and
    `create_dataset(exists_ok=True)` only swallows a 409, so creating first would fail every load with
    a 403. A refused lookup or creation names the role that is missing.
    """
    from google.api_core.exceptions import Forbidden, NotFound
    from google.cloud import bigquery

    ref = f"{project}.{dataset}"
    try:
        existing = client.get_dataset(ref, timeout=calls.timeout, retry=calls.retry)
    except NotFound:
        existing = None
    except Forbidden as error:
        raise UserError(
            f"BigQuery refused to read dataset {ref} ({error.message}): grant this identity "
            f"roles/bigquery.dataEditor on the dataset (terraform/iam.tf does it for the Kestra account)"
        ) from error
    if existing is not None:
        if existing.location and existing.location.lower() != calls.location.lower():
            raise UserError(
                f"BigQuery dataset {ref} is in {existing.location}, not {calls.location}: "
                f"pass --location {existing.location}"
            )
        return
    wanted = bigquery.Dataset(ref)
    wanted.location = calls.location
    wanted.labels = {"app": "clickstream"}
    try:  # exists_ok: another load may have created it since the lookup (409)
        client.create_dataset(wanted, exists_ok=True, timeout=calls.timeout, retry=calls.retry)
    except Forbidden as error:
        raise UserError(
            f"BigQuery dataset {ref} does not exist and this identity may not create it ({error.message}): "
            f"create it with Terraform (terraform/bigquery.tf), or grant bigquery.datasets.create on project "
            f"{project} (roles/bigquery.dataEditor or roles/bigquery.user on the project)"
        ) from error
    log.info("created dataset %s in %s", ref, calls.location)


def _ensure_tables(client, tables: list[Table], project: str, dataset: str, calls: Calls) -> None:
    """Check every existing table against the contract first, then create the missing ones."""
    from google.api_core.exceptions import NotFound

    missing = []
    for table in tables:
        ref = f"{project}.{dataset}.{table.name}"
        try:
            existing = client.get_table(ref, timeout=calls.timeout, retry=calls.retry)
        except NotFound:
            missing.append(table)
            continue
        actual = [
            (f.name, LEGACY_TYPES.get(f.field_type, f.field_type), f.mode or "NULLABLE")
            for f in existing.schema
        ]
        expected = [(f["name"], f["type"], f["mode"]) for f in schemas.bigquery_schema(table)]
        if actual != expected:
            raise UserError(
                f"BigQuery table {ref} has schema {actual}, the contract says {expected}; migrate it first"
            )
    for table in missing:
        client.create_table(bigquery_table(table, project, dataset), timeout=calls.timeout, retry=calls.retry)
        log.info("created table %s.%s.%s", project, dataset, table.name)


def _staging_name(piece: Slice, project: str, dataset: str, run_id: str) -> str:
    suffix = re.sub(r"[^A-Za-z0-9_]", "", piece.key)  # 2019-10-01 -> 20191001
    return f"{project}.{dataset}.{STAGING_PREFIX}{piece.table.name}_{suffix}_{run_id}"


def _stage(client, piece: Slice, name: str, calls: Calls) -> None:
    """Load one lake folder into a fresh staging table; check its row count against the Parquet footers.

    Local files are uploaded one by one. A gs:// folder is one load job with hive partitioning options,
    so BigQuery (and the emulator's DuckDB, which detects hive folders by itself) adds the partition
    column from the folder name; the staging table has it as its last column.
    """
    from google.api_core.exceptions import GoogleAPICallError
    from google.cloud import bigquery

    table = piece.table
    remote = piece.uri.startswith("gs://")
    fields = [dict(field, mode="NULLABLE") for field in schemas.bigquery_schema(table)]
    order = [c.name for c in validate.file_columns(table)]
    if remote and table.partition_column:
        order.append(table.partition_column)
    by_name = {field["name"]: field for field in fields}
    staging = bigquery.Table(name, schema=[bigquery.SchemaField.from_api_repr(by_name[n]) for n in order])
    staging.expires = dt.datetime.now(dt.timezone.utc) + dt.timedelta(
        days=1
    )  # leftovers of a killed run expire
    client.create_table(staging, timeout=calls.timeout, retry=calls.retry)
    labels = dict(calls.labels, table=table.name)
    try:
        if remote:
            config = bigquery.LoadJobConfig(
                source_format="PARQUET", write_disposition="WRITE_TRUNCATE", labels=labels
            )
            if table.partition_column:
                hive = bigquery.HivePartitioningOptions()
                hive.mode = "CUSTOM"
                hive.source_uri_prefix = f"{piece.uri.rsplit('/', 1)[0]}/{{{table.partition_column}:DATE}}"
                config.hive_partitioning = hive
            job = client.load_table_from_uri(
                f"{piece.uri}/*.parquet",
                name,
                job_config=config,
                location=calls.location,
                timeout=calls.timeout,
            )
            calls.job(job)
        else:
            for index, path in enumerate(piece.files):
                disposition = "WRITE_TRUNCATE" if index == 0 else "WRITE_APPEND"
                config = bigquery.LoadJobConfig(
                    source_format="PARQUET", write_disposition=disposition, labels=labels
                )
                with open(path, "rb") as handle:
                    job = client.load_table_from_file(
                        handle, name, job_config=config, location=calls.location, timeout=calls.timeout
                    )
                calls.job(job)
    except GoogleAPICallError as error:  # name the lake folder: job errors name a temp upload
        raise RuntimeError(f"load job for {piece.uri} failed: {error}") from error
    staged_rows = client.get_table(name, timeout=calls.timeout, retry=calls.retry).num_rows
    if staged_rows != piece.rows:
        raise RuntimeError(
            f"staging {piece.uri}: {staged_rows} rows loaded, the Parquet files hold {piece.rows}"
        )


def _replace(
    client, plan: LoadPlan, staged: dict[Slice, str], project: str, dataset: str, calls: Calls
) -> None:
    statements = ["BEGIN TRANSACTION;"]
    for table_plan in plan.tables:
        target = f"`{project}.{dataset}.{table_plan.table.name}`"
        statements.append(f"DELETE FROM {target} WHERE {table_plan.replace_predicate()};")
        if table_plan.slices:
            columns = ", ".join(table_plan.table.column_names)
            selects = "\nUNION ALL\n".join(
                _select_staged(table_plan.table, s, staged[s]) for s in table_plan.slices
            )
            statements.append(f"INSERT INTO {target} ({columns})\n{selects};")
    statements.append("COMMIT TRANSACTION;")
    _query(client, "\n".join(statements), calls)


def _select_staged(table: Table, piece: Slice, staging: str) -> str:
    def expression(name: str) -> str:
        return f"DATE '{piece.key}' AS {name}" if name == table.partition_column else name

    return f"SELECT {', '.join(expression(name) for name in table.column_names)} FROM `{staging}`"


def _verify(client, table_plan: TablePlan, project: str, dataset: str, calls: Calls) -> None:
    table = table_plan.table
    key = table.partition_column or "batch_id"
    rows = _query(
        client,
        f"SELECT CAST({key} AS STRING) AS partition_key, COUNT(*) AS row_count "
        f"FROM `{project}.{dataset}.{table.name}` WHERE {table_plan.replace_predicate()} GROUP BY partition_key",
        calls,
    )
    actual = {row["partition_key"]: row["row_count"] for row in rows}
    expected = table_plan.expected_rows()
    if actual != expected:
        raise RuntimeError(
            f"{project}.{dataset}.{table.name}: rows per {key} after load {actual} differ from the lake's {expected}"
        )
    log.info("%s: %s rows verified in %s partition(s)", table.name, f"{sum(actual.values()):,}", len(actual))
