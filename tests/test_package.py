"""`make package`: the zip + entry script that spark-submit and Dataproc Serverless run, and the wheel.

Dataproc itself cannot run here. The integration tests below run the packaged job the two ways
the flows submit it, with a real local `spark-submit` and a Python that cannot import the
installed `spark_jobs` (base interpreter, the venv's site-packages on PYTHONPATH, so the editable
install's .pth hook is not read): `--py-files`, which is how process_month_local ships the zip and
what the Dataproc batch's `pythonFileUris` (`dataproc-submit --py-file`) amounts to.
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from spark_jobs import packaging

ROOT = Path(__file__).resolve().parent.parent
BASE_PYTHON = Path(sys.base_prefix) / "bin" / "python3"
SPARK_SUBMIT = Path(sys.executable).parent / "spark-submit"


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("dist")
    packaging.build(folder, with_wheel=False)
    return folder


def test_zip_holds_every_module_of_the_package_and_no_caches(dist):
    names = set(zipfile.ZipFile(dist / "spark_jobs.zip").namelist())
    expected = {
        f"spark_jobs/{path.relative_to(ROOT / 'spark_jobs').as_posix()}"
        for path in (ROOT / "spark_jobs").rglob("*.py")
        if "__pycache__" not in path.parts
    }
    assert expected <= names
    assert {"spark_jobs/__init__.py", "spark_jobs/cli/__init__.py", "spark_jobs/entrypoint.py"} <= names
    assert not [name for name in names if "__pycache__" in name or name.endswith(".pyc")]


def test_zip_is_byte_for_byte_reproducible(dist, tmp_path):
    again = packaging.build_zip(tmp_path / "spark_jobs.zip")
    assert again.read_bytes() == (dist / "spark_jobs.zip").read_bytes()
    assert not list(tmp_path.glob("*.partial"))


def test_entry_script_is_the_package_entrypoint(dist):
    assert (dist / "entrypoint.py").read_text() == (ROOT / "spark_jobs" / "entrypoint.py").read_text()


def test_entry_script_without_the_package_says_how_to_pass_it(dist, tmp_path):
    result = subprocess.run(
        [sys.executable, "-S", str(dist / "entrypoint.py"), "run", "--help"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert result.returncode != 0
    assert "cannot import spark_jobs: pass spark_jobs.zip with --py-files" in result.stderr


def test_make_package_builds_the_three_artifacts():
    makefile = (ROOT / "Makefile").read_text()
    assert "package: $(STAMP)\n\t$(PY) -m spark_jobs.packaging --dist dist" in makefile
    assert "spark_jobs.zip" == packaging.ZIP_NAME and "entrypoint.py" == packaging.ENTRYPOINT_NAME


@pytest.mark.integration
def test_wheel_installs_the_package(tmp_path):
    wheel = packaging.build_wheel(tmp_path)
    names = zipfile.ZipFile(wheel).namelist()
    assert wheel.name.startswith("spark_jobs-") and "spark_jobs/entrypoint.py" in names
    assert "spark_jobs/cli/__init__.py" in names
    # load_month installs only this wheel on the Kestra worker: the views and queries must be inside,
    # as package data (spark_jobs/bigquery/...), copied from bigquery/ where they are edited.
    for folder in ("views", "queries"):
        edited = {path.name for path in (ROOT / "bigquery" / folder).glob("*.sql")}
        shipped = {Path(name).name for name in names if name.startswith(f"spark_jobs/bigquery/{folder}/")}
        assert edited and edited == shipped, edited ^ shipped


@pytest.mark.integration
def test_a_user_site_install_of_the_wheel_loads_duckdb_with_its_own_sql(tmp_path):
    """What a non-root Kestra worker with the system Python does: `pip install --user` into its HOME.

    The base interpreter (no venv) gets only the dependencies on PYTHONPATH (the venv's site-packages,
    whose .pth files, the editable install among them, are not read), so spark_jobs and its SQL can
    only come from ~/.local; the command runs outside the checkout.
    """
    from warehouse_lake import build_lake

    wheel = packaging.build_wheel(tmp_path / "dist")
    home = tmp_path / "home"
    env = {key: value for key, value in packaged_env().items() if not key.startswith("PYTHONUSER")}
    env["HOME"] = str(home)
    install = [str(BASE_PYTHON), "-m", "pip", "install", "--user", "--no-deps", "--no-index"]
    install += ["--ignore-installed", "--no-warn-script-location", "--quiet", str(wheel)]
    subprocess.run(install, check=True, env=env, cwd=tmp_path, capture_output=True, timeout=300)
    site = subprocess.run(
        [str(BASE_PYTHON), "-c", "import spark_jobs, site; print(spark_jobs.__file__); print(site.USER_SITE)"],
        env=env, cwd=tmp_path, capture_output=True, text=True, check=True,
    ).stdout.split()  # fmt: skip
    assert site[0].startswith(site[1]) and site[1].startswith(str(home / ".local")), site

    lake = build_lake(tmp_path / "lake")
    warehouse = tmp_path / "warehouse.duckdb"
    load = [str(BASE_PYTHON), "-m", "spark_jobs", "load", "--target", "duckdb", "--lake", lake.root]
    result = subprocess.run(
        [*load, "--warehouse", str(warehouse)], env=env, cwd=tmp_path, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr[-3000:] + result.stdout[-3000:]
    import duckdb

    with duckdb.connect(str(warehouse), read_only=True) as con:
        views = {
            row[0]
            for row in con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()
        }
    expected = {path.stem for path in (ROOT / "bigquery" / "views").glob("*.sql")}
    assert views == expected


# Put first on the driver's PYTHONPATH: the warehouse-only libraries, which Dataproc's runtime does not
# ship, then fail to import as they would there; so do requests and google-crc32c, which only ingest
# and dataproc-submit (on the Kestra worker) use: the driver parses `run` without importing them.
NOT_ON_DATAPROC = """
import sys


