"""Command line: python -m etl load|demo|users|bulletin|spotcheck ... (see shared/spec/interfaces.md).

Exit codes of `load`: 0 every file loaded (or already loaded), 1 any file
rejected, 2 a usage error. Of `bulletin`: 0 written, 1 it could not be
written on this machine (what to install is said), 2 a usage error (a bad
month or one with no ledger, a suffix other than .docx or .pdf). Of
`spotcheck`: the same (2 also for a unit that is not a reporting unit or a
size out of range).
"""

from __future__ import annotations

import argparse
import getpass
import json
import logging
import os
import sys
import tempfile
from pathlib import Path

import duckdb

from etl import handoff, report
from etl.contract import contract, header_key
from etl.headers import HOW_WORDS, SET_ASIDE
from etl.pipeline import Prepared, StorageError, load_file, parse_month_arg
from league import access
from league.access import ROLES, AccountError
from league.config import data_dir, database_address, store_address
from league.db import Database, DatabaseBusy
from league.store import StoreMisconfigured, is_lake

STATUS_TEXT = {
    "accepted": "已载入",
    "unchanged": "与已载入的文件相同，未作更改",
    "rejected": "未载入",
    "conflict": "未载入：该单位该月数据刚被他人更新，请核对后重试",
}
MAINTENANCE_KEEP_DAYS = 7  # a week of snapshots kept for time travel; files waiting as long before they go
NOT_READ = ("-", "忽略", "不读取", "ignore")  # what --map 'HEADER=-' may say for a column not to be read


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m etl", description="团建看板数据载入")
    commands = parser.add_subparsers(dest="command", required=True)

    load = commands.add_parser("load", help="载入报送的文件")
    load.add_argument("--db", type=store_address, help="数据库文件（默认 $LEAGUE_DASHBOARD_DB 或 data/league.duckdb）")
    load.add_argument("--kind", choices=sorted(contract().kinds), help="表的种类；不指定则按表头识别")
    load.add_argument("--unit", help="报送单位全称（台账）")
    load.add_argument("--month", help="报送月份 YYYY-MM（台账）")
    load.add_argument("--map", action="append", default=[], metavar="HEADER=field",
                      help="指定某个表头对应的字段（字段名或模板列名，如 '栏目十三=团员数'；'表头=-' 表示不读取该列），可多次使用")
    load.add_argument("--accept-drop", action="store_true",
                      help="确认载入组织数比上月或原台账减少一半以上、或含模板示例行的台账")
    load.add_argument("--json", action="store_true", help="以 JSON 输出每个文件的结果，含每个表头的识别方式")
    load.add_argument("files", nargs="+", type=Path)

    demo = commands.add_parser("demo", help="生成演示数据库（与看板首次启动相同）")
    demo.add_argument("--db", type=store_address)

    users = commands.add_parser("users", help="管理账号（密码从标准输入读取或提示输入，从不作为参数）")
    users.add_argument("--db", type=store_address)
    action = users.add_subparsers(dest="action", required=True)
    add = action.add_parser("add", help="添加账号")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=list(ROLES))
    add.add_argument("--scope", help="账号的单位范围（单位全称）：查看及报送该单位及其下属单位；领导、督导默认全市")
    action.add_parser("disable", help="停用账号，其登录立即失效").add_argument("name")
    action.add_parser("enable", help="重新启用停用的账号").add_argument("name")
    action.add_parser("reset", help="重置密码（下次登录须修改）").add_argument("name")
    action.add_parser("list", help="列出所有账号")

    province = commands.add_parser("province", help="生成用于规模测试的模拟省份（默认 100 万个组织）")
    province.add_argument("--db", type=store_address)
    province.add_argument("--orgs", type=int, default=1_000_000, help="组织数（默认 1,000,000）")
    province.add_argument("--seed", type=int, default=0, help="随机种子（相同种子生成相同数据）")

    bulletin = commands.add_parser("bulletin", help="生成月度通报（Word 或 PDF，按文件后缀）")
    bulletin.add_argument("--db", type=store_address)
    bulletin.add_argument("--month", required=True, help="通报月份 YYYY-MM")
    bulletin.add_argument("--out", required=True, type=Path, help="输出文件：.docx（Word）或 .pdf")

    spotcheck = commands.add_parser("spotcheck", help="生成随机抽查包（Excel 或 PDF，按文件后缀），与“随机抽查”页面相同")
    spotcheck.add_argument("--db", type=store_address)
    spotcheck.add_argument("--unit", required=True, help="被抽查的报送单位全称")
    spotcheck.add_argument("--month", required=True, help="抽查的台账月份 YYYY-MM")
    spotcheck.add_argument("--size", required=True, type=int, help="抽取的组织数")
    spotcheck.add_argument("--seed", type=int, help="随机种子（不小于 0 的整数）；不指定则随机生成并显示")
    spotcheck.add_argument("--out", required=True, type=Path, help="输出文件：.xlsx（Excel）或 .pdf")

    maintain = commands.add_parser("maintain", help="整理 DuckLake 存储的数据文件（合并小文件、清理过期快照），看板无需停止")
    maintain.add_argument("--db", type=store_address)
    maintain.add_argument("--keep-days", type=int, default=MAINTENANCE_KEEP_DAYS,
                          help=f"快照及待删文件保留的天数（默认 {MAINTENANCE_KEEP_DAYS}）；报送记录不受影响，全部保留")

    move = commands.add_parser("migrate-store", help="把 DuckDB 文件中的全部数据迁入新的 DuckLake 存储（须先停止看板）")
    move.add_argument("--from", dest="source", required=True, type=Path, help="DuckDB 数据库文件")
    move.add_argument("--to", dest="target", required=True,
                      help="DuckLake 地址，如 'ducklake:postgres:dbname=league host=… user=…'；"
                           "数据文件夹由 $LEAGUE_DASHBOARD_DATA_PATH 指定")
    return parser


