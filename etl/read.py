"""Step 1, read: any submitted file -> its sheets as grids of text cells.

Nothing is interpreted here. Each sheet becomes a polars frame of strings with
columns c0, c1, ...; row i of the frame is Excel row i + 1, so every message can
name the row a person sees. The format is told by the file's content, not its
name: units rename .xls files to .xlsx and save CSVs as .xls.

Whoever can reach the upload page can send any bytes, so a file is parsed in
a worker process (etl/read_worker.py) with a memory ceiling and a time limit,
and inspected meanwhile in this one (etl/inspect.py: refused if it claims a
grid, a size or a packing beyond etl/limits.toml, the worker ended and its
result unread): whatever the file does can end only the worker, never the
server. The worker hands the sheets back as Arrow IPC files. Files the project
writes itself (the demo) are parsed in-process (`isolate=False`), inspected
first all the same.
"""

from __future__ import annotations

import atexit
import contextlib
import csv
import io
import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from etl.inspect import (DAMAGED, PASSWORD, RefusedFile, UnreadableFile, check_grids, detect_format, inspect_file,
                         number, refuse, size_text)
from etl.limits import Limits

__all__ = ["RefusedFile", "Sheet", "UnreadableFile", "decode_text", "parse", "read_sheets"]

logger = logging.getLogger(__name__)

GUESS_BYTES = 64 * 1024
ROOT = Path(__file__).resolve().parent.parent
UNREADABLE = "无法读取该文件。请用 Excel 或 WPS 打开后另存为 .xlsx 再重新上传。"
# Exit codes of etl.read_worker besides 0; error.json in its folder says more.
EXIT_UNREADABLE, EXIT_REFUSED, EXIT_MEMORY = 3, 4, 5
STDERR_KEPT = 8192  # bytes of the worker's stderr (Rust panics, tracebacks) that go to the log
# What a process out of memory leaves on stderr: Rust's allocator, Python, C++, a Vec too large to reserve.
OUT_OF_MEMORY = ("memory allocation of", "MemoryError", "Cannot allocate memory", "bad_alloc", "out of memory",
                 "capacity overflow")


@dataclass(frozen=True)
class Sheet:
    name: str
    cells: pl.DataFrame  # all String columns c0..cN; row i is Excel row i + 1
    visible: bool = True  # a hidden sheet often keeps last month's copy or working notes


def read_sheets(path: Path, limits: Limits | None = None, *, isolate: bool = True) -> list[Sheet]:
    """The sheets of a file: parsed in a worker process while inspected here (inspected, then parsed in
    this process if not `isolate`).

    Raises UnreadableFile, with a message for the person who sent the file; a
    file beyond the limits, or one that crashes or outlasts its worker, raises its
    subclass RefusedFile.
    """
    limits = limits or Limits.default()
    path = Path(path)
    if isolate:
        return _read_in_worker(path, limits)
    _, data = inspect_file(path, limits)
    return parse(data, path.stem, limits)


def parse(data: bytes, name: str, limits: Limits) -> list[Sheet]:
    """The sheets of an inspected file, parsed in this process; `name` names a text file's one sheet."""
    if detect_format(data) in ("zip", "ole"):
        return _read_workbook(data, limits)
    sheet = Sheet(name=name, cells=_csv_grid(decode_text(data), limits))
    check_grids([(sheet.name, sheet.cells.height, sheet.cells.width)], limits)
    return [sheet]


# --- In-process parsing -----------------------------------------------------------------------------


