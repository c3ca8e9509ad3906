"""The Excel plan writer (reports/excel.py): sheets, formulas, formats, escaping, 和暦."""
from __future__ import annotations

import copy
import datetime as dt
import io
import shutil
import subprocess

import pytest
from openpyxl import load_workbook

from assessments.programme import costs as C
from reports import excel as X
from reports.excel import build_workbook, cost_totals, sanitize_sheet_title, wareki_fy

INJECTIONS = ["=HYPERLINK(\"http://evil\",\"x\")", "+81-3-1234", "-2+3", "@SUM(A1)",
              "\t=1+1", "\r=1+1"]


def sample_plan() -> dict:
    """A plan with every section filled (prices chosen so the totals are easy to check)."""
    return {
        "version": 1, "id": "11111111-2222-3333-4444-555555555555",
        "name": "柏の葉キャンパス駅周辺 見守り・人流計測",
        "municipality": {"code": "122173", "prefecture": "千葉県", "name": "柏市",
                         "lat": 35.8676, "lon": 139.9758},
        "project": {"title": "駅前見守り事業", "purpose": "駅前広場の安全", "issues": "夜間の暗がり",
                    "target_state": "誰もが安心して歩ける駅前", "start_fy": 2026,
                    "applicant": "柏市 安全安心課"},
        "use_cases": ["abnormal_behavior", "people_count"],
        "grant": {"scheme_id": "test_half", "stage": "implementation", "total_cost_jpy": 0},
        "cameras": [
            {"id": "C1", "lat": 35.8931, "lon": 139.9523, "mount_height_m": 5.0,
             "azimuth_deg": 90.0, "tilt_deg": 15.0, "hfov_deg": 90.0, "width_px": 1920,
             "height_px": 1080, "model": "AX-100", "address": "柏の葉6丁目 駅前広場",
             "use_case": "abnormal_behavior", "unit_price_jpy": 400000},
            {"id": "C2", "lat": 35.8935, "lon": 139.9530, "mount_height_m": 4.5,
             "azimuth_deg": 270.0, "tilt_deg": 20.0, "hfov_deg": 60.0, "width_px": 3840,
             "height_px": 2160, "model": "AX-100", "address": "柏の葉6丁目 歩道橋",
             "use_case": "people_count", "unit_price_jpy": 400000, "signage": "歩道橋入口"},
            {"id": "C3", "lat": 35.8940, "lon": 139.9540, "mount_height_m": 6.0,
             "azimuth_deg": 180.0, "tilt_deg": 10.0, "hfov_deg": 100.0, "model": "",
             "address": "", "use_case": "", "unit_price_jpy": 200000},
        ],
        "lights": [
            {"id": "L1", "lat": 35.8932, "lon": 139.9524, "mount_height_m": 5.0,
             "intensity_cd": 300.0},
            {"id": "L2", "lat": 35.8936, "lon": 139.9531, "mount_height_m": 8.0,
             "lumens": 4000, "distribution": "type_ii"},
        ],
        "costs": {"years": 5,
                  "items": [{"category": "pole", "name": "ポール", "unit_price_jpy": 150000,
                             "quantity": 2},
                            {"category": "installation", "name": "設置工事",
                             "unit_price_jpy": 1000000, "quantity": 1}],
                  "running": [{"category": "electricity", "name": "電気料金",
                               "annual_jpy": 60000},
                              {"category": "maintenance", "name": "保守点検",
                               "annual_jpy": 240000}]},
        "kpis": [{"name": "駅前の刑法犯認知件数", "unit": "件", "baseline": 120,
                  "targets": [110, 100, 90]},
                 {"name": "人流データの活用件数", "unit": "件", "baseline": 0,
                  "targets": [2, 4, 6, 8]}],
        "schedule": [{"task": "設計・調達", "start": "2026-04", "end": "2026-09"},
                     {"task": "設置・運用開始", "start": "2026-10", "end": "2027-06"}],
        "readiness": {"answers": {"vision_1": {"level": 2, "evidence": "構想案"}}},
        "privacy": {"answers": {"P01": {"status": "todo", "evidence": "", "owner": "安全安心課",
                                        "due": "2026-06"}},
                    "settings": {"retention_days": 14, "manager": "安全安心課長"}},
    }


# a test scheme: rate 1/2, per-camera cap 300,000 円, no project cap (values of this test)
SCHEME = {"id": "test_half", "name_ja": "テスト交付金", "rate": 0.5, "rate_text_ja": "1/2",
          "cap_jpy": 100_000_000, "per_camera_cap_jpy": 300_000, "verified": True,
          "source": "https://example.org/scheme"}


def _open(data: bytes, **kw):
    return load_workbook(io.BytesIO(data), **kw)


def _find(ws, text, col=1):
    for row in ws.iter_rows(min_col=col, max_col=col):
        if row[0].value == text:
            return row[0].row
    raise AssertionError(f"{text!r} not in column {col} of {ws.title}")


