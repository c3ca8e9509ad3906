"""Reading an edited Excel plan back (reports/excel_import.py): round trip, diff, rejection."""
from __future__ import annotations

import copy
import io
import shutil
import subprocess
import zipfile

import pytest
from openpyxl import Workbook, load_workbook

from reports import excel_import as I
from reports.excel import build_workbook
from reports.excel_import import ImportRejected, apply, diff, read_workbook
from test_excel import INJECTIONS, SCHEME, _find, sample_plan

SECTIONS = ("cameras", "lights", "costs", "kpis", "schedule", "project")


def _edit(data: bytes, fn) -> bytes:
    wb = load_workbook(io.BytesIO(data))
    fn(wb)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _codes(result):
    return [(m.code, m.severity) for m in result.messages]


def test_round_trip_gives_the_same_plan():
    plan = sample_plan()
    result = read_workbook(build_workbook(plan, schemes=[SCHEME]))
    assert result.ok and result.messages == []
    assert result.plan_id == plan["id"]
    assert [c["id"] for c in result.cameras] == ["C1", "C2", "C3"]
    assert result.cameras[1]["use_case"] == "people_count"   # label 人流計測・人数 → id
    assert result.costs["items"][0] == {"category": "pole", "name": "ポール",
                                        "unit_price_jpy": 150000, "quantity": 2, "note": ""}
    assert result.kpis[1]["targets"] == [2, 4, 6, 8]
    new = apply(plan, result)
    for key in SECTIONS:
        assert new[key] == plan[key], key
    assert new == plan
    assert diff(plan, result) == []


def test_round_trip_keeps_injection_text():
    plan = sample_plan()
    plan["cameras"][0]["address"] = INJECTIONS[0]
    plan["cameras"][1]["model"] = INJECTIONS[3]
    plan["kpis"][0]["name"] = INJECTIONS[4]
    plan["kpis"][1]["unit"] = INJECTIONS[5]
    plan["project"]["issues"] = INJECTIONS[1]
    plan["costs"]["items"][0]["name"] = INJECTIONS[2]
    result = read_workbook(build_workbook(plan))
    assert result.ok
    new = apply(plan, result)
    assert new["cameras"][0]["address"] == INJECTIONS[0]
    assert new["cameras"][1]["model"] == INJECTIONS[3]
    assert new["project"]["issues"] == INJECTIONS[1]
    assert new["kpis"][0]["name"] == INJECTIONS[4]      # tab- and CR-prefixed text too
    assert new["kpis"][1]["unit"] == INJECTIONS[5]
    assert new["costs"]["items"][0]["name"] == INJECTIONS[2]
    assert new == plan


@pytest.mark.skipif(shutil.which("soffice") is None,
                    reason="LibreOffice (soffice) not installed: apt-get install -y "
                           "libreoffice-calc to test a workbook saved by another program")
def test_round_trip_through_libreoffice(tmp_path):
    plan = sample_plan()
    (tmp_path / "in.xlsx").write_bytes(build_workbook(plan, schemes=[SCHEME]))
    subprocess.run([shutil.which("soffice"), f"-env:UserInstallation=file://{tmp_path}/lo",
                    "--headless", "--convert-to", "xlsx", "--outdir", str(tmp_path / "out"),
                    str(tmp_path / "in.xlsx")], check=True, capture_output=True, timeout=120)
    result = read_workbook((tmp_path / "out" / "in.xlsx").read_bytes())
    assert result.ok, [str(m) for m in result.messages]
    assert apply(plan, result) == plan