def _read_workbook(data: bytes, limits: Limits) -> list[Sheet]:
    """An .xlsx or .xls workbook, told by its content: calamine would go by the (often wrong) file name."""
    import fastexcel

    # skip_rows=0 keeps leading empty rows, so frame rows line up with Excel rows.
    options = {"header_row": None, "skip_rows": 0, "dtypes": "string"}
    sheets: list[Sheet] = []
    try:
        reader = fastexcel.read_excel(data)
        names = reader.sheet_names
        if len(names) == 1:  # the common case; straight to Arrow is ~30% faster
            [name] = names
            return [Sheet(name, _numbered(pl.from_arrow(reader.load_sheet_eager(name, **options))))]
        for name in names:
            sheet = reader.load_sheet(name, **options)
            # One sheet is shown whatever it says; of several, the hidden ones are marked.
            visible = len(names) == 1 or sheet.visible == "visible"
            sheets.append(Sheet(name, _numbered(sheet.to_polars()), visible=visible))
            check_grids([(s.name, s.cells.height, s.cells.width) for s in sheets], limits)
        return sheets
    except (RefusedFile, MemoryError):
        raise
    except Exception as exc:  # calamine raises several types for damaged or encrypted files
        logger.warning("the workbook does not open: %s: %s", type(exc).__name__, exc)
        text = str(exc).lower()
        raise UnreadableFile(PASSWORD if "password" in text or "encrypt" in text else DAMAGED) from exc
    except BaseException as exc:  # a panic inside calamine reaches Python as pyo3's PanicException
        if isinstance(exc, KeyboardInterrupt | SystemExit | GeneratorExit):
            raise
        logger.warning("the workbook reader panicked: %s: %s", type(exc).__name__, exc)
        raise UnreadableFile(DAMAGED) from exc