def _maintain(db: Database, args: argparse.Namespace) -> int:
    if not db.lake:
        print("DuckDB 数据库文件会自行整理，无需维护。", file=sys.stderr)
        return 0
    done = db.maintain(args.keep_days)
    print(f"已整理：写出目录中的数据 {done['inlined_flushed']:,} 批、合并小文件 {done['files_merged']:,} 组、"
          f"清理 {args.keep_days} 天前的快照 {done['snapshots_expired']:,} 个、删除不再需要的文件 {done['files_deleted']:,} 个。")
    return 0


def _migrate_store(args: argparse.Namespace) -> int:
    from etl.migrate_store import migrate_store

    try:
        counts = migrate_store(args.source, args.target)
    except (StoreMisconfigured, DatabaseBusy) as exc:
        print(str(exc), file=sys.stderr)
        return 1
    print(f"已迁入 DuckLake 存储：{len(counts)} 张表，其中报送记录 {counts.get('submissions', 0):,} 份、"
          f"台账 {counts.get('ledger_rows', 0):,} 行。")
    return 0


def _read_password() -> str:
    """A new password: prompted for twice at a terminal; from standard input, one line or the same line twice."""
    if sys.stdin.isatty():
        first, second = getpass.getpass("新密码："), getpass.getpass("再次输入新密码：")
    else:
        lines = sys.stdin.read().splitlines()
        first = lines[0] if lines else ""
        second = lines[1] if len(lines) > 1 else first
    if first != second:
        raise AccountError("两次输入的密码不一致。")
    return first


def _users(db: Database, args: argparse.Namespace) -> int:
    by = access.command_line_actor()
    if args.action == "list":
        for row in access.list_users(db).iter_rows(named=True):
            state = "（已停用）" if row["disabled"] else ("（须修改密码）" if row["must_change"] else "")
            print(f"{row['name']}\t{ROLES[row['role']]}\t{row['view_scope'] or row['submit_scope'] or '—'}{state}")
        return 0
    if args.action == "add":
        access.add_user(db, args.name, args.role, args.scope, args.password, by=by, address="命令行")
    elif args.action == "reset":
        access.reset_password(db, args.name, args.password, by=by, address="命令行")
    else:
        access.set_disabled(db, args.name, args.action == "disable", by=by, address="命令行")
    print({"add": "已添加", "reset": "已重置密码", "disable": "已停用", "enable": "已启用"}[args.action]
          + f"：{args.name}", file=sys.stderr)
    return 0


def _print_human(result: Prepared) -> None:
    mark = "✔" if result.status in ("accepted", "unchanged") else "✘"
    kind = contract().kinds[result.kind].label if result.kind else None
    what = " ".join(str(x) for x in (kind, result.unit, result.month and f"{result.month:%Y-%m}") if x)
    rows = f"，{result.row_count} 行" if result.status == "accepted" else ""
    print(f"{mark} {result.file_name}：{STATUS_TEXT[result.status]}{rows}" + (f"（{what}）" if what else ""))
    changes = result.changes
    if changes is not None and changes.replaces_received_at is not None:
        print(f"   替换  {result.month:%Y-%m} 于 {changes.replaces_received_at:%m-%d %H:%M} 收到的台账："
              f"{changes.against_replaced.text()}")
    if changes is not None and changes.against_last_month is not None:
        print(f"   对比  上月（{changes.last_month:%Y-%m}）：{changes.against_last_month.text()}")
    for problem in report.in_row_order(result.problems):
        print(f"   {'错误' if problem.severity == 'error' else '提示'}  {problem.text()}")
    unclear = [r for r in result.readings if r.how not in ("exact", "mapped")]
    if unclear and result.kind:
        labels = {f.name: f.label for f in contract().kinds[result.kind].fields}
        print("   表头识别：" + "；".join(f"“{r.header}” → {labels.get(r.field, '（不读取）')}（{HOW_WORDS[r.how]}）"
                                        for r in unclear))