# ------------------------------------------------------------------------------ 和暦
@pytest.mark.parametrize("fy, label", [
    (2026, "令和8年度"),   # 2026 − 2019 + 1 = 8 (the brief: 令和8年度 = April 2026–March 2027)
    (2019, "令和元年度"),  # FY2019 began in 平成31年4月 but is called 令和元年度
    (2018, "平成30年度"),  # 2018 − 1989 + 1 = 30
    (1989, "平成元年度"),
    (1988, "昭和63年度"),  # 1988 − 1926 + 1 = 63
])
def test_wareki_fy(fy, label):
    assert wareki_fy(fy) == label


def test_wareki_month_and_fiscal_year():
    assert X.wareki_month(2019, 4) == "平成31年4月"  # 令和 began on 2019-05-01
    assert X.wareki_month(2019, 5) == "令和元年5月"
    assert X.wareki_month(2027, 3) == "令和9年3月"
    assert X.fiscal_year(dt.date(2027, 3, 31)) == 2026
    assert X.fiscal_year(dt.date(2027, 4, 1)) == 2027
    assert X.parse_month("2026/4") == (2026, 4)
    assert X.parse_month("") is None


@pytest.mark.parametrize("bad", [1900, "2026", True, 2026.5])
def test_wareki_rejects_invalid(bad):
    with pytest.raises(ValueError, match="fiscal year"):
        wareki_fy(bad)


# ------------------------------------------------------------------------------ sheets
def test_sheets_appear_only_with_data():
    minimal = {"id": "x", "name": "空の計画", "project": {}, "cameras": [], "costs": {}}
    wb = _open(build_workbook(minimal, today=dt.date(2026, 5, 1)))
    assert wb.sheetnames == ["概要"]
    wb = _open(build_workbook(sample_plan(), schemes=[SCHEME], today=dt.date(2026, 5, 1)))
    assert wb.sheetnames == ["概要", "事業計画", "事業費", "カメラ配置", "照明配置", "準備度評価",
                             "プライバシー対応", "出典"]
    only_lights = {"id": "x", "name": "照明のみ", "lights": sample_plan()["lights"]}
    # lights carry unit prices, so their cost lines make a 事業費 sheet
    assert _open(build_workbook(only_lights)).sheetnames == ["概要", "事業費", "照明配置"]


def test_plan_is_not_modified():
    plan = sample_plan()
    before = copy.deepcopy(plan)
    build_workbook(plan, schemes=[SCHEME], results={"cameras": []})
    assert plan == before


def test_summary_sheet_content():
    wb = _open(build_workbook(sample_plan(), schemes=[SCHEME], today=dt.date(2026, 5, 1)))
    ws = wb["概要"]
    values = {ws.cell(r, 1).value: ws.cell(r, 2).value for r in range(1, ws.max_row + 1)}
    assert values["自治体"] == "千葉県 柏市"
    assert values["地方公共団体コード"] == "122173"
    assert values["用途（ユースケース）"] == "異常行動検知、人流計測・人数"
    assert values["開始年度"] == "令和8年度（2026年度）"
    assert values["補助制度"] == "テスト交付金"
    assert values["カメラ台数"] == 3
    total = "事業費合計（運用費5年分を含む）"
    assert values[total] == "='事業費'!$C$" + values[total].rsplit("$", 1)[1]
    assert ws.cell(_find(ws, total), 2).number_format == "#,##0,"  # 千円
    assert "令和8年5月1日" in ws["A2"].value


# ------------------------------------------------------------------------------ costs
def test_cost_totals_by_hand():
    t = cost_totals(sample_plan(), scheme=SCHEME)
    # cameras 400,000 + 400,000 + 200,000 = 1,000,000; poles 2 × 150,000 = 300,000;
    # installation 1,000,000 → initial 2,300,000
    assert t["initial"] == 2_300_000
    # running (60,000 + 240,000) × 5 years = 1,500,000
    assert t["running_total"] == 1_500_000
    assert t["total"] == 3_800_000
    # the matcher's order: eligible = min(2,300,000, 300,000 × 3 cameras = 900,000);
    # national = min(900,000 × 1/2 = 450,000, cap 100M)
    assert t["eligible"] == 900_000
    assert t["national"] == 450_000
    assert t["local"] == 3_800_000 - 450_000       # 自己負担 計, running cost included
    assert t["applicant"] == 2_300_000 - 450_000   # of the initial cost the scheme applies to
    assert t["shares"] == []
    no_scheme = cost_totals(sample_plan())
    assert no_scheme["national"] is None and no_scheme["local"] is None
    fixed = cost_totals(sample_plan(), scheme={"fixed_amount_jpy": 20_000_000})
    assert fixed["national"] == 2_300_000  # 定額 20M × 3 sites capped by the eligible 2.3M
    fixed = cost_totals(sample_plan(), scheme={"fixed_amount_jpy": 120_000})
    assert fixed["national"] == 360_000  # 12万 × 3 sites (= cameras)