def test_edits_are_diffed_and_applied():
    plan = sample_plan()

    def edit(wb):
        cams = wb["カメラ配置"]
        r = _find(cams, "C2")
        cams.cell(r, 11).value = 450000          # unit price
        cams.cell(r, 2).value = "歩道橋 東側"     # address
        cams.cell(r + 2, 1).value = "C4"          # a new camera below the table
        cams.cell(r + 2, 3).value = 35.9
        cams.cell(r + 2, 4).value = 139.95
        cams.cell(r + 2, 10).value = "異常行動検知"
        lights = wb["照明配置"]
        lights.delete_rows(_find(lights, "L2"))
        costs = wb["事業費"]
        costs.cell(_find(costs, "ポール・支柱"), 4).value = 3
        run = _find(costs, "保守・点検")
        costs.cell(run, 3).value = 250000
        plan_ws = wb["事業計画"]
        k = _find(plan_ws, "駅前の刑法犯認知件数")
        plan_ws.cell(k, 6).value = 85               # third-year target
        plan_ws.cell(_find(plan_ws, "目指す姿"), 2).value = "安心して歩ける駅前"

    result = read_workbook(_edit(build_workbook(plan, schemes=[SCHEME]), edit))
    assert result.ok, [str(m) for m in result.messages]
    changes = {(c.section, c.key, c.kind, c.field): (c.old, c.new)
               for c in diff(plan, result)}
    assert changes[("cameras", "C2", "changed", "unit_price_jpy")] == (400000, 450000)
    assert changes[("cameras", "C2", "changed", "address")] == ("柏の葉6丁目 歩道橋", "歩道橋 東側")
    assert ("cameras", "C4", "added", "") in changes
    assert ("lights", "L2", "removed", "") in changes
    assert changes[("costs.items", "1", "changed", "quantity")] == (2, 3)
    assert changes[("costs.running", "2", "changed", "annual_jpy")] == (240000, 250000)
    assert changes[("kpis", "1", "changed", "targets")] == ([110, 100, 90], [110, 100, 85])
    assert changes[("project", "", "changed", "target_state")][1] == "安心して歩ける駅前"
    assert len(changes) == 8

    new = apply(plan, result)
    c2 = new["cameras"][1]
    assert c2["unit_price_jpy"] == 450000 and c2["width_px"] == 3840  # kept from the plan
    # no model, no preset: the importer's defaults (DEFAULT_CAMERA) make it a valid camera
    assert new["cameras"][3] == {"id": "C4", "lat": 35.9, "lon": 139.95,
                                 "use_case": "abnormal_behavior", "mount_height_m": 5.0,
                                 "tilt_deg": 15.0, "hfov_deg": 90.0, "width_px": 1920,
                                 "height_px": 1080}
    assert [(m.code, m.params["id"]) for m in I.apply_messages(plan, result)] == [
        ("camera_from_defaults", "C4")]
    assert [lt["id"] for lt in new["lights"]] == ["L1"]
    assert new["costs"]["items"][0]["quantity"] == 3
    assert plan == sample_plan()  # the input plan is never modified


def test_missing_sheet_is_rejected_and_plan_unchanged():
    plan = sample_plan()
    data = _edit(build_workbook(plan), lambda wb: wb.remove(wb["カメラ配置"]))
    result = read_workbook(data)
    assert not result.ok
    assert ("missing_sheet", "error") in _codes(result)
    assert result.errors[0].sheet == "カメラ配置"
    with pytest.raises(ImportRejected, match="missing_sheet"):
        apply(plan, result)
    assert diff(plan, result) == []
    # a report-only sheet missing is only a warning
    data = _edit(build_workbook(plan), lambda wb: wb.remove(wb["準備度評価"]))
    result = read_workbook(data)
    assert result.ok and ("missing_sheet", "warning") in _codes(result)