def _header_map(parser: argparse.ArgumentParser, pairs: list[str], kind: str | None) -> dict[str, str]:
    """--map 'HEADER=field' -> normalised header -> field name ('' for a column not to be read)."""
    kinds = [contract().kinds[kind]] if kind else list(contract().kinds.values())
    mapping = {}
    for pair in pairs:
        header, sep, target = pair.rpartition("=")
        if not sep or not header.strip() or not target.strip():
            parser.error(f"--map 应写成 '表头=字段'，而不是“{pair}”")
        if target.strip().lower() in NOT_READ:
            mapping[header_key(header)] = SET_ASIDE
            continue
        found = {f.name for k in kinds if (f := k.field_named(target.strip()))}
        if len(found) != 1:
            parser.error(f"--map 中的“{target}”不是{'唯一的' if found else ''}字段名或模板列名")
        mapping[header_key(header)] = found.pop()
    return mapping


def _load(db: Database, args: argparse.Namespace) -> int:
    results = [
        load_file(db, path, kind=args.kind, unit=args.unit, month=args.month, submitted_by=access.command_line_actor(),
                  header_map=args.header_map, accept_drop=args.accept_drop)
        for path in args.files
    ]
    if args.json:
        print(json.dumps([r.to_json() for r in results], ensure_ascii=False, indent=2))
    else:
        for result in results:
            _print_human(result)
    return 0 if all(r.status in ("accepted", "unchanged") for r in results) else 1


def _bulletin(db: Database, args: argparse.Namespace) -> int:
    """The month's bulletin for the whole tree, written where --out says; the file counts as a download."""
    from league import bulletin, bulletin_render, gateway, queries

    root = queries.whole_tree(db)
    actor = access.Actor(access.command_line_actor(), "leadership", root, gateway.unit_path(db, root))
    try:
        made = bulletin.bulletin(db, actor, args.month)
    except bulletin.BulletinError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    try:
        path = bulletin_render.render(made, args.out)
    except bulletin_render.RenderError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    access.record(db, actor.name, "download", None,
                  {"file": f"月度通报：{path.name}", "rows": made.rows, "bytes": path.stat().st_size}, "命令行")
    print(path)
    return 0


def _spotcheck(db: Database, args: argparse.Namespace) -> int:
    """Draw a pack as an inspector of the whole tree and write it where --out says; the file counts as a download."""
    from league import gateway, queries, spotcheck

    suffix = args.out.suffix.lower()
    if suffix in (missing := spotcheck.missing_tools()):
        print(missing[suffix], file=sys.stderr)
        return 1
    root = queries.whole_tree(db)
    actor = access.Actor(access.command_line_actor(), "inspector", root, gateway.unit_path(db, root))
    seed = spotcheck.new_seed() if args.seed is None else args.seed
    try:
        pack = spotcheck.draw_pack(db, actor, args.unit, args.month, args.size, seed, address="命令行")
    except spotcheck.SpotCheckError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    content = spotcheck.to_bytes(pack, suffix)
    args.out.write_bytes(content)
    access.record(db, actor.name, "download", pack.unit,
                  {"file": f"抽查包：{args.out.name}", "rows": pack.items.height, "bytes": len(content)}, "命令行")
    print(pack.describe(), file=sys.stderr)
    print(args.out)
    return 0


def _province(db: Database, args: argparse.Namespace) -> int:
    from etl.province import build_province

    if args.orgs < 100:
        print("--orgs 至少为 100。", file=sys.stderr)
        return 2
    if db.scalar("select count(*) from submissions"):
        print(f"数据库 {db.address} 中已有数据；请指定一个新的 --db 文件。", file=sys.stderr)
        return 2
    made = build_province(db, orgs=args.orgs, seed=args.seed,
                          progress=lambda fraction, text: print(f"[{fraction:4.0%}] {text}", file=sys.stderr))
    print(f"模拟省份：{made.organisations:,} 个组织、{made.units:,} 个报送单位、{made.districts:,} 个区县，"
          f"{made.submissions:,} 份台账、{made.ledger_rows:,} 行。")
    return 0


