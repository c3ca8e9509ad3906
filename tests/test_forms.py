"""Form-shaped sheets (reports/forms.py): which forms a scheme gets, their items in the cited
order, money equal to plan_grant's, KPI 増加分 and 累計, sources on the sheet, recalculation."""
from __future__ import annotations

import io
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from assessments.programme.costs import plan_costs
from assessments.programme.grants import plan_grant
from reports import forms as F
from reports.excel import build_workbook
from reports.styles import register_styles
from tests.grant_rows import BY_ID, SCHEMES, SHARES

SAMPLE = Path(__file__).resolve().parents[1] / "datasets" / "sample_district" / "plan.json"


def form_plan(scheme_id: str) -> dict:
    """The sample district with prices, a start year, KPIs and one cost item.

    11 cameras × 300,000 円 + 設置工事 100,000 円 × 11 = 4,400,000 円 initial (税込);
    電気料金 50,000 円/年.
    """
    plan = json.loads(SAMPLE.read_text(encoding="utf-8"))
    for i, cam in enumerate(plan["cameras"]):
        cam["unit_price_jpy"] = 300_000
        cam["address"] = f"新座市 通学路 {i + 1}"
    plan["cameras"][1]["site"] = plan["cameras"][0]["site"] = "P1"  # two cameras, one pole
    plan["project"].update(start_fy=2026, applicant="サンプル町会")
    plan["kpis"] = [
        {"name": "通学路の刑法犯認知件数", "unit": "件", "baseline": 12, "targets": [10, 8, 6]},
        {"name": "見守り登録児童数", "unit": "人", "baseline": 0, "targets": [50, 120, 200]},
    ]
    plan["costs"]["items"] = [{"category": "installation", "name": "設置工事",
                               "unit_price_jpy": 100_000, "quantity": 11}]
    plan["costs"]["running"] = [{"category": "electricity", "name": "電気料金",
                                 "annual_jpy": 50_000}]
    plan["grant"] = {"scheme_id": scheme_id}
    return plan


def form_book(scheme_id: str, **kw):
    plan = form_plan(scheme_id)
    wb = Workbook()
    wb.remove(wb.active)
    register_styles(wb)
    titles = F.write_form_sheets(wb, plan, scheme=dict(BY_ID[scheme_id]), shares=SHARES, **kw)
    return plan, wb, titles


def column_a(ws) -> list[str]:
    return [str(c.value) for c in ws["A"] if c.value is not None]


def all_text(ws) -> str:
    return "\n".join(str(c.value) for row in ws.iter_rows() for c in row if c.value is not None)


def find_row(ws, label: str) -> int:
    return next(c.row for c in ws["A"] if c.value == label)


def test_forms_follow_the_scheme():
    assert F.forms_for(BY_ID["shinchiho_digital_a"]) == ["jisshi"]
    assert F.forms_for(BY_ID["dtd_type1"]) == ["jisshi"]
    assert F.forms_for(BY_ID["tokyo_mimamori"]) == ["shushi", "basho"]
    assert F.forms_for(BY_ID["kakogawa_camera"]) == ["shushi", "basho"]
    assert F.forms_for(BY_ID["hyogo_camera"]) == ["shushi", "basho"]
    assert F.forms_for(BY_ID["mlit_smartcity"]) == []  # no form researched for it
    assert F.forms_for(None) == []


def test_kpi_increments_and_cumulative():
    # 12 → 10 → 8 → 6: each year −2, 累計 −6 (= 6 − 12)
    assert F.kpi_increments({"baseline": 12, "targets": [10, 8, 6]}, 3) == (12, [-2, -2, -2])
    # 0 → 50 → 120 → 200: 50, 70, 80, 累計 200; a 4th year without a target is empty
    base, inc = F.kpi_increments({"baseline": 0, "targets": [50, 120, 200]}, 4)
    assert inc == [50, 70, 80, None] and sum(inc[:3]) == 200
    # a missing year: the next increase counts from the last known value (5 → 9: +4)
    assert F.kpi_increments({"baseline": "1", "targets": [5, None, 9]}, 3)[1] == [4, None, 4]


def test_national_form_items_in_the_cited_order():
    plan, wb, titles = form_book("shinchiho_digital_a")
    assert titles == ["様式_実施計画"]
    ws = wb["様式_実施計画"]
    labels = column_a(ws)
    order = ["1 事業名（計画の名称）", "2 作成主体の名称", "3 区域", "4 事業概要",
             "5 重要業績評価指標（KPI）", "6 年度別事業費 [円]（税込）", "7 実施期間（交付対象期間）",
             "8 事業費と交付金（初期費用のみ。運用費は含めない）"]
    assert [labels.index(x) for x in order] == sorted(labels.index(x) for x in order)
    text = all_text(ws)
    assert F.UNVERIFIED_NOTE in text and "税込" in text
    for key in ("N1", "N2", "N3", "N4"):
        assert F.FORM_SOURCES[key].url in text
    assert BY_ID["shinchiho_digital_a"]["source"] in text
    # 実施期間: TYPE A is single-year from 令和8年度, KPI over 3 years (令和8〜10年度)
    period = ws.cell(find_row(ws, "7 実施期間（交付対象期間）"), 2).value
    assert period.startswith("令和8年度（単年度）") and "令和10年度（3年間）" in period
    assert ws.oddHeader.left.text == "埼玉県 新座市"
    assert int(ws.page_setup.paperSize) == 9  # A4