def test_wrong_types_are_rejected_with_position():
    plan = sample_plan()

    def edit(wb):
        cams = wb["カメラ配置"]
        cams.cell(_find(cams, "C1"), 3).value = "北緯35度"   # not a number
        cams.cell(_find(cams, "C2"), 4).value = 239.9         # longitude out of range
        cams.cell(_find(cams, "C3"), 1).value = "C1"          # duplicate id
        costs = wb["事業費"]
        costs.cell(_find(costs, "ポール・支柱"), 3).value = "十五万"

    result = read_workbook(_edit(build_workbook(plan), edit))
    assert not result.ok
    found = {(m.code, m.sheet, m.row, m.column) for m in result.errors}
    hdr = 4  # header row of the camera table (title, note, blank, header)
    assert ("not_a_number", "カメラ配置", hdr + 1, "C") in found
    assert ("out_of_range", "カメラ配置", hdr + 2, "D") in found
    assert ("duplicate_id", "カメラ配置", hdr + 3, "A") in found
    assert any(m.code == "not_a_number" and m.sheet == "事業費" and m.column == "C"
               for m in result.errors)
    lon = next(m for m in result.errors if m.code == "out_of_range")
    assert lon.params["min"] == -180.0 and lon.params["max"] == 180.0
    with pytest.raises(ImportRejected):
        apply(plan, result)


def test_numeric_text_is_accepted():
    plan = sample_plan()

    def edit(wb):
        cams = wb["カメラ配置"]
        cams.cell(_find(cams, "C1"), 11).value = "410,000"

    result = read_workbook(_edit(build_workbook(plan), edit))
    assert result.ok
    assert apply(plan, result)["cameras"][0]["unit_price_jpy"] == 410000


def test_missing_column_and_unknown_sheet():
    plan = sample_plan()

    def edit(wb):
        lights = wb["照明配置"]
        lights.cell(4, 3).value = "Latitude"   # header renamed
        wb.create_sheet("メモ")

    result = read_workbook(_edit(build_workbook(plan), edit))
    codes = _codes(result)
    assert ("missing_column", "error") in codes and ("unknown_sheet", "warning") in codes
    missing = next(m for m in result.errors if m.code == "missing_column")
    assert missing.params["header"] == "緯度 [°]" and missing.sheet == "照明配置"


@pytest.mark.parametrize("data, code", [
    (b"id,lat,lon\nC1,35,139\n", "not_xlsx"),
    (b"", "not_xlsx"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512, "xls_or_encrypted"),
    (b"PK\x03\x04 broken zip", "not_xlsx"),
])
def test_non_xlsx_refused(data, code):
    result = read_workbook(data)
    assert _codes(result) == [(code, "error")]
    assert result.cameras is None


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in members.items():
            zf.writestr(name, content)
    return buf.getvalue()


def test_zip_without_workbook_and_macro_workbook_refused():
    assert _codes(read_workbook(_zip({"hello.txt": b"hi"}))) == [("not_xlsx", "error")]
    data = build_workbook(sample_plan())
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    members["xl/vbaProject.bin"] = b"\0" * 10
    assert _codes(read_workbook(_zip(members))) == [("macro_workbook", "error")]


def test_zip_bomb_refused_before_parsing(monkeypatch):
    # 40 MB of zeros deflate to ~40 kB; with the limit lowered to 30 MB it must be refused
    # from the zip directory alone, without the XML parser ever running.
    monkeypatch.setattr(I, "MAX_UNCOMPRESSED_BYTES", 30 * 1024 * 1024)
    bomb = _zip({"[Content_Types].xml": b"<x/>", "xl/workbook.xml": b"\0" * (40 << 20)})
    assert len(bomb) < 100_000

    def fail(*a, **k):
        raise AssertionError("load_workbook must not be called")
    monkeypatch.setattr("openpyxl.load_workbook", fail)
    result = read_workbook(bomb)
    assert _codes(result) == [("zip_too_large_uncompressed", "error")]
    assert result.messages[0].params["size"] == (40 << 20) + 4


def test_huge_file_refused(monkeypatch):
    monkeypatch.setattr(I, "MAX_FILE_BYTES", 1000)
    result = read_workbook(build_workbook(sample_plan()))
    assert _codes(result) == [("file_too_large", "error")]


