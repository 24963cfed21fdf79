"""The local dashboard: one self-contained HTML page drawn from the DuckDB warehouse views.

`data` reads the views (read-only), `figures` turns rows into Plotly figures, `render` assembles the
page with plotly.js inlined (works offline, opens from the file), `job.build_dashboard` writes it.
"""

from spark_jobs.dashboard.job import DEFAULT_OUT, build_dashboard

__all__ = ["DEFAULT_OUT", "build_dashboard"]