def _numbered(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.rename({c: f"c{i}" for i, c in enumerate(frame.columns)})


def decode_text(data: bytes) -> str:
    """Decode a text file whose encoding nobody wrote down.

    A BOM decides; valid UTF-8 is taken as UTF-8 (other encodings of Chinese
    text almost never happen to be valid UTF-8); otherwise charset-normalizer
    guesses, which tells GB18030/GBK from Big5 and UTF-16.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    # The first 64 KB, cut at a line end, tell the encoding as well as the whole file, much faster.
    sample = data if len(data) <= GUESS_BYTES else data[: data.rfind(b"\n", 0, GUESS_BYTES) + 1 or GUESS_BYTES]
    best = from_bytes(sample).best()
    if best is None:
        raise UnreadableFile("无法识别文件编码，请另存为 UTF-8 编码的 CSV 或 .xlsx 后重新上传。")
    encoding = "gb18030" if best.encoding in ("gbk", "gb2312", "hz") else best.encoding
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise UnreadableFile("无法识别文件编码，请另存为 UTF-8 编码的 CSV 或 .xlsx 后重新上传。") from exc


def _csv_grid(text: str, limits: Limits) -> pl.DataFrame:
    """A CSV's cells as a grid: every line a row (blank lines too), short lines padded with nulls.

    polars parses it; the header it is given names as many columns as the longest
    line could hold. A line holding more (a quoted line break) falls back to the csv
    module. ="0791-8612…" (Excel's way to keep a leading zero in a CSV) counts as its text.
    The grid's size is checked before it is built (the inspection counted lines; a
    record can span lines).
    """
    first_lines = text[:4096]
    delimiter = "\t" if first_lines.count("\t") > first_lines.count(",") else ","
    width = max((line.count(delimiter) for line in text.splitlines()), default=0) + 1
    check_grids([(None, text.count("\n") + 1, width)], limits)
    header = delimiter.join(f"c{i}" for i in range(width))
    try:
        grid = pl.read_csv(io.StringIO(f"{header}\n{text}"), separator=delimiter, infer_schema=False,
                           quote_char='"', raise_if_empty=False)
    except pl.exceptions.ComputeError:
        rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
        check_grids([(None, len(rows), max((len(r) for r in rows), default=0))], limits)
        grid = _grid(rows)
    return grid.with_columns(pl.all().str.replace(r'^="(.*)"$', "$1").replace("", None))


def _grid(rows: list[list[str]]) -> pl.DataFrame:
    width = max((len(r) for r in rows), default=0)
    columns = {f"c{i}": [(r[i] if i < len(r) and r[i] != "" else None) for r in rows] for i in range(width)}
    return pl.DataFrame(columns, schema={name: pl.String for name in columns})


# --- The worker -------------------------------------------------------------------------------------
#
# A worker is started before it is needed: after each read a spare is started, which imports the
# parsing libraries and waits for the path of the next file on its stdin. So a read pays for the
# parse, not for starting Python and importing polars (about 0.3 s), unless it follows the last one
# within that time. The spare's memory ceiling and time limit are set when it is given its file; it
# leaves when its stdin closes (this process has gone) and is killed at exit.

_slots = threading.Condition()
_busy = 0
_spare_lock = threading.Lock()
_spare: _Worker | None = None


@contextlib.contextmanager
def _worker_slot(most: int) -> Iterator[None]:
    """At most `most` workers of this process parse at once: many uploads together must not take 24 GB."""
    global _busy
    with _slots:
        _slots.wait_for(lambda: _busy < most)
        _busy += 1
    try:
        yield
    finally:
        with _slots:
            _busy -= 1
            _slots.notify_all()


class _Worker:
    """A started `python -m etl.read_worker --spare FOLDER`, and the folder it will write to."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="etl-read-"))
        self.owner = os.getpid()
        env = {**os.environ, "RUST_BACKTRACE": "0",
               "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)}
        with open(self.folder / "stderr.txt", "wb") as stderr:
            # A new process, not a fork: the caller may be a server with many threads.
            self.process = subprocess.Popen(
                [sys.executable, "-m", "etl.read_worker", "--spare", str(self.folder)], cwd=ROOT, env=env,
                stdin=subprocess.PIPE, stdout=stderr, stderr=stderr, close_fds=True)

    @property
    def usable(self) -> bool:
        return self.owner == os.getpid() and self.process.poll() is None

    def start(self, path: Path, limits: Limits) -> bool:
        """Hand it the file; False if it has gone."""
        job = json.dumps({"source": str(path.resolve()), "limits": limits.to_dict()}) + "\n"
        try:
            self.process.stdin.write(job.encode("utf-8"))
            self.process.stdin.close()
            return True
        except OSError:  # it died while waiting
            return False

    def discard(self) -> None:
        if self.owner != os.getpid():
            return
        if self.process.returncode is None:
            self.process.kill()
            self.process.wait()
        with contextlib.suppress(OSError):
            self.process.stdin.close()
        shutil.rmtree(self.folder, ignore_errors=True)


def _take_worker() -> _Worker:
    """The waiting spare, or a new worker if there is none."""
    global _spare
    with _spare_lock:
        worker, _spare = _spare, None
    if worker is not None and worker.usable:
        return worker
    if worker is not None:
        worker.discard()
    return _Worker()


def _replenish() -> None:
    """A spare for the next read, started once this one is done (so as not to slow its parse)."""
    global _spare
    with _spare_lock:
        if _spare is None:
            try:
                _spare = _Worker()
            except OSError:  # no spare then: the next read starts its own worker
                logger.exception("could not start a spare reader")


@atexit.register
def _discard_spare() -> None:
    global _spare
    with _spare_lock:
        if _spare is not None:
            _spare.discard()
            _spare = None


def _read_in_worker(path: Path, limits: Limits) -> list[Sheet]:
    with _worker_slot(limits.max_workers):
        worker = _take_worker()
        try:
            started = time.monotonic()
            if not worker.start(path, limits):
                worker.discard()
                worker = _Worker()
                started = time.monotonic()
                if not worker.start(path, limits):
                    raise refuse("读取时程序异常终止", "worker_crash", None)
            # Inspected while the worker parses (the parse takes as long again on a second core): a refusal
            # ends the worker unread, and what it would have said is never heard. The worker's own limits
            # hold whatever it meets meanwhile.
            inspect_file(path, limits)
            code, peak = _wait(worker.process, started + limits.worker_seconds)
            return _result(path, worker.folder, limits, code, peak, time.monotonic() - started)
        finally:
            worker.discard()
            _replenish()


def _result(path: Path, out: Path, limits: Limits, code: int | None, peak: int | None, took: float) -> list[Sheet]:
    """The sheets a finished worker wrote, or the error it ended with."""
    log = _tail(out / "stderr.txt")
    logger.info("read %s in a worker: %.2f s, peak %s, exit %s", path.name, took,
                size_text(peak) if peak else "unknown", code)
    if log:
        logger.warning("worker reading %s said: %s", path.name, log)
    seconds = number(round(limits.worker_seconds))
    if code is None:
        raise refuse(f"读取时间超过 {seconds} 秒上限", "worker_seconds", round(took))
    if code == 0 and (out / "sheets.json").exists():
        return _collect(out, limits)
    error = _error(out)
    if code == EXIT_REFUSED and "reason" in error:
        raise RefusedFile(error["reason"], error.get("limit"), error.get("value"))
    if code == EXIT_UNREADABLE and "message" in error:
        raise UnreadableFile(error["message"])
    if code == EXIT_MEMORY or code == -signal.SIGKILL or any(sign in log for sign in OUT_OF_MEMORY):
        raise refuse(f"读取所需内存超过 {size_text(limits.worker_memory_bytes)} 上限", "worker_memory_bytes", peak)
    if code in (-signal.SIGXCPU, -signal.SIGALRM):
        raise refuse(f"读取时间超过 {seconds} 秒上限", "worker_seconds", round(took))
    raise refuse("读取时程序异常终止", "worker_crash", code)


def _wait(worker: subprocess.Popen, deadline: float) -> tuple[int | None, int | None]:
    """Its exit code (None: killed at the deadline) and peak memory in bytes (None if not known)."""
    if not hasattr(os, "wait4"):  # not Linux or macOS: no peak memory to report
        try:
            return worker.wait(timeout=max(deadline - time.monotonic(), 0)), None
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
            return None, None
    delay = 0.001
    while True:
        try:
            pid, status, usage = os.wait4(worker.pid, os.WNOHANG)
        except ChildProcessError:  # reaped elsewhere (SIGCHLD ignored): no status, no usage
            worker.returncode = 0
            return 0, None
        if pid:
            worker.returncode = os.waitstatus_to_exitcode(status)
            return worker.returncode, _peak(usage)
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            worker.kill()
            _, status, usage = os.wait4(worker.pid, 0)
            worker.returncode = os.waitstatus_to_exitcode(status)
            return None, _peak(usage)
        time.sleep(min(delay, remaining))
        delay = min(delay * 2, 0.02)


def _peak(usage) -> int:
    return usage.ru_maxrss * (1 if sys.platform == "darwin" else 1024)


def _collect(out: Path, limits: Limits) -> list[Sheet]:
    """The sheets the worker wrote, checked again against the limits before they are read in."""
    manifest = json.loads((out / "sheets.json").read_text(encoding="utf-8"))
    check_grids([(s["name"], s["rows"], s["columns"]) for s in manifest], limits)
    written = sum((out / s["file"]).stat().st_size for s in manifest)
    if written > limits.worker_memory_bytes:
        raise refuse(f"读取结果达 {size_text(written)}，超过上限 {size_text(limits.worker_memory_bytes)}",
                     "worker_memory_bytes", written)
    sheets = [Sheet(s["name"], pl.read_ipc(out / s["file"]), s["visible"]) for s in manifest]
    check_grids([(s.name, s.cells.height, s.cells.width) for s in sheets], limits)
    return sheets


def _error(out: Path) -> dict:
    try:
        return json.loads((out / "error.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _tail(path: Path) -> str:
    try:
        with path.open("rb") as f:
            f.seek(max(path.stat().st_size - STDERR_KEPT, 0))
            return f.read().decode("utf-8", "replace").strip()
    except OSError:
        return ""
