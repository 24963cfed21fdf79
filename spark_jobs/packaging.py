"""Build what Dataproc (or any spark-submit) needs: `python -m spark_jobs.packaging [--dist dist]`.

Writes three artifacts into the dist folder:
- `spark_jobs.zip`: the package for `--py-files` / Dataproc `pythonFileUris`. Byte-for-byte reproducible
  (sorted entries, fixed timestamps), so an unchanged tree gives an unchanged zip;
- `entrypoint.py`: the driver script (`spark_jobs/entrypoint.py`) submitted next to the zip;
- `spark_jobs-<version>-py3-none-any.whl`: the installable package (the warehouse SQL inside as
  package data, see setup.py) that every Kestra flow task installs into a virtual environment of its
  own to run `ingest`, `load`, `dataproc-submit` or the local engine's `run`.
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

log = logging.getLogger("spark_jobs.packaging")

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent
ZIP_NAME = "spark_jobs.zip"
ENTRYPOINT_NAME = "entrypoint.py"
FIXED_TIMESTAMP = (2020, 1, 1, 0, 0, 0)  # zip cannot store dates before 1980; any fixed date will do
SKIPPED_PARTS = {"__pycache__"}
SKIPPED_SUFFIXES = {".pyc", ".pyo"}


def package_files(package_dir: Path = PACKAGE_DIR) -> list[Path]:
    """Every file of the package that belongs in the zip, sorted (no caches, no compiled files)."""
    files = []
    for path in package_dir.rglob("*"):
        relative = path.relative_to(package_dir)
        if path.is_file() and not SKIPPED_PARTS & set(relative.parts) and path.suffix not in SKIPPED_SUFFIXES:
            files.append(path)
    return sorted(files)


def build_zip(dest: Path, package_dir: Path = PACKAGE_DIR) -> Path:
    """Write the package as `spark_jobs/...` entries; written to a temp name, then renamed."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    partial = dest.with_name(dest.name + ".partial")
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in package_files(package_dir):
            name = f"{package_dir.name}/{path.relative_to(package_dir).as_posix()}"
            info = zipfile.ZipInfo(name, date_time=FIXED_TIMESTAMP)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, path.read_bytes())
    os.replace(partial, dest)
    return dest


def build_wheel(dist: Path, project_dir: Path = PROJECT_DIR) -> Path:
    """`pip wheel` the project without its dependencies; returns the wheel's path."""
    before = set(dist.glob("*.whl"))
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--wheel-dir",
            str(dist),
            str(project_dir),
        ],
        check=True,
    )
    built = sorted(set(dist.glob("spark_jobs-*.whl")) - before) or sorted(dist.glob("spark_jobs-*.whl"))
    if not built:
        raise RuntimeError(f"pip wheel wrote no spark_jobs wheel into {dist}")
    return built[-1]


def build(dist: Path, with_wheel: bool = True) -> dict[str, Path]:
    dist.mkdir(parents=True, exist_ok=True)
    artifacts = {"zip": build_zip(dist / ZIP_NAME)}
    artifacts["entrypoint"] = Path(shutil.copyfile(PACKAGE_DIR / ENTRYPOINT_NAME, dist / ENTRYPOINT_NAME))
    if with_wheel:
        artifacts["wheel"] = build_wheel(dist)
    for kind, path in artifacts.items():
        log.info("%s: %s (%d bytes)", kind, path, path.stat().st_size)
    return artifacts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m spark_jobs.packaging", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--dist", default="dist", help="output folder (default: dist)")
    parser.add_argument("--no-wheel", action="store_true", help="only the zip and the entry script")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    build(Path(args.dist), with_wheel=not args.no_wheel)
    return 0


if __name__ == "__main__":
    sys.exit(main())
