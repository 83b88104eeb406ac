"""Where things live: the one environment variable (and a DuckLake store's data path) and the paths under it."""

import os
from pathlib import Path

from league import store

REPO_ROOT = Path(__file__).resolve().parent.parent
DB_ENV_VAR = "LEAGUE_DASHBOARD_DB"


def database_address() -> str | Path:
    """The store the app and the commands share: $LEAGUE_DASHBOARD_DB (a DuckDB file or a DuckLake address),
    else data/league.duckdb."""
    return store_address(os.environ.get(DB_ENV_VAR) or REPO_ROOT / "data" / "league.duckdb")


def store_address(text: str | Path) -> str | Path:
    """A DuckLake address as written; anything else is a DuckDB file's path."""
    return str(text) if store.is_lake(text) else Path(text)


def is_first_start(address: str | Path) -> bool:
    """No DuckDB file yet: the app builds the demo city. A DuckLake store is a deployment's, never the demo's."""
    return not store.is_lake(address) and not Path(address).exists()


def data_dir(address: str | Path) -> Path:
    """Where everything the app keeps lives, stored paths relative to it: the DuckDB file's folder, or a
    DuckLake store's data path (league.store.lake_data_path)."""
    return store.lake_data_path(str(address)) if store.is_lake(address) else Path(address).parent


def raw_files_dir(db_path: Path) -> Path:
    """Every received file is kept here by content hash, beside the database it was sent to."""
    return data_dir(db_path) / "raw"


def demo_files_dir(folder: Path) -> Path:
    """The demo city's files, in the data folder (Database.data_dir)."""
    return folder / "demo"