class NotOnDataproc:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {"duckdb", "sqlglot", "requests", "google_crc32c"}:
            raise ImportError(f"{name} is not installed on Dataproc Serverless")


sys.meta_path.insert(0, NotOnDataproc())
"""


def packaged_env(first_on_path: Path | None = None) -> dict[str, str]:
    """An environment where only the zip can provide spark_jobs (pyspark still importable)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PYTHON", "VIRTUAL_ENV", "SPARK_JOBS_ENGINE"))
    }
    paths = [str(first_on_path)] if first_on_path else []
    env.update(
        PYTHONPATH=os.pathsep.join([*paths, sysconfig.get_paths()["purelib"]]),
        PYSPARK_PYTHON=str(BASE_PYTHON),
        PYSPARK_DRIVER_PYTHON=str(BASE_PYTHON),
        SPARK_LOCAL_IP="127.0.0.1",
        SPARK_LOG_LEVEL="ERROR",
    )
    return env


def spark_submit(dist: Path, ship: str, args: list[str], cwd: Path, env=None) -> subprocess.CompletedProcess:
    # Under spark-submit the job keeps the submit's settings; 200 shuffle partitions cost minutes here.
    settings = ["spark.ui.enabled=false", "spark.sql.shuffle.partitions=2", "spark.default.parallelism=2"]
    command = [str(SPARK_SUBMIT), "--master", "local[2]", "--driver-memory", "1g"]
    command += [word for setting in settings for word in ("--conf", setting)]
    command += [ship, str(dist / "spark_jobs.zip"), str(dist / "entrypoint.py"), *args]
    return subprocess.run(
        command, capture_output=True, text=True, cwd=cwd, env=env or packaged_env(), timeout=300
    )


@pytest.mark.integration
def test_the_test_environment_cannot_import_the_installed_package(tmp_path):
    probe = [str(BASE_PYTHON), "-c", "import pyspark, spark_jobs"]
    result = subprocess.run(probe, capture_output=True, text=True, cwd=tmp_path, env=packaged_env())
    assert "No module named 'spark_jobs'" in result.stderr