def test_cost_sheet_has_live_formulas():
    wb = _open(build_workbook(sample_plan(), schemes=[SCHEME]))
    ws = wb["事業費"]
    r = _find(ws, "ポール・支柱")
    assert ws.cell(r, 3).value == 150000 and ws.cell(r, 3).data_type == "n"
    assert ws.cell(r, 5).value == f"=C{r}*D{r}"
    linked = _find(ws, X.CAMERA_LINKED_LABEL)
    assert ws.cell(linked, 5).value.startswith("=SUMIFS('カメラ配置'!$K$")
    national = ws.cell(_find(ws, "補助金（国・上位団体の負担）"), 3)
    assert national.data_type == "f"
    for part in ("MIN(", "ROUNDDOWN(", "9.99E+307"):
        assert part in national.value
    assert national.number_format == "#,##0,"
    rate = ws.cell(_find(ws, "補助率（国・上位団体の負担割合）"), 3)
    assert rate.value == "=1/2" and rate.number_format == "# ?/??"  # exact, as the matcher
    # five yearly columns labelled with 和暦, each a formula on the annual amount
    hdr = _find(ws, "区分", col=1)
    run_hdr = _find(ws, "運用費（年額と5年間の計、税込）") + 1
    assert run_hdr > hdr
    labels = [ws.cell(run_hdr, c).value for c in range(4, 9)]
    assert labels == ["1年目（令和8年度）", "2年目（令和9年度）", "3年目（令和10年度）",
                      "4年目（令和11年度）", "5年目（令和12年度）"]
    assert ws.cell(run_hdr + 1, 4).value == f"=$C{run_hdr + 1}"


def _soffice_recalc(data: bytes, tmp_path, name: str = "a"):
    """Open ``data`` in LibreOffice headless, save it as .xlsx (recalculated), load values."""
    (tmp_path / name).mkdir(parents=True)
    src = tmp_path / name / "in.xlsx"
    src.write_bytes(data)
    out = tmp_path / name / "out"
    subprocess.run([shutil.which("soffice"), f"-env:UserInstallation=file://{tmp_path}/lo",
                    "--headless", "--convert-to", "xlsx", "--outdir", str(out), str(src)],
                   check=True, capture_output=True, timeout=120)
    return load_workbook(out / "in.xlsx", data_only=True)


@pytest.mark.skipif(shutil.which("soffice") is None,
                    reason="LibreOffice (soffice) not installed: apt-get install -y "
                           "libreoffice-calc to recalculate the formulas")
def test_formulas_recalculate_in_libreoffice(tmp_path):
    data = build_workbook(sample_plan(), schemes=[SCHEME])
    ws = _soffice_recalc(data, tmp_path, "a")["事業費"]
    get = lambda label: ws.cell(_find(ws, label), 3).value  # noqa: E731
    assert get("カメラ台数（1台あたり上限の計算に使用）") == 3
    assert get("設置か所数（定額の計算に使用。未配置のカメラは1台1か所）") == 3
    assert get("初期費用（設備・設置工事）") == 2_300_000
    assert get("運用費（5年分）") == 1_500_000
    assert get("事業費合計（運用費5年分を含む）") == 3_800_000
    assert get("補助対象経費") == 900_000   # per-camera cap 3 × 300,000
    assert get("補助金（国・上位団体の負担）") == 450_000   # 1/2 × 900,000
    assert get("地方負担（補助の対象とする費用のうち）") == 2_300_000 - 450_000
    assert get("地方負担 計（運用費5年分を含む）") == 3_350_000
    linked = _find(ws, X.CAMERA_LINKED_LABEL)
    # AX-100: 2 cameras, 800,000 円; the model-less camera is its own line
    assert [ws.cell(linked, c).value for c in (2, 3, 4, 5)] == ["AX-100", 400000, 2, 800000]

    # the official edits the workbook: C3 costs 50,000 more, the rate becomes 2/3 and the
    # per-camera cap is removed → national = floor(2,350,000 × 2/3) = 1,566,666
    wb = _open(data)
    cams = wb["カメラ配置"]
    cams.cell(_find(cams, "C3"), 11).value = 250000
    costs = wb["事業費"]
    costs.cell(_find(costs, "補助率（国・上位団体の負担割合）"), 3).value = 2 / 3
    costs.cell(_find(costs, "カメラ1台あたりの上限 [円]"), 3).value = None
    buf = io.BytesIO()
    wb.save(buf)
    ws = _soffice_recalc(buf.getvalue(), tmp_path, "b")["事業費"]
    assert get("初期費用（設備・設置工事）") == 2_350_000
    assert get("補助金（国・上位団体の負担）") == 1_566_666
    assert get("地方負担 計（運用費5年分を含む）") == 3_850_000 - 1_566_666
    summary = ws.parent["概要"]
    assert summary.cell(_find(summary, "補助金（国・上位団体の負担）"), 2).value == 1_566_666


