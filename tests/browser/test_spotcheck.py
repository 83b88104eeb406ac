"""An inspector takes a spot-check pack on a visit, fills it in on site, loads it back and sees the verification rate.

The pack is drawn on 随机抽查, downloaded as the .xlsx it is filled in on,
typed into with openpyxl as a person would type into Excel, sent on 上传 and
read back on the unit's page of 下钻.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

import openpyxl
import pytest

from tests.browser.conftest import account_for
from tests.browser.test_upload import LOADED
from tests.stores import store_at

XLSX_BUTTON = "下载抽查包（Excel，现场填写后上传）"
PACK_SIZE = 6


def unit_never_checked(db_path: Path | str) -> tuple[str, str]:
    """A reporting unit (and its district) with no pack yet and at least two league organisations to confirm."""
    row = store_at(db_path).query(
        "select u.name, u.district from units u join ledger l on l.unit = u.name"
        " where u.unit_id not in (select unit_id from spot_check_packs)"
        "   and l.report_month = (select max(report_month) from ledger)"
        " group by u.name, u.district having count_if(l.has_league_org) >= 2 order by u.name desc limit 1").row(0)
    return row[0], row[1]


def filled_on_site(pack: Path, target: Path) -> tuple[int, int]:
    """Every organisation found with the ledger's members, every league organisation confirmed but the first
    claimed: how many the pack claims and how many are confirmed."""
    book = openpyxl.load_workbook(pack)
    sheet = book["抽查包"]
    header = next(r for r in range(1, 10) if sheet.cell(r, 1).value == "序号")
    column = {sheet.cell(header, c).value: c for c in range(1, sheet.max_column + 1)}
    claimed = confirmed = 0
    for row in range(header + 1, sheet.max_row + 1):
        if sheet.cell(row, column["统一社会信用代码"]).value is None:
            continue
        has_league_org = sheet.cell(row, column["台账是否建立团组织"]).value == "是"
        confirmed_here = has_league_org and claimed > 0  # the first claimed is not there on the day
        claimed += has_league_org
        confirmed += confirmed_here
        sheet.cell(row, column["是否存在"]).value = "是"
        sheet.cell(row, column["团组织是否属实"]).value = "是" if confirmed_here else "否"
        sheet.cell(row, column["实有团员数"]).value = sheet.cell(row, column["台账团员数"]).value or 0
    target.parent.mkdir(parents=True, exist_ok=True)
    book.save(target)
    return claimed, confirmed


def test_inspector_takes_a_pack_fills_it_on_site_and_sees_the_verification_rate(app, app_db, demo_db, tmp_path):
    unit, district = unit_never_checked(demo_db.address)  # the server holds its copy; packs are drawn only here
    app.account = account_for(app_db, "inspector")
    app.open("/spotcheck", "随机抽查")
    app.choose("被抽查单位", unit)
    app.page.get_by_label("抽取组织数", exact=True).fill(str(PACK_SIZE))
    app.click("生成抽查包", f"：{unit}")
    app.shot("pack-drawn")
    pack = app.download(XLSX_BUTTON, tmp_path / "pack")
    assert pack.suffix == ".xlsx" and unit in pack.name

    filled = tmp_path / "filled" / pack.name
    claimed, confirmed = filled_on_site(pack, filled)
    assert claimed >= 1, "the pack holds no league organisation to confirm"
    app.go_to("上传", "上传报送文件")
    app.upload(filled, "检查通过")
    app.shot("findings-checked")
    app.click("确认载入", LOADED)

    app.open(f"/drilldown?{urlencode({'drill_district': district, 'drill_unit': unit})}", f"{unit}概况")
    app.shot("unit-verified")
    # The grid's accessible copy holds the number behind a share shown as a percent.
    this_month = next(row for row in app.table("团组织核实系数") if row["期间"] == "本月")
    assert float(this_month["团组织核实系数"]) == pytest.approx(100 * confirmed / claimed, abs=0.05), this_month
    assert float(this_month["团员核实系数"]) == 100, this_month