@pytest.mark.integration
def test_dataproc_style_submit_processes_a_month_from_the_zip(dist, tmp_path):
    """The Dataproc batch's shape: the zip as its Python file, `run --input <month> --lake ... --month`,
    and no duckdb/sqlglot, which the Dataproc runtime does not have."""
    # what the flow hands the batch: a month ingested as Parquet parts (the default part format)
    source = tmp_path / "2019-Oct.csv.gz"
    generate = [sys.executable, "-m", "spark_jobs", "generate", "--rows", "300", "--month", "2019-10"]
    subprocess.run([*generate, "--out", str(source)], check=True, cwd=ROOT)
    ingest = [sys.executable, "-m", "spark_jobs", "ingest", "--month", "2019-10", "--source", str(source)]
    subprocess.run([*ingest, "--dest", str(tmp_path / "raw")], check=True, cwd=ROOT)
    raw_month = tmp_path / "raw" / "year=2019" / "month=10"
    blocker = tmp_path / "not_on_dataproc"
    blocker.mkdir()
    (blocker / "sitecustomize.py").write_text(NOT_ON_DATAPROC)
    lake = tmp_path / "lake"
    args = ["run", "--input", f"{raw_month.parent.parent}/year=2019/month=10/", "--lake", str(lake)]
    args += ["--month", "2019-10"]
    result = spark_submit(dist, "--py-files", args, tmp_path, env=packaged_env(first_on_path=blocker))
    assert result.returncode == 0, result.stderr[-3000:] + result.stdout[-3000:]
    assert list((lake / "clean" / "events").glob("event_date=2019-10-*"))
    assert (lake / "marts").is_dir() and any((lake / "marts").iterdir())


def test_the_blocker_really_blocks(tmp_path):
    (tmp_path / "sitecustomize.py").write_text(NOT_ON_DATAPROC)
    probe = [str(BASE_PYTHON), "-c", "import duckdb"]
    result = subprocess.run(probe, capture_output=True, text=True, env=packaged_env(first_on_path=tmp_path))
    assert "duckdb is not installed on Dataproc Serverless" in result.stderr


@pytest.mark.integration
def test_building_the_package_prints_no_setuptools_deprecation_warning(tmp_path):
    """`make env` / `make run` build the project; the license is the SPDX string, so no warning."""
    command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--wheel-dir", str(tmp_path), str(ROOT)]
    result = subprocess.run(command, capture_output=True, text=True, cwd=tmp_path, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:] + result.stdout[-3000:]
    output = result.stdout + result.stderr
    assert "project.license" not in output and "Deprecat" not in output, output[-3000:]


def readme_submit_block() -> list[str]:
    """The shell lines of the README's spark-submit example (continuation lines joined)."""
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("### spark-submit (local or Dataproc)") :]
    block = section[section.index("```bash\n") + len("```bash\n") :]
    return block[: block.index("```")].replace("\\\n", " ").splitlines()


@pytest.mark.integration
def test_the_readmes_spark_submit_lines_run_as_written_without_the_venv_on_path(dist, tmp_path):
    """The README's exact lines in a copy of the repository's layout (.venv, dist, an ingested month),
    from a shell whose PATH does not have the venv: `make package` is the `dist` fixture."""
    make_package, *lines = readme_submit_block()
    assert make_package == "make package"
    os.symlink(Path(sys.prefix), tmp_path / ".venv")
    os.symlink(dist, tmp_path / "dist")
    generate = [sys.executable, "-m", "spark_jobs", "generate", "--rows", "300", "--month", "2019-10"]
    subprocess.run([*generate, "--out", str(tmp_path / "2019-Oct.csv.gz")], check=True, cwd=ROOT)
    ingest = [sys.executable, "-m", "spark_jobs", "ingest", "--month", "2019-10"]
    ingest += ["--source", str(tmp_path / "2019-Oct.csv.gz"), "--dest", str(tmp_path / "data/lake/raw")]
    subprocess.run(ingest, check=True, cwd=ROOT, capture_output=True)
    venv_bin = str(Path(sys.executable).parent)
    path = os.pathsep.join(p for p in os.environ["PATH"].split(os.pathsep) if p != venv_bin)
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PYTHON", "VIRTUAL_ENV", "SPARK_JOBS_ENGINE"))
    }
    env.update(PATH=path, SPARK_LOCAL_IP="127.0.0.1", SPARK_LOG_LEVEL="ERROR")
    result = subprocess.run(
        ["bash", "-c", "set -e\n" + "\n".join(lines)], capture_output=True, text=True, cwd=tmp_path,
        env=env, timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:] + result.stdout[-3000:]
    assert list((tmp_path / "data/lake/clean/events").glob("event_date=2019-10-*"))
