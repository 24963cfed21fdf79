"""A Looker Studio Linking API URL that creates a report wired to the warehouse views.

Each view becomes one BigQuery data source (`ds.<alias>.*` parameters) with alias `ds0`, `ds1`, ... in
the order of `view_aliases()` (the view files' alphabetical order, listed in bigquery/README.md). A
template report (`c.reportId`) must use the same aliases; without one Looker Studio starts from a
blank report holding the data sources.
See https://developers.google.com/looker-studio/integrate/linking-api.
"""

from __future__ import annotations

from urllib.parse import urlencode

from spark_jobs.warehouse import sql, validate

LINKING_API = "https://lookerstudio.google.com/reporting/create"
REPORT_NAME = "Clickstream analytics"


def view_aliases() -> dict[str, str]:
    """Data source alias -> view name."""
    return {f"ds{index}": sql.view_name(path) for index, path in enumerate(sql.view_files())}


def looker_studio_url(
    *, project: str, dataset: str, report_id: str | None = None, report_name: str = REPORT_NAME
) -> str:
    validate.check_name("project", project)
    validate.check_name("dataset", dataset)
    params: list[tuple[str, str]] = []
    if report_id:
        params.append(("c.reportId", report_id))
    params.append(("r.reportName", report_name))
    for alias, view in view_aliases().items():
        prefix = f"ds.{alias}"
        params += [
            (f"{prefix}.connector", "bigQuery"),
            (f"{prefix}.type", "TABLE"),
            (f"{prefix}.projectId", project),
            (f"{prefix}.datasetId", dataset),
            (f"{prefix}.tableId", view),
            (f"{prefix}.datasourceName", view),
        ]
    return f"{LINKING_API}?{urlencode(params)}"
