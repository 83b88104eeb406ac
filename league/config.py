"""Where things live on disk: the one environment variable and the paths under it."""

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DB_ENV_VAR = "LEAGUE_DASHBOARD_DB"


def database_path() -> Path:
    """The database the app and the commands share: $LEAGUE_DASHBOARD_DB, else data/league.duckdb."""
    return Path(os.environ.get(DB_ENV_VAR) or REPO_ROOT / "data" / "league.duckdb")


def data_dir(db_path: Path) -> Path:
    """The folder of the database, where everything the app keeps lives; stored paths are relative to it."""
    return db_path.parent


def raw_files_dir(db_path: Path) -> Path:
    """Every received file is kept here by content hash, beside the database it was sent to."""
    return data_dir(db_path) / "raw"


def demo_files_dir(db_path: Path) -> Path:
    return db_path.parent / "demo"