# ------------------------------------------------------------------- escaping and formats
def test_injection_strings_stay_text():
    plan = sample_plan()
    plan["project"]["title"] = INJECTIONS[0]
    plan["project"]["purpose"] = INJECTIONS[1]
    plan["name"] = INJECTIONS[3]
    for cam, text in zip(plan["cameras"], INJECTIONS[2:5]):
        cam["address"] = text
    plan["costs"]["items"][0]["name"] = INJECTIONS[5]
    plan["kpis"][0]["name"] = INJECTIONS[0]
    wb = _open(build_workbook(plan, schemes=[SCHEME]))
    seen = set()
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.value in INJECTIONS:
                    assert cell.data_type == "s", (ws.title, cell.coordinate)
                    assert cell.quotePrefix, (ws.title, cell.coordinate)
                    seen.add(cell.value)
                elif cell.data_type == "f":  # every formula is one the writer built
                    assert not any(s in cell.value for s in ("HYPERLINK", "evil")), cell.value
    assert seen == set(INJECTIONS)


def test_sheet_titles_sanitised():
    title = sanitize_sheet_title("事業[費]:*?/\\ 令和8年度 とても長いシートの名前です ABCDEFGHIJ")
    assert len(title) == 31
    assert not set("[]:*?/\\") & set(title)
    assert sanitize_sheet_title("'引用'") == "引用"
    assert sanitize_sheet_title("") == "Sheet"


def test_numbers_formats_and_print_setup():
    wb = _open(build_workbook(sample_plan(), schemes=[SCHEME]))
    ws = wb["カメラ配置"]
    hdr = _find(ws, "カメラID")
    headers = [c.value for c in ws[hdr]]
    assert headers[:14] == [c.header for c in X.CAMERA_COLUMNS]
    assert headers[12] == "設置場所ID（同じ柱・場所は同じID）"
    assert headers[13] == "既設"
    first = ws[hdr + 1]
    assert first[2].value == 35.8931 and first[2].number_format == "0.000000"
    assert first[10].value == 400000 and first[10].data_type == "n"
    assert first[10].number_format == "#,##0"
    assert first[9].value == "異常行動検知"
    assert ws.freeze_panes == f"B{hdr + 1}"
    assert ws.print_title_rows == f"${hdr}:${hdr}"  # the header row repeats on every page
    for sheet in wb.worksheets:
        assert sheet.page_setup.paperSize == 9  # A4
        assert sheet.page_setup.fitToWidth == 1 and sheet.page_setup.fitToHeight == 0
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert ws.cell(hdr, 1).font.name == "游ゴシック"
    assert {"mm_header", "mm_kyen", "mm_input_yen"} <= set(wb.named_styles)
    plan_ws = wb["事業計画"]
    kpi_hdr = _find(plan_ws, "KPI（指標）")
    # four targets for the second KPI → four target columns, 和暦 from 令和8年度
    assert [plan_ws.cell(kpi_hdr, c).value for c in range(4, 8)] == [
        "目標 1年目（令和8年度）", "目標 2年目（令和9年度）", "目標 3年目（令和10年度）",
        "目標 4年目（令和11年度）"]
    assert [plan_ws.cell(kpi_hdr + 1, c).value for c in range(3, 8)] == [120, 110, 100, 90,
                                                                        None]
    sched = _find(plan_ws, "実施内容")
    row = [plan_ws.cell(sched + 2, c).value for c in range(1, 8)]
    # 2026-10 … 2027-06 spans 令和8年度 and 令和9年度
    assert row[0] == "設置・運用開始" and row[1] == dt.datetime(2026, 10, 1)
    assert row[3:7] == ["令和8年10月", "令和9年6月", "■", "■"]
    assert plan_ws.cell(sched, 6).value == "令和8年度"


def test_results_and_map_image():
    """The simulation's figures are on a sheet of their own (カメラ配置 keeps only the
    cameras' columns, so it prints near full size); the ID follows カメラ配置's ID cell."""
    from PIL import Image
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(buf, format="PNG")
    results = {"cameras": [{"id": "C1", "covered_m2": 812.5,
                            "dori_m2": {"observe": 300.0, "detect": 700.0},
                            "night_dori_m2": {"detect": 150.0}}]}
    plan = sample_plan()
    # without an area there is no simulation: no results sheet, even with figures
    assert "camera_results" not in X.sheets_for(plan)
    assert "カメラ別の結果" not in _open(build_workbook(plan, results=results)).sheetnames
    plan["area"] = {"type": "Polygon", "coordinates": [[[139.95, 35.89], [139.96, 35.89],
                                                        [139.96, 35.90], [139.95, 35.89]]]}
    assert X.sheets_for(plan)[2:5] == ["costs", "cameras", "camera_results"]
    # an area but no figures (the simulation failed): the sheet is left out
    assert "カメラ別の結果" not in _open(build_workbook(plan, results=None)).sheetnames
    wb = _open(build_workbook(plan, results=results, map_png=buf.getvalue()))
    assert wb.sheetnames.index("カメラ別の結果") == wb.sheetnames.index("カメラ配置") + 1
    ws = wb["カメラ配置"]
    hdr = _find(ws, "カメラID")
    # only the 14 input columns: nothing to the right of 既設
    assert [c.value for c in ws[hdr]][-1] == X.CAMERA_COLUMNS[-1].header
    assert ws.max_column == len(X.CAMERA_COLUMNS) == 14
    res = wb["カメラ別の結果"]
    rhdr = _find(res, "カメラID")
    # two header rows: 昼 over its two levels, 夜 over its one; ID and 監視面積 span both
    assert [c.value for c in res[rhdr]] == ["カメラID", "監視面積 [m²]", "昼（各レベル以上の面積 [m²]）",
                                           None, "夜（各レベル以上の面積 [m²]）"]
    assert [c.value for c in res[rhdr + 1]][2:] == ["Detect\n（検知）", "Observe\n（観察）",
                                                    "Detect\n（検知）"]
    assert {str(r) for r in res.merged_cells.ranges} >= {
        f"A{rhdr}:A{rhdr + 1}", f"B{rhdr}:B{rhdr + 1}", f"C{rhdr}:D{rhdr}"}
    first = rhdr + 2
    # one row per camera, in the plan's order; the ids are values (a snapshot: sorting
    # カメラ配置 in Excel must not pair an id with another camera's figures)
    assert res.cell(first, 1).value == "C1" and res.cell(first + 1, 1).value == "C2"
    assert [c.value for c in res[first]][1:] == [812.5, 700, 300, 150]
    assert [c.value for c in res[first + 1]][1:] == [None] * 4  # C2 has no result
    assert res.cell(first, 2).number_format == "#,##0"
    # three cameras, three rows
    assert res.cell(first + 2, 1).value == "C3"
    assert res.cell(first + 3, 1).value is None
    assert res.page_setup.orientation == "landscape"
    assert res.print_title_rows == f"${rhdr}:${rhdr + 1}"
    assert res.oddFooter.center.text == "- &P / &N -" and res.oddHeader.left.text == "千葉県 柏市"
    assert len(ws._images) == 1 and len(wb["照明配置"]._images) == 1
    assert not res._images


