"""The DuckDB file against DuckLake (catalog in PostgreSQL, Parquet data): page queries, one load, loaders at once.

    python bench/store_compare.py [--sizes 100000,1000000] [--repeat 3] [--keep DIR] [--loaders 1,2,4,8]
                                  [--ledgers 16]

For each size a synthetic province (bench/province.py's, reused from --keep
DIR/orgs-N/ when there) is copied and moved into a new DuckLake store with
`python -m etl migrate-store`, on a private PostgreSQL cluster started for the
run (tests/postgres.py). Printed per size: how long the move took; each page's
named queries as its first visitor after a load asks them (median), on the
file and on the store; one unit's 500-row December ledger loaded on each; and
throughput: `--ledgers` units' December ledgers loaded by 1, 2, 4 and 8
`python -m etl load` processes at once on the store, against one process on
the file (each run loads other units' ledgers, so every load writes).
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date
from importlib.metadata import version
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from province import PAGES, load_unit, page_query_seconds, unit_ledger  # noqa: E402

from etl.province import build_province  # noqa: E402
from league import db as store  # noqa: E402
from league.db import Database  # noqa: E402
from league.store import DATA_PATH_ENV_VAR  # noqa: E402
from tests.postgres import Cluster  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parent.parent


def moved_into_lake(file: Path, cluster: Cluster, name: str, folder: Path) -> tuple[str, float]:
    address = cluster.create_database(name)
    start = time.perf_counter()
    run = subprocess.run([sys.executable, "-m", "etl", "migrate-store", "--from", str(file), "--to", address],
                         cwd=REPO_ROOT, capture_output=True, text=True, env={**os.environ, DATA_PATH_ENV_VAR: str(folder)})
    if run.returncode:
        raise RuntimeError(run.stderr)
    return address, time.perf_counter() - start


def ledgers_for(db: Database, folder: Path, ranks: range) -> list[Path]:
    """The December ledgers of the units at these ranks (by size), each in a file of its own."""
    made = []
    for rank in ranks:
        target = folder / f"unit-{rank}.xlsx"
        target.parent.mkdir(parents=True, exist_ok=True)
        unit, path = unit_ledger(db, target.parent, rank)
        made.append(path.rename(target))
    return made


def loaders_seconds(address: str, files: list[Path], loaders: int, data_path: Path | None) -> float:
    """Seconds for `loaders` processes to load the files between them."""
    env = {**os.environ, **({DATA_PATH_ENV_VAR: str(data_path)} if data_path else {})}
    start = time.perf_counter()
    running = [subprocess.Popen([sys.executable, "-m", "etl", "load", "--db", address, "--accept-drop",
                                 *map(str, files[i::loaders])], cwd=REPO_ROOT, env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
               for i in range(loaders)]
    for process in running:
        out, err = process.communicate()
        if process.returncode:
            raise RuntimeError(out + err)
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="folder the provinces are built in and reused from")
    parser.add_argument("--loaders", default="1,2,4,8")
    parser.add_argument("--ledgers", type=int, default=16, help="ledgers loaded in each throughput run")
    args = parser.parse_args(argv)
    counts = [int(n) for n in args.loaders.split(",")]
    print(f"{platform.node()}: {os.cpu_count()} CPUs, Python {platform.python_version()}, duckdb {version('duckdb')},"
          f" ducklake extension {version('duckdb-extension-ducklake')}, {date.today()}")
    cluster = Cluster.start()
    try:
        with tempfile.TemporaryDirectory() as scratch:
            for size in (int(s) for s in args.sizes.split(",")):
                source = (args.keep or Path(scratch)) / f"orgs-{size}" / "league.duckdb"
                if not source.exists():
                    source.parent.mkdir(parents=True, exist_ok=True)
                    build_province(Database(source), orgs=size)
                work = Path(scratch) / f"run-{size}"
                file = work / "file" / "league.duckdb"
                file.parent.mkdir(parents=True)
                shutil.copy(source, file)
                address, moved = moved_into_lake(file, cluster, f"province_{size}", work / "lake")

                on_file = Database(file, hold=True)
                on_lake = Database(address, hold=True, data_path=work / "lake")
                pages = {name: page_query_seconds(db, args.repeat) for name, db in (("file", on_file), ("lake", on_lake))}
                one = {name: load_unit(db, *unit_ledger(db, work / name, rank=0))
                       for name, db in (("file", on_file), ("lake", on_lake))}
                files = ledgers_for(on_file, work / "ledgers", range(1, 1 + args.ledgers * (len(counts) + 1)))
                store.release()  # the loaders are processes of their own, as uploads on other servers would be
                runs = [files[i * args.ledgers:(i + 1) * args.ledgers] for i in range(len(counts) + 1)]
                file_rate = args.ledgers / loaders_seconds(str(file), runs[0], 1, None) * 60
                lake_rates = {n: args.ledgers / loaders_seconds(address, run, n, work / "lake") * 60
                              for n, run in zip(counts, runs[1:])}

                print(f"\n{size:,} organisations: moved into DuckLake in {moved:.0f} s")
                print(f"  {'page':<14}{'file ms':>10}{'lake ms':>10}{'lake/file':>11}")
                for page in PAGES:
                    f, lake = pages["file"][page] * 1000, pages["lake"][page] * 1000
                    print(f"  {page:<14}{f:>10.0f}{lake:>10.0f}{lake / f:>11.1f}")
                print(f"  one unit's 500-row ledger: file {one['file']:.2f} s, lake {one['lake']:.2f} s")
                print(f"  {args.ledgers} ledgers of 500 rows: 1 loader on the file {file_rate:.1f} per minute;"
                      " on DuckLake " + ", ".join(f"{n} loader{'s' if n > 1 else ''} {rate:.1f}"
                                                  for n, rate in lake_rates.items()) + " per minute")
    finally:
        cluster.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