def test_foreign_workbook_refused():
    wb = Workbook()
    wb.active["A1"] = "カメラID"
    buf = io.BytesIO()
    wb.save(buf)
    assert _codes(read_workbook(buf.getvalue())) == [("foreign_workbook", "error")]


def test_sections_absent_from_workbook_are_left_alone():
    plan = sample_plan()
    only_cams = copy.deepcopy(plan)
    only_cams.update(lights=[], kpis=[], schedule=[], project={},
                     costs={"items": [], "running": []})
    result = read_workbook(build_workbook(only_cams))
    assert result.lights is None and result.kpis is None
    new = apply(plan, result)
    assert new["lights"] == plan["lights"] and new["kpis"] == plan["kpis"]


def test_entity_expansion_bomb_refused():
    # "billion laughs": 10^9 × "lol" from nine nested entities in a worksheet; refused
    # before parsing, saying why (a workbook never declares entities)
    dtd = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol0 "lol">'
           + "".join(f'<!ENTITY lol{i} "{("&lol%d;" % (i - 1)) * 10}">' for i in range(1, 10))
           + "]>")
    with zipfile.ZipFile(io.BytesIO(build_workbook(sample_plan()))) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    for name in [n for n in members if n.startswith("xl/worksheets/sheet")]:
        xml = members[name].split(b"?>", 1)[1] if members[name].startswith(b"<?xml") else \
            members[name]
        members[name] = dtd.encode() + xml.replace(b"<t>", b"<t>&lol9;", 1)
    result = read_workbook(_zip(members))
    assert _codes(result) == [("xml_entities", "error")]


def test_round_trip_split_scheme_with_priced_lights():
    """Scenario B workbook (payer rows, priced light): the linked camera and light cost
    lines are not read as cost items; an edited light price comes back on the light."""
    from test_excel import GRANT_SCHEMES, GRANT_SHARES, chofu_plan
    plan = chofu_plan()
    plan["lights"][0]["unit_price_jpy"] = 45_000
    data = build_workbook(plan, schemes=GRANT_SCHEMES, shares=GRANT_SHARES)
    result = read_workbook(data)
    assert result.ok and result.messages == []
    assert result.costs == {"items": [], "running": []}
    new = apply(plan, result)
    assert new["costs"] == {"items": [], "running": []}  # the plan had an empty {}
    assert {k: v for k, v in new.items() if k != "costs"} == {
        k: v for k, v in plan.items() if k != "costs"}
    assert diff(plan, result) == []

    def edit(wb):
        ws = wb["照明配置"]
        ws.cell(_find(ws, "L1"), 10).value = 52_000
    result = read_workbook(_edit(data, edit))
    new = apply(plan, result)
    assert new["lights"][0]["unit_price_jpy"] == 52_000
    assert [(c.section, c.key, c.field, c.old, c.new) for c in diff(plan, result)] == [
        ("lights", "L1", "unit_price_jpy", 45_000, 52_000)]


# ------------------------------------------------------- edits that must warn, not lose data
def _messages(result):
    return [(m.code, m.severity, m.sheet, f"{m.column}{m.row or ''}") for m in result.messages]


def test_value_typed_over_computed_cells_is_reported():
    plan = sample_plan()

    def edit(wb):
        costs = wb["事業費"]
        r = _find(costs, "ポール・支柱")
        costs.cell(r, 5).value = 999999                   # 金額 (=C×D) typed over
        linked = _find(costs, "カメラ（配置シート連動）")
        costs.cell(linked, 4).value = 12                  # 数量 of the linked line typed over
        costs.cell(_find(costs, "初期費用 計"), 5).value = 5000000

    data = build_workbook(plan, schemes=[SCHEME])
    ws = load_workbook(io.BytesIO(data))["事業費"]
    pole, linked = _find(ws, "ポール・支柱"), _find(ws, "カメラ（配置シート連動）")
    total = _find(ws, "初期費用 計")
    result = read_workbook(_edit(data, edit))
    assert result.ok
    found = [m for m in result.messages if m.code == "computed_overwritten"]
    assert [(m.sheet, f"{m.column}{m.row}", m.params["value"]) for m in found] == [
        ("事業費", f"D{linked}", "12"), ("事業費", f"E{pole}", "999999"),
        ("事業費", f"E{total}", "5000000")]
    assert found[0].params["header"] == "数量" and found[1].params["header"] == "金額 [円]"
    # the inputs are unchanged: 150000 × 2 still makes the pole line
    new = apply(plan, result)
    assert new["costs"]["items"][0] == plan["costs"]["items"][0]
    assert all(m.severity == "warning" for m in found)


