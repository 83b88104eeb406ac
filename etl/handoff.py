"""The command line's way in while the app holds the database: hand the command to the app's process.

DuckDB lets one process have a database file open for writing, and the app
keeps it open (league.db). So the app's process listens on a local port for
commands (`serve`), and `python -m etl …` that finds the file taken sends its
arguments there (`forward`) and prints what the command printed there, with
its exit code: the same code runs either way, through the same single write
path, and pages keep being served while a load commits.

The port and a random token are in `<database>.handoff` beside the file,
readable by its owner only: whoever may read that may open the database
anyway. A file left behind by a process that died is ignored (nothing
answers on its port) and the command opens the database itself.
"""

from __future__ import annotations

import hmac
import io
import json
import logging
import os
import secrets
import socket
import socketserver
import sys
import threading
from collections.abc import Callable
from pathlib import Path

from league.db import Database

log = logging.getLogger(__name__)

# One command's request or reply, as one line of JSON; a load's JSON report of many files fits easily.
MAX_MESSAGE_BYTES = 64 * 2**20


def handoff_file(db_path: Path) -> Path:
    return Path(f"{db_path}.handoff")


class _PerThread(io.TextIOBase):
    """sys.stdout, sys.stderr or sys.stdin that a handed-off command's thread sees as its own, and every
    other thread as before: the commands print with print(), and the app's threads must not get their output."""

    def __init__(self, original):
        self._original = original
        self._local = threading.local()

    def own(self, stream) -> None:
        self._local.stream = stream

    def _current(self):
        return getattr(self._local, "stream", None) or self._original

    def write(self, text):
        return self._current().write(text)

    def read(self, size=-1):
        return self._current().read(size)

    def readline(self, size=-1):
        return self._current().readline(size)

    def flush(self):
        return self._current().flush()

    def isatty(self):
        return self._current().isatty()

    def __getattr__(self, name):  # encoding, fileno, buffer …
        return getattr(self._current(), name)


_INSTALLING = threading.Lock()  # two commands arriving together put the streams in place once


def _own_stdio() -> tuple[_PerThread, _PerThread, _PerThread]:
    """Put per-thread streams in place once per process."""
    with _INSTALLING:
        if not isinstance(sys.stdout, _PerThread):
            sys.stdout, sys.stderr, sys.stdin = _PerThread(sys.stdout), _PerThread(sys.stderr), _PerThread(sys.stdin)
        return sys.stdout, sys.stderr, sys.stdin


def _run_here(run: Callable[[list[str], str], int], request: dict) -> dict:
    """Run one handed-off command in this thread, its standard streams its own."""
    out, err, stdin = _own_stdio()
    captured_out, captured_err = io.StringIO(), io.StringIO()
    out.own(captured_out)
    err.own(captured_err)
    stdin.own(io.StringIO(request.get("stdin") or ""))
    try:
        code = run(request["argv"], request["cwd"])
    except SystemExit as exc:  # argparse's usage errors
        code = exc.code if isinstance(exc.code, int) else 2
    except Exception:
        log.exception("handed-off command %s failed", request["argv"][:1])
        print("命令执行失败，详情已记入看板的日志。", file=captured_err)
        code = 1
    finally:
        out.own(None)
        err.own(None)
        stdin.own(None)
    return {"code": code, "stdout": captured_out.getvalue(), "stderr": captured_err.getvalue()}


def serve(db: Database, run: Callable[[list[str], str], int]) -> Callable[[], None]:
    """Listen for commands for this database; returns what stops listening (and removes the file)."""
    token = secrets.token_hex(32)

    class Handler(socketserver.StreamRequestHandler):
        def handle(self):
            line = self.rfile.readline(MAX_MESSAGE_BYTES)
            try:
                request = json.loads(line)
            except ValueError:
                return
            if not isinstance(request, dict) or not hmac.compare_digest(str(request.get("token", "")), token):
                return
            reply = _run_here(run, request)
            self.wfile.write(json.dumps(reply, ensure_ascii=False).encode("utf-8") + b"\n")

    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="etl-handoff", daemon=True).start()
    path = handoff_file(db.path)
    written = path.with_name(path.name + ".new")
    descriptor = os.open(written, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        json.dump({"port": server.server_address[1], "token": token, "pid": os.getpid()}, file)
    os.replace(written, path)

    def stop() -> None:
        server.shutdown()
        server.server_close()
        path.unlink(missing_ok=True)

    return stop


def forward(db_path: Path, argv: list[str], stdin: str | None = None) -> int | None:
    """Run the command in the process that holds the database, if one does; None when none answers."""
    try:
        address = json.loads(handoff_file(db_path).read_text(encoding="utf-8"))
        connection = socket.create_connection(("127.0.0.1", int(address["port"])), timeout=5)
    except (OSError, ValueError, KeyError, TypeError):
        return None
    with connection:
        connection.settimeout(None)  # a load takes as long as it takes
        request = {"token": address["token"], "argv": argv, "cwd": os.getcwd(), "stdin": stdin}
        connection.sendall(json.dumps(request, ensure_ascii=False).encode("utf-8") + b"\n")
        with connection.makefile("rb") as replies:
            line = replies.readline(MAX_MESSAGE_BYTES)
    if not line:
        return None  # not the holder's server (a stale file whose port another program took)
    reply = json.loads(line)
    sys.stdout.write(reply["stdout"])
    sys.stderr.write(reply["stderr"])
    return int(reply["code"])
