"""Several app servers and loaders on one DuckLake store at once: nothing lost, doubled or half-written.

Three `streamlit run` servers and eight `python -m etl load` processes share
one store (catalog in the tests' private PostgreSQL) while a reader in this
process checks that no unit-month's ledger is ever a mix of two submissions.
One loader is killed with SIGKILL while it holds the writers' turn, that is
inside its write; its files are then sent again, as an operator would.
"""

from __future__ import annotations

import hashlib
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import polars as pl
from polars.testing import assert_frame_equal

from etl.pipeline import load_file
from league import queries, ui
from league.config import demo_files_dir
from league.db import Database
from league.store import DATA_PATH_ENV_VAR
from league.units import save_unit_tree
from tests.accounts import PASSWORD, account
from tests.browser.conftest import DESKTOP, OUTPUT_DIR, open_page
from tests.browser.person import StreamlitPage
from tests.browser.server import REPO_ROOT, AppServer
from tests.postgres import writer_holding_the_turn
from tests.stores import ON_LAKE
from tests.test_marts import kept, recomputed

SERVERS, LOADERS = 3, 8
# Ledgers loaded between the loaders: the demo's first months, one per unit-month. The suite's run on DuckLake
# (LEAGUE_TEST_STORE=ducklake) loads the 200; the default run, which has a time budget, two per loader:
# the properties checked do not depend on how many.
LEDGERS = 200 if ON_LAKE else 16
LOAD_TIMEOUT = 900  # seconds a loader may take on a loaded machine
CATCH_TIMEOUT = 600  # seconds to wait for the victim to be inside a write
HEADLINE = "新建团组织（全部）"
# A unit-month's standing ledger whose rows are not all its latest accepted submission's: a write seen half-done.
MIXED = """
select count(*) from (
    select s.submission_id, any_value(s.rows) as rows, count(l.submission_id) as found
    from ledger_review r join submissions s using (submission_id)
    left join ledger_rows l using (submission_id)
    group by s.submission_id
) where rows != found
"""


READ_EVERY = 0.05  # seconds between the reader's looks: often, without taking a core from the loaders


class Reader(threading.Thread):
    """Reads the store over and over while the loads run, counting what it saw mixed."""

    def __init__(self, db: Database):
        super().__init__(daemon=True)
        self.db, self.reads, self.mixed = db, 0, 0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(READ_EVERY):
            self.mixed += self.db.scalar(MIXED)
            self.reads += 1


def lake_with_demo_units(demo_db: Database, new_lake, monkeypatch) -> Database:
    """A new store with the demo city's units and targets, and no ledger yet."""
    address, folder = new_lake()
    monkeypatch.setenv(DATA_PATH_ENV_VAR, str(folder))  # for the servers and loaders started from here
    lake = Database(address)
    lake.migrate()
    units = demo_db.query("select u.name, u.level, p.name as parent from units u"
                          " left join units p on u.parent_id = p.unit_id order by u.path")
    with lake.transaction() as con:
        save_unit_tree(con, units)
    targets = next(demo_files_dir(demo_db.data_dir).glob("*任务分解表.xlsx"))
    assert load_file(lake, targets).status == "accepted"
    return lake


def ledger_files(demo_db: Database) -> list[Path]:
    files = sorted((demo_files_dir(demo_db.data_dir) / "台账").glob("*/*.xlsx"))
    assert len(files) >= LEDGERS
    return files[:LEDGERS]


def kill_inside_a_write(victim: subprocess.Popen, cluster) -> bool:
    """SIGKILL the victim while it holds the writers' turn; False if it finished before it was caught."""
    deadline = time.monotonic() + CATCH_TIMEOUT
    with cluster.session() as session:
        while time.monotonic() < deadline and victim.poll() is None:
            if writer_holding_the_turn(session) == victim.pid:
                victim.send_signal(signal.SIGKILL)
                victim.wait(timeout=60)
                return True
    return False


def assert_same_tables(found: dict[str, pl.DataFrame], expected: dict[str, pl.DataFrame]) -> None:
    assert found.keys() == expected.keys()
    for table, frame in expected.items():
        try:
            assert_frame_equal(found[table], frame, check_row_order=False)
        except AssertionError as differs:
            raise AssertionError(f"{table}: {differs}") from None


def load(address: str, files: list[Path]) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "etl", "load", "--db", address, "--accept-drop", *map(str, files)],
                            cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_servers_and_loaders_share_one_ducklake_store_and_lose_nothing(demo_db, new_lake, postgres, monkeypatch,
                                                                         browser, request, shots):
    lake = lake_with_demo_units(demo_db, new_lake, monkeypatch)
    files = ledger_files(demo_db)
    viewer = (account(lake, "leadership"), PASSWORD)
    servers = [AppServer(lake.address, OUTPUT_DIR / f"ducklake-server-{i}.log") for i in range(SERVERS)]
    try:
        for server in servers:
            server.start()
            with open_page(browser, request, shots, DESKTOP, server) as page:
                StreamlitPage(page, server.url, shots, viewer).open("/")  # signed in: the server holds the store

        reader = Reader(lake)
        reader.start()
        loaders = [load(lake.address, files[i::LOADERS]) for i in range(LOADERS)]
        victim = loaders[0]
        assert kill_inside_a_write(victim, postgres), "the loader to kill finished before it was inside a write"
        for loader in loaders[1:]:
            out, err = loader.communicate(timeout=LOAD_TIMEOUT)
            assert loader.returncode == 0, err + out
        assert victim.returncode == -signal.SIGKILL
        assert lake.scalar(MIXED) == 0  # the killed write left nothing half-done

        again = load(lake.address, files[0::LOADERS])  # the killed loader's files, sent again
        out, err = again.communicate(timeout=LOAD_TIMEOUT)
        assert again.returncode == 0, err + out
        reader.done.set()
        reader.join(timeout=LOAD_TIMEOUT)
        assert reader.reads > 0 and reader.mixed == 0

        # every file landed once: none lost, none doubled
        landed = lake.query("select sha256, count(*) as times from submissions"
                            " where kind = 'ledger' and status = 'accepted' group by sha256")
        assert set(landed["sha256"]) == {hashlib.sha256(f.read_bytes()).hexdigest() for f in files}
        assert landed["times"].max() == 1
        ids = lake.query("select submission_id from submissions")["submission_id"]
        assert ids.n_unique() == ids.len()
        # the marts and flags every loader kept equal a full recomputation
        assert_same_tables(kept(lake), recomputed(lake))

        # and every server shows the figures the store holds
        scope = queries.whole_tree(lake)
        month = queries.default_month(queries.ledger_months(lake, scope))
        total = queries.progress_total(lake, scope, month).row(0, named=True)
        expected = f"{total['done']:,} / {ui.count(total['target'])}"
        for server in servers:
            with open_page(browser, request, shots, DESKTOP, server) as page:
                app = StreamlitPage(page, server.url, shots, viewer)
                app.open("/", HEADLINE)
                app.shot(f"overview-{server.port}")
                assert app.metric(HEADLINE) == expected
    finally:
        for server in servers:
            server.stop()