def test_national_form_money_equals_plan_grant():
    plan, wb, _ = form_book("shinchiho_digital_a")
    ws = wb["様式_実施計画"]
    g = plan_grant(plan, schemes=SCHEMES, shares=SHARES)
    # hand: initial 11 × 300,000 + 11 × 100,000 = 4,400,000; TYPE A 1/2 → 2,200,000
    assert g.costs.initial_jpy == 4_400_000 and g.amounts.grant_jpy == 2_200_000
    values = {ws.cell(r, 1).value: ws.cell(r, 3).value for r in range(1, ws.max_row + 1)}
    assert values["総事業費（初期費用）"] == 4_400_000
    assert values["交付対象事業費"] == g.amounts.eligible_jpy == 4_400_000
    assert values["交付金額（1/2）"] == 2_200_000
    assert values["地方負担"] == 2_200_000
    # 年度別事業費: 初期費用 in 令和8年度 only, 運用費 50,000 every year (5 years)
    r = find_row(ws, "1年目（令和8年度）")
    assert ws.cell(r, 2).value == 4_400_000 and ws.cell(r, 3).value == 50_000
    assert ws.cell(r + 1, 2).value == 0 and ws.cell(r + 4, 1).value == "5年目（令和12年度）"


def test_national_form_kpi_rows():
    _, wb, _ = form_book("shinchiho_digital_a")
    ws = wb["様式_実施計画"]
    r = find_row(ws, "通学路の刑法犯認知件数")
    assert [ws.cell(r, c).value for c in range(2, 7)] == ["件", 12, -2, -2, -2]
    assert ws.cell(r, 7).value == "=SUM(D{0}:F{0})".format(r)  # 累計 of the 3 years
    r2 = find_row(ws, "見守り登録児童数")
    assert [ws.cell(r2, c).value for c in range(3, 7)] == [0, 50, 70, 80]
    header = [ws.cell(r - 1, c).value for c in range(1, 8)]
    assert header[2] == "事業開始前（現時点）" and header[-1] == "KPI増加分の累計"
    assert header[3] == "1年目（令和8年度） 増加分"


def test_tokyo_income_side_equals_plan_grant():
    plan, wb, titles = form_book("tokyo_mimamori")
    assert titles == ["様式_収支予算書", "様式_設置場所一覧"]
    ws = wb["様式_収支予算書"]
    g = plan_grant(plan, schemes=SCHEMES, shares=SHARES)
    # hand: eligible 4,400,000 (11 × 600,000 per-camera cap is above it);
    # 都 7/12 × 4,400,000 = 2,566,666.67 → 2,566,666; grant = ⌊4,400,000 × 11/12⌋ = 4,033,333;
    # 区市町村 = 4,033,333 − 2,566,666 = 1,466,667; 団体 = 4,400,000 − 4,033,333 = 366,667
    want = {"都補助金": 2_566_666, "区市町村補助金": 1_466_667, "団体負担金（自己負担）": 366_667}
    got = {ws.cell(r, 1).value: ws.cell(r, 3).value for r in range(1, ws.max_row + 1)
           if ws.cell(r, 1).value in want}
    assert got == want
    assert [s["amount_jpy"] for s in g.amounts.shares] == list(want.values())
    labels = column_a(ws)
    order = ["事業名", "申請団体", "設置か所数 [か所]", "防犯カメラ台数 [台]", "1 収入の部 [円]",
             "都補助金", "区市町村補助金", "団体負担金（自己負担）", "収入 計", "2 支出の部 [円]（税込）",
             "支出 計", "収入 計 − 支出 計（0 になること）"]
    assert [labels.index(x) for x in order] == sorted(labels.index(x) for x in order)
    # か所数: cameras 1 and 2 share pole P1 → 11 cameras on 10 sites (plan_costs)
    assert ws.cell(find_row(ws, "設置か所数 [か所]"), 2).value == plan_costs(plan).sites == 10
    text = all_text(ws)
    assert F.UNVERIFIED_NOTE in text
    for key in ("T1", "T2", "C1", "C2", "K1"):
        assert F.FORM_SOURCES[key].url in text
    # the running cost is outside the subsidy and said so
    assert "維持管理費（年額 50,000 円）" in text


