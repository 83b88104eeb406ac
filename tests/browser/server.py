"""A `streamlit run app.py` server on its own port and database, for browser journeys and benchmarks."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
SERVER_START_TIMEOUT = 90  # seconds until /_stcore/health answers


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class AppServer:
    """A `streamlit run app.py` process on its own port and database."""

    db: str  # the store's address: a DuckDB file's path or a DuckLake address
    log_path: Path
    port: int = 0
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> AppServer:
        self.port = free_port()
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        env = os.environ | {"LEAGUE_DASHBOARD_DB": self.db, "PYTHONUNBUFFERED": "1"}
        command = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
                   "--server.port", str(self.port), "--server.address", "127.0.0.1",
                   "--browser.gatherUsageStats", "false",
                   # Pages are edited while tests run; a test server keeps the code it started with.
                   "--server.fileWatcherType", "none", "--server.runOnSave", "false"]
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                            start_new_session=True)
        self._wait_healthy()
        return self

    def _wait_healthy(self) -> None:
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"streamlit exited with {self.process.returncode}:\n{self.log()}")
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as response:
                    if response.read().strip() == b"ok":
                        return
            except OSError:
                pass
            time.sleep(0.5)
        self.stop()
        raise RuntimeError(f"streamlit did not answer /_stcore/health within {SERVER_START_TIMEOUT} s:\n{self.log()}")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)

    @contextmanager
    def stopped(self) -> Iterator[None]:
        """The server stopped for a while, so this process may open the database the server holds."""
        self.stop()
        try:
            yield
        finally:
            self.start()

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace") if self.log_path.exists() else ""


def copy_database(source_db: Path, target_dir: Path) -> Path:
    """The database file with its sibling raw/ and demo/ folders (league.config), without the lock file."""
    shutil.copytree(source_db.parent, target_dir, ignore=shutil.ignore_patterns("*.lock", "*.wal", "*.handoff"),
                    dirs_exist_ok=True)
    return target_dir / source_db.name