def _log_to_file(address: str | Path) -> None:
    """Details of failures go to a log file (logs/etl.log beside the database, else the temporary folder),
    never to the person's screen."""
    try:
        beside = [data_dir(address) / "logs"]
    except StoreMisconfigured:  # said when the store is opened
        beside = []
    for folder in (*beside, Path(tempfile.gettempdir())):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            handler = logging.FileHandler(folder / "etl.log", encoding="utf-8")
        except OSError:
            continue
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        logging.basicConfig(level=logging.WARNING, handlers=[handler], force=True)
        return
    logging.basicConfig(level=logging.CRITICAL + 1, handlers=[logging.NullHandler()], force=True)


def _arguments(argv: list[str], cwd: Path | None = None) -> argparse.Namespace:
    """The command's arguments, checked (a usage error exits with 2); paths read from cwd when given."""
    parser = _parser()
    args = parser.parse_args(argv)
    if cwd is not None:  # a handed-off command: its paths are the sending shell's
        for name in ("db", "out"):
            if isinstance(getattr(args, name, None), Path):
                setattr(args, name, cwd / getattr(args, name))
        if args.command == "load":
            args.files = [cwd / path for path in args.files]
    if args.command == "maintain" and args.keep_days < 0:
        parser.error("--keep-days 应为不小于 0 的整数")
    if args.command == "load":
        missing = [str(p) for p in args.files if not p.is_file()]
        if missing:
            parser.error("找不到文件：" + "、".join(missing))
        try:
            args.month = parse_month_arg(args.month) if args.month else None
        except ValueError:
            parser.error(f"--month 应为 YYYY-MM，如 2025-03，而不是“{args.month}”")
        args.header_map = _header_map(parser, args.map, args.kind)
    if args.command == "bulletin":
        from league.bulletin_render import FormatError, check_suffix

        try:
            args.month = parse_month_arg(args.month)
        except ValueError:
            parser.error(f"--month 应为 YYYY-MM，如 2025-03，而不是“{args.month}”")
        try:
            check_suffix(args.out)
        except FormatError as exc:
            parser.error(str(exc))
    if args.command == "spotcheck":
        from league.spotcheck import SpotCheckError, check_suffix

        try:
            args.month = parse_month_arg(args.month)
            check_suffix(args.out)
        except ValueError as exc:  # SpotCheckError is one
            parser.error(str(exc) if isinstance(exc, SpotCheckError) else
                         f"--month 应为 YYYY-MM，如 2025-03，而不是“{args.month}”")
    return args


def _asks_password(args: argparse.Namespace) -> bool:
    return args.command == "users" and args.action in ("add", "reset")


def _execute(args: argparse.Namespace) -> int:
    try:
        db = Database(args.db or database_address())
    except StoreMisconfigured as exc:
        print(str(exc), file=sys.stderr)
        return 1
    try:
        db.migrate()
        if args.command == "load":
            return _load(db, args)
        if args.command == "users":
            return _users(db, args)
        if args.command == "bulletin":
            return _bulletin(db, args)
        if args.command == "spotcheck":
            return _spotcheck(db, args)
        if args.command == "province":
            return _province(db, args)
        if args.command == "maintain":
            return _maintain(db, args)
        from etl.demo import build_demo

        build_demo(db, progress=lambda fraction, text: print(f"[{fraction:4.0%}] {text}", file=sys.stderr))
        return 0
    except (DatabaseBusy, StorageError, AccountError, StoreMisconfigured) as exc:
        print(str(exc), file=sys.stderr)
        return 1
    except (OSError, duckdb.IOException, duckdb.PermissionException):
        logging.getLogger("etl").exception("could not open or write %s", db.address)
        print(StorageError(), file=sys.stderr)
        return 1


def run_handed_off(argv: list[str], cwd: str) -> int:
    """A command sent by `python -m etl` from another shell, run in the process that holds the database."""
    args = _arguments(argv, Path(cwd))
    try:
        args.password = _read_password() if _asks_password(args) else None  # what the sender read, as stdin
    except AccountError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    return _execute(args)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = _arguments(argv)
    if args.command == "migrate-store":
        _log_to_file(args.source)
        return _migrate_store(args)
    address = args.db or database_address()
    _log_to_file(address)
    try:
        args.password = _read_password() if _asks_password(args) else None
    except AccountError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    # The app holds the database file: the command runs there, on the same file whatever that shell's settings
    # say. A DuckLake store is shared by every process: the command runs here.
    handed = None if is_lake(address) else handoff.forward(
        address, [argv[0], "--db", os.path.abspath(address), *argv[1:]],
        stdin=None if args.password is None else args.password + "\n")
    return _execute(args) if handed is None else handed


if __name__ == "__main__":
    sys.exit(main())