def test_site_list_one_line_per_site():
    plan, wb, _ = form_book("tokyo_mimamori", map_png=None)
    ws = wb["様式_設置場所一覧"]
    rows = F.site_rows(plan["cameras"])
    assert len(rows) == 10 and rows[0]["count"] == 2 and rows[0]["amount_jpy"] == 600_000
    first = find_row(ws, 1)
    assert ws.cell(first, 2).value == "P1"
    assert ws.cell(first, 5).value == "2台（C1、C2）"
    assert ws.cell(first, 7).value == 600_000
    assert ws.cell(first + 9, 1).value == 10 and ws.cell(first + 10, 1).value == "設置か所数 計"
    assert ws.cell(first + 10, 5).value == 10
    assert F.FORM_SOURCES["H2"].url in all_text(ws)


def test_fixed_amount_scheme_income_lines():
    plan, wb, _ = form_book("kakogawa_camera")
    ws = wb["様式_収支予算書"]
    g = plan_grant(plan, schemes=SCHEMES, shares=SHARES)
    # hand: 加古川 定額 120,000 (1st site) + 80,000 × 9 further sites = 840,000
    assert g.amounts.grant_jpy == 840_000
    values = {ws.cell(r, 1).value: ws.cell(r, 3).value for r in range(1, ws.max_row + 1)}
    assert values["加古川市補助金"] == 840_000
    assert values["申請者負担金（自己負担）"] == 4_400_000 - 840_000


def test_linked_cells_refer_to_the_cost_sheet():
    refs = [("初期費用（設備・設置工事）", "'事業費'!$C$40"), ("補助対象経費", "'事業費'!$C$44"),
            ("補助金（国・上位団体の負担）", "'事業費'!$C$45"),
            ("地方負担（補助の対象とする費用のうち）", "'事業費'!$C$46")]
    _, wb, _ = form_book("shinchiho_digital_a", cost_refs=refs)
    ws = wb["様式_実施計画"]
    assert ws.cell(find_row(ws, "総事業費（初期費用）"), 3).value == "='事業費'!$C$40"
    assert ws.cell(find_row(ws, "交付金額（1/2）"), 3).value == "='事業費'!$C$45"
    assert ws.cell(find_row(ws, "1年目（令和8年度）"), 2).value == "='事業費'!$C$40"


def test_no_scheme_no_form_sheets():
    plan = form_plan("tokyo_mimamori")
    plan["grant"] = {"scheme_id": None}
    data = build_workbook(plan, schemes=SCHEMES, shares=SHARES)
    assert not [n for n in load_workbook(io.BytesIO(data)).sheetnames if n.startswith("様式_")]


def _soffice(data: bytes, tmp_path, to: str):
    src = tmp_path / "in.xlsx"
    src.write_bytes(data)
    subprocess.run([shutil.which("soffice"), f"-env:UserInstallation=file://{tmp_path}/lo",
                    "--headless", "--convert-to", to, "--outdir", str(tmp_path / "out"),
                    str(src)], check=True, capture_output=True, timeout=180)
    return tmp_path / "out" / f"in.{to}"


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) not installed")
@pytest.mark.parametrize("scheme_id", ["shinchiho_digital_a", "tokyo_mimamori"])
def test_workbook_forms_recalculate_to_plan_grant(tmp_path, scheme_id):
    plan = form_plan(scheme_id)
    g = plan_grant(plan, schemes=SCHEMES, shares=SHARES)
    wb = load_workbook(_soffice(build_workbook(plan, schemes=SCHEMES, shares=SHARES), tmp_path,
                                "xlsx"), data_only=True)
    if scheme_id == "tokyo_mimamori":
        ws = wb["様式_収支予算書"]
        income = {ws.cell(r, 1).value: ws.cell(r, 3).value for r in range(1, ws.max_row + 1)}
        for share, label in zip(g.amounts.shares, ("都補助金", "区市町村補助金", "団体負担金（自己負担）")):
            assert income[label] == pytest.approx(share["amount_jpy"])
        assert income["収入 計"] == pytest.approx(4_400_000)
        r = find_row(ws, "収入 計 − 支出 計（0 になること）")
        assert ws.cell(r, 5).value == pytest.approx(0)
    else:
        ws = wb["様式_実施計画"]
        values = {ws.cell(r, 1).value: ws.cell(r, 3).value for r in range(1, ws.max_row + 1)}
        assert values["交付金額（1/2）"] == pytest.approx(g.amounts.grant_jpy) == 2_200_000
        assert values["総事業費（初期費用）"] == pytest.approx(4_400_000)
        r = find_row(ws, "見守り登録児童数")
        assert ws.cell(r, 7).value == 200  # 50 + 70 + 80
        r = find_row(ws, "通学路の刑法犯認知件数")
        assert ws.cell(r, 7).value == -6  # −2 × 3


def test_site_list_carries_the_map_on_its_own_page():
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (400, 300), "white").save(buf, format="PNG")
    _, wb, _ = form_book("hyogo_camera", map_png=buf.getvalue())
    ws = wb["様式_設置場所一覧"]
    assert len(ws._images) == 1
    title_row = find_row(ws, "位置図（カメラ番号・撮影方向は配置図のとおり）")
    assert [b.id for b in ws.row_breaks.brk] == [title_row - 1]
    assert F.FORM_SOURCES["H2"].url in all_text(ws)