def test_cleared_middle_kpi_row_removes_only_that_kpi():
    plan = sample_plan()
    plan["kpis"].append({"name": "見守り登録者数", "unit": "人", "baseline": 30,
                         "targets": [40, 50, 60]})
    assert len(plan["kpis"]) == 3

    def edit(wb):
        ws = wb["事業計画"]
        r = _find(ws, plan["kpis"][1]["name"])
        for c in range(1, 10):
            ws.cell(r, c).value = None                 # the middle KPI row cleared

    data = build_workbook(plan)
    middle = _find(load_workbook(io.BytesIO(data))["事業計画"], plan["kpis"][1]["name"])
    result = read_workbook(_edit(data, edit))
    assert result.ok
    assert _messages(result) == [("empty_row", "warning", "事業計画", f"{middle}")]
    new = apply(plan, result)
    # first and third kept whole (the third keeps its own baseline 30, not the second's)
    assert new["kpis"] == [plan["kpis"][0], plan["kpis"][2]]
    assert [c.kind for c in diff(plan, result) if c.section == "kpis"] == ["removed"]


def test_formula_and_formula_like_text_are_kept_with_a_warning():
    plan = sample_plan()

    def edit(wb):
        cams = wb["カメラ配置"]
        cams.cell(_find(cams, "C1"), 2).value = '=HYPERLINK("https://maps.example/1","地図")'
        cams.cell(_find(cams, "C2"), 9).value = "@SUM(A1:A3)"   # typed without apostrophe
        cams.cell(_find(cams, "C3"), 11).value = "=150000*1.1"  # not calculated by openpyxl

    result = read_workbook(_edit(build_workbook(plan), edit))
    assert result.ok
    hdr = 4
    assert _messages(result) == [
        ("formula_kept_as_text", "warning", "カメラ配置", f"B{hdr + 1}"),
        ("formula_like_text", "warning", "カメラ配置", f"I{hdr + 2}"),
        ("formula_not_calculated", "warning", "カメラ配置", f"K{hdr + 3}")]
    new = apply(plan, result)
    assert new["cameras"][0]["address"] == '=HYPERLINK("https://maps.example/1","地図")'
    assert new["cameras"][1]["model"] == "@SUM(A1:A3)"
    assert new["cameras"][2]["unit_price_jpy"] == 200000   # the plan's value is kept
    # the plan's own formula-like text (written with the apostrophe) gives no warning
    plan["cameras"][0]["address"] = "=1+1"
    assert read_workbook(build_workbook(plan)).messages == []


def test_renamed_sheet_is_found_by_its_header_row():
    plan = sample_plan()

    def edit(wb):
        wb["カメラ配置"].title = "カメラ配置（修正）"
        wb["事業計画"].title = "計画R8"

    result = read_workbook(_edit(build_workbook(plan), edit))
    assert result.ok
    assert sorted(_codes(result)) == [("sheet_renamed", "warning")] * 2
    renamed = {m.sheet: m.params["expected"] for m in result.messages}
    assert renamed == {"カメラ配置（修正）": "カメラ配置", "計画R8": "事業計画"}
    assert apply(plan, result) == plan