def test_districts_sheet_from_the_simulation():
    plan = sample_plan()
    results = {"cameras": [], "districts": [
        {"id": "西", "name": "=西小学校区", "area_m2": 5000.0, "covered_m2": 898.0,
         "coverage_fraction": 0.1796, "dori_m2": {"detect": 898.0, "observe": 414.0},
         "night_dori_m2": {"detect": 120.0, "observe": 0.0}, "cameras": ["C1", "C2"],
         "illuminance": {"mean_lx": 3.4, "min_lx": 0.25, "uniformity": 0.07,
                         "ses_class": "below_B"}}]}
    # no districts in the plan: no sheet, even with figures
    assert "地区別集計" not in _open(build_workbook(plan, results=results)).sheetnames
    plan["area"] = {"type": "Polygon", "coordinates": [[[139.0, 35.0], [139.001, 35.0],
                                                        [139.001, 35.001], [139.0, 35.0]]]}
    plan["districts"] = {"type": "FeatureCollection", "features": []}
    assert "districts" in X.sheets_for(plan)
    # districts in the plan but no simulation figures: the sheet is left out
    assert "地区別集計" not in _open(build_workbook(plan, results=None)).sheetnames
    ws = _open(build_workbook(plan, results=results))["地区別集計"]
    hdr = _find(ws, "地区")
    assert [c.value for c in ws[hdr]] == [
        "地区", "評価面積 [m²]", "カメラに映る面積 [m²]", "カメラに映る割合",
        "昼 Detect（検知） [m²]", "昼 Observe（観察） [m²]", "夜 Detect（検知） [m²]",
        "夜 Observe（観察） [m²]", "平均照度 [lx]", "最小照度 [lx]", "防犯照明（SES E1901）",
        "地区内のカメラ [台]", "カメラ ID"]
    row = [c.value for c in ws[hdr + 1]]
    assert row == ["=西小学校区", 5000, 898, 0.1796, 898, 414, 120, 0, 3.4, 0.25, "クラスB未満",
                   2, "C1, C2"]
    assert ws.cell(hdr + 1, 1).data_type == "s"          # a name typed as "=…" stays text
    assert ws.cell(hdr + 1, 4).number_format == "0.0%"


def test_sources_sheet_adds_scheme_source():
    sources = [{"title": "3D都市モデル（Project PLATEAU）新座市", "url": "https://www.mlit.go.jp/plateau/",
                "verified": True}]
    wb = _open(build_workbook(sample_plan(), schemes=[{**SCHEME, "verified": False}],
                              sources=sources))
    ws = wb["出典"]
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=5)]
    # No., 内容, 出典 (an address not in sources.csv: its page title and publisher were
    # not confirmed, and the citation says so), URL, 確認状況
    assert rows[0] == [1, sources[0]["title"], "表題未確認、mlit.go.jp（発行者名未確認）",
                       sources[0]["url"],
                       "確認済"]
    assert rows[1] == [2, "補助制度: テスト交付金", "表題未確認、example.org（発行者名未確認）",
                       "https://example.org/scheme", "未確認"]
    summary = {r[0].value: r[1].value for r in wb["概要"].iter_rows()}
    assert "未確認" in summary["注意"]


# ------------------------------------------------------------ payer split (東京都 見守り)
def _csv(name):
    import csv
    from pathlib import Path
    path = Path(__file__).resolve().parents[1] / "datasets" / f"{name}.csv"
    with open(path, encoding="utf-8") as f:
        return list(csv.DictReader(f))


