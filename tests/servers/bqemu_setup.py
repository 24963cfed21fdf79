"""Install DuckDB's spatial extension for the BigQuery emulator from its PyPI wheel (no download).

bqemulator runs `INSTALL spatial` at start-up, which would fetch the extension from the internet;
installing the wheel's copy first into DuckDB's extension folder under $HOME makes that a no-op.
Run with the emulator's own interpreter: `HOME=.venv-bqemu/home .venv-bqemu/bin/python tests/servers/bqemu_setup.py`.
"""

import os
import pathlib

import duckdb
import duckdb_extension_spatial

pathlib.Path(os.environ["HOME"]).mkdir(parents=True, exist_ok=True)
extension = next(pathlib.Path(duckdb_extension_spatial.__file__).parent.rglob("spatial.duckdb_extension"))
connection = duckdb.connect()
connection.execute(f"INSTALL '{extension}'")
connection.execute("LOAD spatial")
print(f"installed {extension.name} for DuckDB {duckdb.__version__}")