def test_camera_results_sheet_is_known_and_not_read_as_cameras():
    """カメラ別の結果 (the simulation's figures, IDs as formulas on カメラ配置) is a report:
    no unknown-sheet warning, its rows never become cameras, even when カメラ配置 is
    renamed and must be found by its header row."""
    plan = sample_plan()
    plan["area"] = {"type": "Polygon", "coordinates": [[[139.95, 35.89], [139.96, 35.89],
                                                        [139.96, 35.90], [139.95, 35.89]]]}
    results = {"cameras": [{"id": c["id"], "covered_m2": 100.0 * i, "dori_m2": {"detect": 50.0},
                            "night_dori_m2": {"detect": 10.0}}
                           for i, c in enumerate(plan["cameras"], start=1)]}
    data = build_workbook(plan, results=results)
    assert "カメラ別の結果" in load_workbook(io.BytesIO(data)).sheetnames
    result = read_workbook(data)
    assert result.ok and result.messages == []
    assert [c["id"] for c in result.cameras] == ["C1", "C2", "C3"]
    assert apply(plan, result) == plan

    def rename(wb):
        wb["カメラ配置"].title = "カメラ配置（修正）"
    result = read_workbook(_edit(data, rename))
    assert _codes(result) == [("sheet_renamed", "warning")]
    assert result.messages[0].sheet == "カメラ配置（修正）"
    assert [c["id"] for c in result.cameras] == ["C1", "C2", "C3"]
    # the results sheet deleted: a report of the moment, only a warning
    result = read_workbook(_edit(data, lambda wb: wb.remove(wb["カメラ別の結果"])))
    assert result.ok and _codes(result) == [("missing_sheet", "warning")]
    assert apply(plan, result) == plan


def test_wareki_and_unit_suffixes_are_accepted():
    plan = sample_plan()

    def edit(wb):
        ws = wb["事業計画"]
        ws.cell(_find(ws, "開始年度"), 2).value = "令和9年度"
        s = _find(ws, plan["schedule"][0]["task"])
        ws.cell(s, 2).value = "R8.10"
        ws.cell(s, 3).value = "令和9年3月"
        cams = wb["カメラ配置"]
        cams.cell(_find(cams, "C1"), 11).value = "42万円"
        costs = wb["事業費"]
        r = _find(costs, "ポール・支柱")
        costs.cell(r, 4).value = "12台"
        costs.cell(r, 3).value = "1,500千円"
        costs.cell(_find(costs, "保守・点検"), 3).value = "２４万円"

    result = read_workbook(_edit(build_workbook(plan), edit))
    assert result.ok and result.messages == []
    new = apply(plan, result)
    assert new["project"]["start_fy"] == 2027          # 令和9年度: 2019 + 9 − 1
    assert new["schedule"][0]["start"] == "2026-10"     # R8.10: 令和8年 = 2026
    assert new["schedule"][0]["end"] == "2027-03"
    assert new["cameras"][0]["unit_price_jpy"] == 420000   # 42 × 1万
    assert new["costs"]["items"][0]["quantity"] == 12
    assert new["costs"]["items"][0]["unit_price_jpy"] == 1500000  # 1,500 × 1千
    assert new["costs"]["running"][1]["annual_jpy"] == 240000


def test_unit_that_does_not_fit_the_field_is_refused():
    plan = sample_plan()

    def edit(wb):
        cams = wb["カメラ配置"]
        cams.cell(_find(cams, "C1"), 11).value = "12台"    # a count typed as a price
        ws = wb["事業計画"]
        ws.cell(_find(ws, "開始年度"), 2).value = "来年度"

    result = read_workbook(_edit(build_workbook(plan), edit))
    assert [(m.code, m.column) for m in result.errors] == [("not_a_year", "B"),
                                                           ("wrong_unit", "K")]