GRANT_SCHEMES, GRANT_SHARES = _csv("grant_schemes"), _csv("grant_shares")
SCHEME_BY_ID = {s["id"]: s for s in GRANT_SCHEMES}


def chofu_plan(price_jpy=800_000, n=3, scheme_id="tokyo_mimamori_chofu", **grant) -> dict:
    """Scenario B: a 町会 in 調布市, three cameras at 80万 (an example price), one light."""
    return {"id": "b", "name": "通学路の見守りカメラ", "project": {},
            "municipality": {"code": "132080", "prefecture": "東京都", "name": "調布市"},
            "grant": {"scheme_id": scheme_id, "stage": "implementation", **grant},
            "cameras": [{"id": f"C{i}", "lat": 35.65 + i * 1e-4, "lon": 139.54,
                         "model": "BX-20", "unit_price_jpy": price_jpy}
                        for i in range(1, n + 1)],
            "lights": [{"id": "L1", "lat": 35.65, "lon": 139.54, "mount_height_m": 5.0,
                        "intensity_cd": 300.0, "model": "防犯灯 20VA", "unit_price_jpy": 0}],
            "costs": {}}


def _match(total_jpy, cameras, scheme_id="tokyo_mimamori_chofu", renewal=False,
           applicant="neighbourhood_association", code="132080"):
    from assessments.programme.grants import Project, match_scheme
    project = Project(stage="implementation", initial_cost_jpy=total_jpy, years=5,
                      applicant=applicant, domains=("watching", "crime_prevention"),
                      camera_count=cameras, prefecture="東京都", municipality_code=code,
                      renewal=renewal)
    m = match_scheme(project, SCHEME_BY_ID[scheme_id], shares=GRANT_SHARES,
                     scheme_ids=set(SCHEME_BY_ID))
    return {s["payer"]: s["amount_jpy"] for s in m.shares}, m


def test_payer_split_matches_the_matcher():
    plan = chofu_plan()
    t = cost_totals(plan, scheme=SCHEME_BY_ID["tokyo_mimamori_chofu"], shares=GRANT_SHARES)
    # eligible = min(2,400,000, 3 × 600,000) = 1,800,000; 都 1/2 = 900,000; 市 1/3 = 600,000;
    # 団体 = 2,400,000 − 1,500,000 = 900,000 (1/6 = 300,000 + 600,000 above the cap)
    assert (t["total"], t["eligible"], t["national"], t["local"]) == (
        2_400_000, 1_800_000, 1_500_000, 900_000)
    amounts = {s["payer"]: s["amount_jpy"] for s in t["shares"]}
    assert amounts == {"prefecture": 900_000, "municipality": 600_000, "applicant": 900_000}
    expected, m = _match(2_400_000, 3)
    assert amounts == expected and m.eligible_cost_jpy == t["eligible"]
    assert [s["payer_ja"] for s in t["shares"]] == ["都", "市", "団体"]


