"""`python -m etl migrate-store --from PATH --to ADDRESS`: a DuckDB-file deployment moved into a new DuckLake store.

The file is brought to the latest schema, then every table is copied with
its rows in one transaction on the store (every submission, raw-file record,
review, account and mart), and what the data folder keeps beside the
database follows: the raw files the records point to, the key that seals ID
numbers and the demo's accounts list. The file is left as it was, so the
move can be checked page by page before the app is pointed at the store.
Run it with the app stopped: the file is held for the copy.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from league import store
from league.access import DEMO_ACCOUNTS_FILE
from league.db import Database
from league.personal_ids import KEY_FILE

KEPT_BESIDE = ("raw", KEY_FILE, DEMO_ACCOUNTS_FILE)  # what the data folder holds that the database points to


def migrate_store(source: Path, target: str, data_path: Path | None = None) -> dict[str, int]:
    """Copy the file at `source` into the new DuckLake store at `target`; returns each table's row count."""
    if not store.is_lake(target):
        raise store.StoreMisconfigured(f"--to 应为 DuckLake 地址（{store.LAKE_PREFIX}postgres:dbname=… host=…），"
                                       f"而不是“{target}”。")
    if not Path(source).is_file():
        raise store.StoreMisconfigured(f"找不到数据库文件 {source}。")
    file = Database(source)
    file.migrate()
    lake_folder = store.lake_data_path(target, data_path)
    with file.session(), file.connect() as con:
        catalog = con.execute("select current_database()").fetchone()[0]
        store.attach_lake(con, target, lake_folder)
        try:
            if store.base_tables(con, store.LAKE_CATALOG):
                raise store.StoreMisconfigured("目标 DuckLake 存储中已有数据表；请迁入一个新的存储。")
            con.begin()
            try:
                tables = store.copy_tables(con, catalog, store.LAKE_CATALOG)
                # tables only: the store's views and macros are made by its own migrate, below
                con.execute(f"delete from {store.LAKE_CATALOG}.view_code")
                counts = {t: con.execute(f'select count(*) from {store.LAKE_CATALOG}."{t}"').fetchone()[0]
                          for t in tables}
            except BaseException:
                con.rollback()
                raise
            con.commit()
        finally:
            con.execute(f"detach {store.LAKE_CATALOG}")
    copy_beside(file.data_dir, lake_folder)
    Database(target, data_path=lake_folder).migrate()  # the views and rules, made in the store
    return counts


def copy_beside(source: Path, target: Path) -> None:
    """What the data folder `source` keeps beside the database, copied into the data folder `target`."""
    for name in KEPT_BESIDE:
        if (source / name).is_dir():
            shutil.copytree(source / name, target / name, dirs_exist_ok=True)
        elif (source / name).is_file():
            target.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source / name, target / name)