def test_camera_added_in_excel_takes_optics_from_its_model_or_preset():
    plan = sample_plan()
    presets = [{"id": "kakogawa_fullhd_103", "name_ja": "加古川市 見守りカメラ相当（フルHD・水平画角103°）",
                "name_en": "Kakogawa", "hfov_deg": 103.0, "width_px": 1920, "height_px": 1080,
                "ir_range_m": float("nan"), "min_illuminance_color_lx": float("nan")}]

    def edit(wb):
        cams = wb["カメラ配置"]
        r = _find(cams, "C3")
        for i, (cid, model) in enumerate((("C4", "AX-100"), ("C5", presets[0]["name_ja"])),
                                         start=1):
            cams.cell(r + i, 1).value = cid
            cams.cell(r + i, 3).value = 35.894 + i / 10000
            cams.cell(r + i, 4).value = 139.954
            cams.cell(r + i, 9).value = model

    result = read_workbook(_edit(build_workbook(plan), edit))
    assert result.ok and result.messages == []
    new = apply(plan, result, camera_presets=presets)
    c4, c5 = new["cameras"][3], new["cameras"][4]
    # C4 copies C1 (the first AX-100): 90°, 1920×1080, 400000 円; position stays its own
    assert (c4["hfov_deg"], c4["width_px"], c4["height_px"], c4["unit_price_jpy"]) == (
        90.0, 1920, 1080, 400000)
    assert (c4["lat"], c4["mount_height_m"], c4["tilt_deg"]) == (35.8941, 5.0, 15.0)
    # C5 from the preset: 103°, Full HD, the preset id recorded; NaN columns not copied
    assert (c5["hfov_deg"], c5["width_px"], c5["preset"]) == (103.0, 1920,
                                                              "kakogawa_fullhd_103")
    assert "ir_range_m" not in c5
    assert [(m.code, m.params["id"], m.params["source"])
            for m in I.apply_messages(plan, result, camera_presets=presets)] == [
        ("camera_from_model", "C4", "C1"), ("camera_from_preset", "C5", "kakogawa_fullhd_103")]
    from assessments.plan.iotools.presets import REQUIRED_FIELDS
    assert all(c[k] is not None for c in (c4, c5) for k in REQUIRED_FIELDS)


@pytest.mark.parametrize("text, fy", [
    ("令和8年度", 2026), ("R8", 2026), ("令和元年度", 2019),   # 令和元年 = 2019
    ("平成31年度", 2019), ("Ｈ３０年度", 2018), ("2026年度", 2026), (2026, 2026)])
def test_fiscal_year_parser(text, fy):
    from assessments.plan.iotools.values import parse_fiscal_year
    assert parse_fiscal_year(text) == fy


@pytest.mark.parametrize("text, ym", [
    ("R8.10", (2026, 10)), ("令和8年10月", (2026, 10)), ("令和元年5月", (2019, 5)),
    ("2026/4", (2026, 4)), ("2026年4月1日", (2026, 4))])
def test_year_month_parser(text, ym):
    from assessments.plan.iotools.values import parse_year_month
    assert parse_year_month(text) == ym


@pytest.mark.parametrize("text, value, unit", [
    ("42万円", 420000.0, "yen"), ("1,200千円", 1200000.0, "yen"), ("12台", 12.0, "count"),
    ("3か所", 3.0, "count"), ("1.1万", 11000.0, "scale")])
def test_unit_suffixes(text, value, unit):
    from assessments.plan.iotools.values import number_and_unit
    assert number_and_unit(text) == (value, unit)


def test_every_import_message_has_its_text():
    import re
    from pathlib import Path
    from ui.strings.export import STRINGS
    src = Path(I.__file__).read_text(encoding="utf-8")
    codes = set(re.findall(r'(?:ImportMessage\(|msg\()\s*"([a-z_]+)"', src))
    codes |= {f"camera_from_{s}" for s in ("model", "preset", "defaults")}
    assert {"computed_overwritten", "empty_row", "sheet_renamed", "wrong_unit"} <= codes
    assert sorted(c for c in codes if f"export.msg.{c}" not in STRINGS) == []
