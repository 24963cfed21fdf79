"""Write the dashboard file atomically: a half-written page is never visible at the output path."""

from __future__ import annotations

import logging
import os
import tempfile

from spark_jobs.dashboard.data import read_dashboard_data
from spark_jobs.dashboard.render import render_page
from spark_jobs.logs import stage

log = logging.getLogger("spark_jobs.dashboard")

DEFAULT_OUT = "data/reports/dashboard.html"


def build_dashboard(*, warehouse: str, out: str = DEFAULT_OUT) -> str:
    """Render the dashboard of the DuckDB warehouse file into `out`; return the written path."""
    with stage("dashboard") as info:
        page = render_page(read_dashboard_data(warehouse), source=warehouse)
        folder = os.path.dirname(os.path.abspath(out))
        os.makedirs(folder, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=".dashboard-", suffix=".html.tmp")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as file:
                file.write(page)
            os.chmod(temporary, 0o644)  # mkstemp creates 0600; the page is meant to be opened and shared
            os.replace(temporary, out)
        except BaseException:
            os.unlink(temporary)
            raise
        info.update(file=out, bytes=len(page.encode("utf-8")))
    return out
