"""Command line: python -m etl load|demo ... (see shared/spec/interfaces.md).

Exit codes of `load`: 0 every file loaded (or already loaded), 1 any file
rejected, 2 a usage error.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from etl.contract import contract
from etl.pipeline import Prepared, load_file, parse_month_arg
from league.config import database_path
from league.db import Database, DatabaseBusy

STATUS_TEXT = {
    "accepted": "已载入",
    "unchanged": "与已载入的文件相同，未作更改",
    "rejected": "未载入",
    "conflict": "未载入：该单位该月数据刚被他人更新，请核对后重试",
}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m etl", description="团建看板数据载入")
    commands = parser.add_subparsers(dest="command", required=True)

    load = commands.add_parser("load", help="载入报送的文件")
    load.add_argument("--db", type=Path, help="数据库文件（默认 $LEAGUE_DASHBOARD_DB 或 data/league.duckdb）")
    load.add_argument("--kind", choices=sorted(contract().kinds), help="表的种类；不指定则按表头识别")
    load.add_argument("--unit", help="报送单位全称（台账）")
    load.add_argument("--month", help="报送月份 YYYY-MM（台账）")
    load.add_argument("--json", action="store_true", help="以 JSON 输出每个文件的结果")
    load.add_argument("files", nargs="+", type=Path)

    demo = commands.add_parser("demo", help="生成演示数据库（与看板首次启动相同）")
    demo.add_argument("--db", type=Path)
    return parser


def _print_human(result: Prepared) -> None:
    mark = "✔" if result.status in ("accepted", "unchanged") else "✘"
    kind = contract().kinds[result.kind].label if result.kind else None
    what = " ".join(str(x) for x in (kind, result.unit, result.month and f"{result.month:%Y-%m}") if x)
    rows = f"，{result.row_count} 行" if result.status == "accepted" else ""
    print(f"{mark} {result.file_name}：{STATUS_TEXT[result.status]}{rows}（{what}）")
    for problem in result.errors:
        print(f"   错误  {problem.text()}")
    for problem in result.warnings:
        print(f"   提示  {problem.text()}")


def _load(db: Database, args: argparse.Namespace) -> int:
    results = [
        load_file(db, path, kind=args.kind, unit=args.unit, month=args.month, submitted_by="命令行")
        for path in args.files
    ]
    if args.json:
        print(json.dumps([r.to_json() for r in results], ensure_ascii=False, indent=2))
    else:
        for result in results:
            _print_human(result)
    return 0 if all(r.status in ("accepted", "unchanged") for r in results) else 1


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    db = Database(args.db or database_path())
    if args.command == "load":
        missing = [str(p) for p in args.files if not p.is_file()]
        if missing:
            parser.error("找不到文件：" + "、".join(missing))
        try:
            args.month = parse_month_arg(args.month) if args.month else None
        except ValueError:
            parser.error(f"--month 应为 YYYY-MM，如 2025-03，而不是“{args.month}”")
    try:
        db.migrate()
        if args.command == "load":
            return _load(db, args)
        from etl.demo import build_demo

        build_demo(db, progress=lambda fraction, text: print(f"[{fraction:4.0%}] {text}", file=sys.stderr))
        return 0
    except DatabaseBusy as exc:
        print(str(exc), file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
