"""A private PostgreSQL cluster for the DuckLake store's catalog in tests and benchmarks.

`etl/install_system.sh` installs PostgreSQL from Debian's packages when it is
missing. `Cluster.start()` runs initdb in a new temporary folder, starts the
server on a free local port (TCP on 127.0.0.1 only, trusting local
connections: a throwaway cluster) and `stop()` ends it and removes the folder.
PostgreSQL refuses to run as root, so as root the cluster belongs to `nobody`
(and its folder sits directly in the temporary folder, where `nobody` can reach it).
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

SERVER_USER = "nobody"  # whom the server runs as when the tests run as root
START_TIMEOUT_SECONDS = 120  # a loaded machine may take a while; pg_ctl -w waits for the server to accept


class PostgresMissing(RuntimeError):
    def __init__(self) -> None:
        super().__init__("PostgreSQL's initdb and pg_ctl were not found: run `bash etl/install_system.sh`.")


def _program(name: str) -> str:
    """A PostgreSQL program from PATH or from Debian's versioned folder (which is not on PATH)."""
    found = shutil.which(name) or next(iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)),
                                       None)
    if found is None:
        raise PostgresMissing()
    return found


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _as_server(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    if os.geteuid() == 0:
        kwargs.update(user=SERVER_USER, group="nogroup", extra_groups=[])
    done = subprocess.run(command, capture_output=True, text=True, **kwargs)
    if done.returncode:
        raise RuntimeError(f"{' '.join(command)} failed ({done.returncode}): {done.stderr or done.stdout}")
    return done


@dataclass
class Cluster:
    folder: Path
    port: int
    user: str = "league"

    @classmethod
    def start(cls) -> Cluster:
        folder = Path(tempfile.mkdtemp(prefix="league-postgres-"))
        if os.geteuid() == 0:
            shutil.chown(folder, SERVER_USER, "nogroup")
        cluster = cls(folder, _free_port())
        _as_server([_program("initdb"), "-D", str(cluster.data), "-U", cluster.user, "--auth=trust", "-E", "UTF8",
                    "--no-sync"])
        options = f"-p {cluster.port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        _as_server([_program("pg_ctl"), "-D", str(cluster.data), "-o", options, "-l", str(folder / "server.log"),
                    "-w", "-t", str(START_TIMEOUT_SECONDS), "start"])
        return cluster

    @property
    def data(self) -> Path:
        return self.folder / "data"

    def stop(self) -> None:
        try:
            _as_server([_program("pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop"])
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)

    def create_database(self, name: str) -> str:
        """A new empty database; returns the DuckLake address of a store whose catalog is in it."""
        _as_server([_program("createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", self.user, name])
        return self.address(name)

    def address(self, name: str) -> str:
        return f"ducklake:postgres:dbname={name} host=127.0.0.1 port={self.port} user={self.user}"

    def session(self):
        """A psycopg connection to the cluster's own database, to look at what the servers are doing."""
        import psycopg

        return psycopg.connect(f"dbname=postgres host=127.0.0.1 port={self.port} user={self.user}", autocommit=True)


def writer_holding_the_turn(session) -> int | None:
    """The process id of the DuckLake writer holding its store's turn now (league.store.WriterTurn), if any."""
    row = session.execute("select a.application_name from pg_locks l join pg_stat_activity a using (pid)"
                          " where l.locktype = 'advisory' and l.granted"
                          " and a.application_name like 'league-writer-%'").fetchone()
    return None if row is None else int(row[0].removeprefix("league-writer-"))
