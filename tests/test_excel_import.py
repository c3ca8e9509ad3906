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
    assert new["cameras"][3] == {"id": "C4", "lat": 35.9, "lon": 139.95,
                                 "use_case": "abnormal_behavior"}
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
    # "billion laughs": 10^9 × "lol" from nine nested entities in a worksheet; the XML
    # parser's amplification limit stops it and the import reports the file unreadable
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
    assert _codes(result) == [("unreadable", "error")]


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
