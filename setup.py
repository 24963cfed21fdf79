"""Build hook: the warehouse SQL ships inside the package, read from where it is edited.

The view and query files stay in bigquery/views/ and bigquery/queries/ at the repository root (one
hand-written copy, edited there). A wheel gets a copy under spark_jobs/bigquery/, which
spark_jobs/warehouse/sql.py reads with importlib.resources wherever pip installs the package (a venv,
the system site-packages, ~/.local after `pip install --user`). An editable install reads the
checkout's bigquery/ directly, so nothing is copied for it. Everything else is in pyproject.toml.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

PROJECT_DIR = Path(__file__).resolve().parent
SQL_FOLDERS = ("views", "queries")  # spark_jobs/warehouse/sql.py SQL_FOLDERS


class BuildPyWithSql(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        for folder in SQL_FOLDERS:
            target = Path(self.build_lib) / "spark_jobs" / "bigquery" / folder
            shutil.rmtree(target, ignore_errors=True)  # build/ outlives builds: no deleted view may ship
            target.mkdir(parents=True)
            for source in sorted((PROJECT_DIR / "bigquery" / folder).glob("*.sql")):
                shutil.copyfile(source, target / source.name)


setup(cmdclass={"build_py": BuildPyWithSql})