@pytest.mark.parametrize("scheme_id, code, applicant, renewal, total, n, expected", [
    # 世田谷区 町会 first installation: 7/12, 1/3 (4/12), remainder 1/12 of 1,200,000
    ("tokyo_mimamori", "131121", "neighbourhood_association", False, 1_200_000, 2,
     {"prefecture": 700_000, "municipality": 400_000, "applicant": 100_000}),
    # renewal: 1/2, 1/3, 1/6
    ("tokyo_mimamori", "131121", "neighbourhood_association", True, 1_200_000, 2,
     {"prefecture": 600_000, "municipality": 400_000, "applicant": 200_000}),
    # 商店街 20 cameras ¥12M: 都 1/3 = 4M capped at 300万; 区 1/3 = 4M; group 12M − 7M = 5M
    ("tokyo_shotengai", "131121", "shopping_street", False, 12_000_000, 20,
     {"prefecture": 3_000_000, "municipality": 4_000_000, "applicant": 5_000_000}),
    # 多摩市: public 23/24 of min(¥1M, 2 × 60万) = 958,333.3 → 958,000 (1,000円未満切捨て,
    # TM); 団体 42,000
    ("tokyo_mimamori_tama", "132241", "neighbourhood_association", False, 1_000_000, 2,
     {"public": 958_000, "applicant": 42_000}),
])
def test_payer_split_variants_and_caps(scheme_id, code, applicant, renewal, total, n,
                                       expected):
    plan = chofu_plan(price_jpy=total // n, n=n, scheme_id=scheme_id, renewal=renewal)
    t = cost_totals(plan, scheme=SCHEME_BY_ID[scheme_id], shares=GRANT_SHARES)
    amounts = {s["payer"]: s["amount_jpy"] for s in t["shares"]}
    assert amounts == expected
    assert amounts == _match(total, n, scheme_id, renewal, applicant, code)[0]


def test_payer_rows_are_live_formulas():
    data = build_workbook(chofu_plan(), schemes=GRANT_SCHEMES, shares=GRANT_SHARES)
    ws = _open(data)["事業費"]
    share = ws.cell(_find(ws, "負担割合: 市"), 3)
    assert share.value == "=1/3" and share.number_format == "# ?/??"
    to = ws.cell(_find(ws, "都 負担（1/2）"), 3)
    shi = ws.cell(_find(ws, "市 負担（1/3）"), 3)
    assert to.data_type == shi.data_type == "f"
    # the 都 part rounded down, at most the grant; the last public payer (市) the rest
    assert "ROUNDDOWN(" in to.value and to.value.startswith("=MIN(")
    assert shi.value.startswith("=C") and "-C" in shi.value
    grant = ws.cell(_find(ws, "補助金 計（公費負担の合計）"), 3).value
    assert "ROUNDDOWN(" in grant and "MIN(C" in grant  # payer caps inside, grant limit outside
    applicant = ws.cell(_find(ws, "団体 負担（補助の対象とする費用のうち）"), 3)
    assert applicant.value.startswith("=C") and "-C" in applicant.value
    # no national / local rows for a split scheme; the rate row is not shown either
    for label in ("補助金（国・上位団体の負担）", "補助率（国・上位団体の負担割合）"):
        with pytest.raises(AssertionError):
            _find(ws, label)
    light = _find(ws, X.LIGHT_LINKED_LABEL)
    assert ws.cell(light, 5).value.startswith("=SUMIFS('照明配置'!$J$")
    summary = {r[0].value: r[1].value for r in _open(data)["概要"].iter_rows()}
    assert summary["都 負担（1/2）"].startswith("='事業費'!$C$")
    # a scheme without shares keeps the national / local rows
    plain = _open(build_workbook(chofu_plan(scheme_id="test_half"), schemes=[SCHEME],
                                 shares=GRANT_SHARES))["事業費"]
    _find(plain, "補助金（国・上位団体の負担）")


@pytest.mark.skipif(shutil.which("soffice") is None,
                    reason="LibreOffice (soffice) not installed: apt-get install -y "
                           "libreoffice-calc to recalculate the formulas")
def test_payer_rows_recalculate_in_libreoffice(tmp_path):
    data = build_workbook(chofu_plan(), schemes=GRANT_SCHEMES, shares=GRANT_SHARES)
    ws = _soffice_recalc(data, tmp_path, "a")["事業費"]
    get = lambda label: ws.cell(_find(ws, label), 3).value  # noqa: E731
    expected, _ = _match(2_400_000, 3)
    assert get("補助対象経費") == 1_800_000
    assert get("都 負担（1/2）") == expected["prefecture"] == 900_000
    assert get("市 負担（1/3）") == expected["municipality"] == 600_000
    assert get("団体 負担（補助の対象とする費用のうち）") == expected["applicant"] == 900_000
    assert get("補助金 計（公費負担の合計）") == 1_500_000

    # the official changes C1's price to 100,000 and the light's to 50,000 in Excel:
    # total = 100,000 + 2 × 800,000 + 50,000 = 1,750,000 < cap 1.8M → eligible 1,750,000;
    # 都 875,000; 市 floor(583,333.3) = 583,333; 団体 1,750,000 − 1,458,333 = 291,667
    wb = _open(data)
    cams = wb["カメラ配置"]
    cams.cell(_find(cams, "C1"), 11).value = 100_000
    lights = wb["照明配置"]
    lights.cell(_find(lights, "L1"), 10).value = 50_000
    buf = io.BytesIO()
    wb.save(buf)
    ws = _soffice_recalc(buf.getvalue(), tmp_path, "b")["事業費"]
    expected, _ = _match(1_750_000, 3)
    assert expected == {"prefecture": 875_000, "municipality": 583_333, "applicant": 291_667}
    assert get("事業費合計（運用費5年分を含む）") == 1_750_000
    assert get("都 負担（1/2）") == expected["prefecture"]
    assert get("市 負担（1/3）") == expected["municipality"]
    assert get("団体 負担（補助の対象とする費用のうち）") == expected["applicant"]

    # 7/12 of 1,200,000 = 700,000 exactly: the float share must not round down to 699,999
    plan = chofu_plan(price_jpy=600_000, n=2, scheme_id="tokyo_mimamori")
    plan["lights"] = []
    ws = _soffice_recalc(build_workbook(plan, schemes=GRANT_SCHEMES, shares=GRANT_SHARES),
                         tmp_path, "c")["事業費"]
    assert [get("都 負担（7/12）"), get("区市町村 負担（1/3）"),
            get("団体 負担（補助の対象とする費用のうち）")] == [700_000, 400_000, 100_000]


def test_migrate_unit_prices():
    plan = chofu_plan()
    plan["cameras"][0]["unit_price_jpy"] = 0
    del plan["cameras"][1]["unit_price_jpy"]
    plan["simulation"] = {"unit_prices_jpy": {"camera": 250_000, "light": 40_000,
                                              "pole": 90_000}, "layer": "dori"}
    assert C.migrate_unit_prices(plan)
    # unpriced cameras take the old page price; a priced camera keeps its own
    assert [c["unit_price_jpy"] for c in plan["cameras"]] == [250_000, 250_000, 800_000]
    assert plan["lights"][0]["unit_price_jpy"] == 40_000
    # device keys gone, the other estimate prices and unknown fields kept
    assert plan["simulation"] == {"unit_prices_jpy": {"pole": 90_000}, "layer": "dori"}
    assert not C.migrate_unit_prices(plan)  # nothing left to move
    assert not C.migrate_unit_prices({"cameras": []})


def test_set_light_prices_per_model():
    lights = [{"id": "L1", "model": "A"}, {"id": "L2", "model": "B"}, {"id": "L3"}]
    out = C.set_model_prices(lights, {"A": 30_000, "": 12_000})
    assert [x.get("unit_price_jpy") for x in out] == [30_000, None, 12_000]
    assert "unit_price_jpy" not in lights[0]  # copies
    groups = X.light_cost_groups(out)
    assert [(g["model"], g["quantity"], g["amount_jpy"]) for g in groups] == [
        ("A", 1, 30_000), ("B", 1, 0), ("", 1, 12_000)]


def test_simulation_costs_use_the_same_device_prices():
    from assessments.programme.costs import plan_costs
    plan = chofu_plan()
    plan["lights"][0]["unit_price_jpy"] = 45_000
    pc = plan_costs(plan)
    # cameras 3 × 800,000 = 2,400,000; light 45,000 (its own price) → 2,445,000 both ways
    assert [(line.source, line.amount_jpy) for line in pc.lines] == [
        ("cameras", 2_400_000), ("lights", 45_000)]
    assert pc.initial_jpy == cost_totals(plan)["initial"] == 2_445_000


def test_summary_states_the_application_window_and_the_successor():
    """The 概要 sheet gives the chosen scheme's application window for the start year
    (2026) and the next, 未発表 when none was announced (never an earlier year's dates),
    and names the scheme that replaced it."""
    old = {**SCHEME, "successor_id": "test_new"}
    new = {**SCHEME, "id": "test_new", "name_ja": "テスト後継交付金"}
    calls = [{"scheme_id": "test_half", "fiscal_year": 2025, "start_date": "2025-04-01",
              "end_date": "2025-05-09", "note_ja": "", "note_en": "", "source": ""},
             {"scheme_id": "test_half", "fiscal_year": 2026, "start_date": "2026-01-30",
              "end_date": "2026-02-27", "note_ja": "正午まで", "note_en": "", "source": ""}]
    wb = _open(X.build_workbook(sample_plan(), schemes=[old, new], calls=calls,
                                today=dt.date(2026, 12, 7)))
    ws = wb["概要"]
    rows = {ws.cell(r, 1).value: ws.cell(r, 2).value for r in range(1, ws.max_row + 1)}
    assert rows["後継制度"].startswith("この制度は「テスト後継交付金」に引き継がれています")
    # FY2026 = 令和8年度: announced, and its deadline (2026-02-27) has passed on 2026-12-07
    assert rows["申請時期（令和8年度）"] == "2026-01-30〜2026-02-27（締切済み）　正午まで"
    # FY2027 = 令和9年度: nothing announced; the last call is named for reference
    assert rows["申請時期（令和9年度）"] == "未発表（前回：2026年度 2026-01-30〜2026-02-27）"


@pytest.mark.skipif(shutil.which("soffice") is None,
                    reason="LibreOffice (soffice) not installed: apt-get install -y "
                           "libreoffice-calc to recalculate the formulas")
def test_an_existing_camera_is_listed_but_not_costed(tmp_path):
    """C2 already installed (既設): on the camera sheet, not in 事業費 — the recalculated
    workbook and ``plan_costs`` agree, and the flag comes back on import."""
    from reports import excel_import as XI
    plan = sample_plan()
    plan["cameras"][1]["existing"] = True
    # hand: initial = C1 400,000 + C3 200,000 + items 2 × 150,000 + 1,000,000 = 1,900,000;
    # cameras 2 (C1, C3) at 2 sites
    pc = C.plan_costs(plan)
    assert pc.initial_jpy == 1_900_000 and pc.cameras == 2 and pc.sites == 2
    data = build_workbook(plan, schemes=[SCHEME])
    ws = _soffice_recalc(data, tmp_path, "a")["事業費"]
    get = lambda label: ws.cell(_find(ws, label), 3).value  # noqa: E731
    assert get("初期費用（設備・設置工事）") == 1_900_000
    assert get("カメラ台数（1台あたり上限の計算に使用）") == 2
    assert get("設置か所数（定額の計算に使用。未配置のカメラは1台1か所）") == 2
    linked = _find(ws, X.CAMERA_LINKED_LABEL)
    assert [ws.cell(linked, c).value for c in (2, 3, 4, 5)] == ["AX-100", 400000, 1, 400000]
    cams = _open(data)["カメラ配置"]
    row = _find(cams, "C2")
    assert cams.cell(row, len(X.CAMERA_COLUMNS)).value == "既設"
    # round trip: C2 keeps its flag, C1 gets none
    back = XI.apply(plan, XI.read_workbook(data))
    assert back["cameras"][1]["existing"] is True and "existing" not in back["cameras"][0]
