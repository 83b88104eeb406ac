"""The worker process that parses one submitted file within limits (started by etl.read, never imported).

    python -m etl.read_worker --spare OUT_DIR     wait for {"source": ..., "limits": {...}} on stdin
    python -m etl.read_worker FILE OUT_DIR        parse FILE now, with the limits of etl/limits.toml

etl.read keeps one spare waiting, its libraries imported, so that a read does
not wait for Python to start. Limits:
  - RLIMIT_DATA, the memory ceiling, is set before the parsing libraries are
    imported (to the default ceiling) and lowered to the job's when it arrives:
    an allocation beyond it fails, and a failed allocation in calamine or polars
    aborts the process. (RLIMIT_AS would count the address space polars'
    allocator reserves and never uses: a parse using 250 MB reserves over 2 GB,
    and whether it fails at a given ceiling comes and goes.)
  - RLIMIT_CPU and an alarm a little past the time limit end it even if the
    parent has gone; the parent kills it at the time limit itself.
It parses the file as etl.read.parse does in-process, writes each sheet as an
Arrow IPC file in OUT_DIR, then, last, sheets.json naming them (name, visible,
rows, columns): its presence means success.

Exit codes: 0 done (or no job came); 3 unreadable, 4 refused (error.json: the
message, or the reason and the limit); 5 out of memory. A signal means a crash.
"""

from __future__ import annotations

import json
import math
import os
import resource
import shutil
import signal
import sys
import traceback
from pathlib import Path

EXIT_UNREADABLE, EXIT_REFUSED, EXIT_MEMORY = 3, 4, 5  # the same in etl.read


def limit_memory(memory_bytes: int, *, final: bool) -> None:
    """The data segment's ceiling; `final` sets the hard limit too, so that nothing parsed can raise it."""
    memory_bytes = int(memory_bytes)
    _, hard = resource.getrlimit(resource.RLIMIT_DATA)
    if hard != resource.RLIM_INFINITY:
        memory_bytes = min(memory_bytes, hard)
    resource.setrlimit(resource.RLIMIT_DATA, (memory_bytes, memory_bytes if final else hard))


def limit_time(seconds: float) -> None:
    cpu = math.ceil(seconds) * 2 + 10  # two cores' worth and some: a backstop, the wall clock decides
    used = resource.getrusage(resource.RUSAGE_SELF)
    cpu += math.ceil(used.ru_utime + used.ru_stime)  # what starting took
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    if hard != resource.RLIM_INFINITY:
        cpu = min(cpu, hard - 1)
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5 if hard == resource.RLIM_INFINITY else hard))
    signal.signal(signal.SIGALRM, signal.SIG_DFL)
    signal.alarm(math.ceil(seconds) + 10)


def main(argv: list[str]) -> int:
    from etl.limits import Limits  # light: the standard library only

    if argv[:1] == ["--spare"]:
        out = Path(argv[1])
        limit_memory(Limits.default().worker_memory_bytes, final=False)
        _preload()
        line = sys.stdin.readline()
        if not line:  # the parent has gone (or let the spare go): nobody will read the folder
            shutil.rmtree(out, ignore_errors=True)
            return 0
        job = json.loads(line)
        source, values = job["source"], job["limits"]
    else:
        source, out = argv[0], Path(argv[1])
        values = Limits.default().to_dict()
    limit_memory(values["worker_memory_bytes"], final=True)
    limit_time(values["worker_seconds"])
    return parse_into(Path(source), out, Limits.from_dict(values))


def _preload() -> None:
    """What parsing needs, imported while the spare waits."""
    import charset_normalizer  # noqa: F401
    import fastexcel  # noqa: F401

    import etl.read  # noqa: F401  (polars)


def parse_into(path: Path, out: Path, limits) -> int:
    from etl.inspect import RefusedFile, UnreadableFile, check_file_size

    try:
        check_file_size(path.stat().st_size, limits)
        from etl.read import parse

        sheets = parse(path.read_bytes(), path.stem, limits)
        manifest = []
        for i, sheet in enumerate(sheets):
            name = f"sheet{i}.arrow"
            sheet.cells.write_ipc(out / name)
            manifest.append({"file": name, "name": sheet.name, "visible": sheet.visible,
                             "rows": sheet.cells.height, "columns": sheet.cells.width})
    except MemoryError:
        return EXIT_MEMORY
    except RefusedFile as exc:
        return _fail(out, EXIT_REFUSED, {"reason": exc.reason, "limit": exc.limit, "value": exc.value})
    except UnreadableFile as exc:  # what the parser said is on stderr already, logged by etl.read
        return _fail(out, EXIT_UNREADABLE, {"message": str(exc)})
    except Exception:  # anything else the parsers raise on a file they do not expect
        traceback.print_exc()
        from etl.read import UNREADABLE

        return _fail(out, EXIT_UNREADABLE, {"message": UNREADABLE})
    part = out / "sheets.json.part"
    part.write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    os.replace(part, out / "sheets.json")
    return 0


def _fail(out: Path, code: int, error: dict) -> int:
    (out / "error.json").write_text(json.dumps(error, ensure_ascii=False), encoding="utf-8")
    return code


if __name__ == "__main__":
    code = main(sys.argv[1:])
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)  # everything is written and closed: skip tearing down polars and the interpreter (~60 ms)
