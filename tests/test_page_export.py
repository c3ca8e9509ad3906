"""The 出力 page under AppTest: readiness list, download of the workbook, upload + diff + apply."""
from __future__ import annotations

import io
import re
from pathlib import Path

from openpyxl import load_workbook

from datasets.workspace import Workspace
from tests.pagetest import run_page_on_plan
from reports.excel import build_workbook
from test_excel import _find, sample_plan

PAGE = str(Path(__file__).resolve().parents[1] / "pages" / "export.py")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"



def _downloaded(at, stores, key="export_download") -> bytes:
    url = at.get("download_button")
    button = next(b for b in url if b.key == key)
    filename = button.proto.url.rsplit("/", 1)[1]
    return stores[-1].get_file(filename).content


def _page(workspace_path, plan=None, lang="ja"):
    return run_page_on_plan(PAGE, workspace_path, plan or sample_plan(), lang=lang)


def test_download_gives_the_workbook(workspace_path, media):
    at, stored = _page(workspace_path)
    assert at.title[0].value == "書類の出力（Excel・PDF）"
    data = _downloaded(at, media)
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames[:5] == ["概要", "事業計画", "事業費", "カメラ配置", "照明配置"]
    cams = wb["カメラ配置"]
    assert cams.cell(_find(cams, "C2"), 11).value == 400000
    summary = {r[0].value: r[1].value for r in wb["概要"].iter_rows()}
    assert summary["計画名"] == stored["name"]
    # the sheet list shows what is in the workbook and what is still missing
    text = " ".join(m.value for m in at.markdown)
    assert "事業費（負担区分は Excel の数式で計算）" in text


def test_page_in_english(workspace_path, media):
    plan = sample_plan()
    plan.update(cameras=[], lights=[])
    at, _ = _page(workspace_path, plan, lang="en")
    assert at.title[0].value == "Documents (Excel, PDF)"
    text = " ".join(m.value for m in at.markdown)
    assert "Camera placement — none placed — see Simulation" in text
    assert load_workbook(io.BytesIO(_downloaded(at, media))).sheetnames[0] == "概要"


def test_upload_shows_diff_and_applies(workspace_path):
    at, stored = _page(workspace_path)
    wb = load_workbook(io.BytesIO(build_workbook(stored)))
    cams = wb["カメラ配置"]
    cams.cell(_find(cams, "C1"), 11).value = 380000
    buf = io.BytesIO()
    wb.save(buf)
    at.file_uploader(key="export_upload").upload("plan.xlsx", buf.getvalue(), XLSX)
    at.run()
    assert not at.exception and not at.error
    assert at.markdown[-1].value == "**変更点（1件）**"
    frame = at.dataframe[0].value
    # the field as the device tables name it, never the plan's field name
    assert list(frame.iloc[0]) == ["カメラ", "C1", "変更", "単価 [円]", "400000", "380000"]
    at.button(key="export_apply").click().run()
    assert not at.exception
    assert at.success[0].value == "計画に反映しました（1件）。"
    plan = Workspace(workspace_path).get_plan(stored["id"])
    assert plan["cameras"][0]["unit_price_jpy"] == 380000
    assert plan["cameras"][1]["unit_price_jpy"] == 400000


def test_broken_upload_is_rejected_and_plan_unchanged(workspace_path):
    at, stored = _page(workspace_path)
    wb = load_workbook(io.BytesIO(build_workbook(stored)))
    wb.remove(wb["カメラ配置"])
    wb["照明配置"].cell(5, 3).value = "緯度不明"
    buf = io.BytesIO()
    wb.save(buf)
    at.file_uploader(key="export_upload").upload("plan.xlsx", buf.getvalue(), XLSX)
    at.run()
    assert not at.exception
    message = at.error[0].value
    assert message.startswith("このファイルは取り込めません。計画は変更していません。")
    assert "「カメラ配置」シートがありません。" in message
    # the header and the cell text come from the file: Markdown-escaped, shown as typed
    assert "照明配置 シート C5: 「緯度 \\[°\\]」は数値にしてください（「緯度不明」）。" in message
    assert not [b for b in at.button if b.key == "export_apply"]
    assert Workspace(workspace_path).get_plan(stored["id"])["cameras"] == stored["cameras"]


def test_a_camera_the_simulation_would_refuse_is_not_imported(workspace_path):
    """C1 moved to Paris and C2 given a 270° field of view in Excel: the workbook is read,
    but the import names both rows in Japanese and is not offered (the plan would no longer
    simulate); the plan is unchanged."""
    at, stored = _page(workspace_path)
    wb = load_workbook(io.BytesIO(build_workbook(stored)))
    cams = wb["カメラ配置"]
    hdr = _find(cams, "カメラID")
    col = {cams.cell(hdr, c).value: c for c in range(1, cams.max_column + 1)}
    cams.cell(_find(cams, "C1"), col["緯度 [°]"]).value = 48.8566
    cams.cell(_find(cams, "C1"), col["経度 [°]"]).value = 2.3522
    cams.cell(_find(cams, "C2"), col["水平画角 [°]"]).value = 270
    buf = io.BytesIO()
    wb.save(buf)
    at.file_uploader(key="export_upload").upload("plan.xlsx", buf.getvalue(), XLSX)
    at.run()
    assert not at.exception
    message = re.sub(r"\\(.)", r"\1", at.error[0].value)    # shown as text (escaped)
    assert message.startswith("このファイルは取り込めません。計画は変更していません。")
    assert "カメラ C1（表の 1 行目）：座標が日本の範囲外です" in message
    assert "カメラ C2（表の 2 行目）：水平画角 [°] = 270 は範囲外です" in message
    # the sample's own C3 (no resolution) and L2 are not the file's problems
    assert "C3" not in message and "L2" not in message
    assert not [b for b in at.button if b.key == "export_apply"]
    assert Workspace(workspace_path).get_plan(stored["id"])["cameras"] == stored["cameras"]


def test_split_scheme_payer_rows_in_download(workspace_path, media):
    """Scenario B: 調布市's run of the 東京都 見守り scheme; the page passes the shares."""
    from test_excel import chofu_plan
    plan = chofu_plan()
    # an older plan: the simulation page kept the light price in plan["simulation"]
    plan["simulation"] = {"unit_prices_jpy": {"light": 50_000, "pole": 90_000}}
    at, stored = _page(workspace_path, plan)
    assert "負担区分: 都 1/2 / 市 1/3 / 団体 1/6（事業費シートで負担者ごとに数式で計算）" in [
        c.value for c in at.caption]
    # opening the page moved the price onto the light and kept the other estimate price
    saved = Workspace(workspace_path).get_plan(stored["id"])
    assert saved["lights"][0]["unit_price_jpy"] == 50_000
    assert saved["simulation"] == {"unit_prices_jpy": {"pole": 90_000}}
    ws = load_workbook(io.BytesIO(_downloaded(at, media)))["事業費"]
    labels = [ws.cell(r, 1).value for r in range(1, ws.max_row + 1)]
    assert {"都 負担（1/2）", "市 負担（1/3）", "団体 負担（補助の対象とする費用のうち）",
            "負担割合: 都"} <= set(labels)
    assert "補助金（国・上位団体の負担）" not in labels
    lights = load_workbook(io.BytesIO(_downloaded(at, media)))["照明配置"]
    assert lights.cell(_find(lights, "L1"), 10).value == 50_000


def test_a_plan_that_cannot_be_simulated_is_exported_with_a_message(workspace_path, media):
    """The simulation's figures cannot be included: the page says so and why (translated),
    and the workbook is still offered without them."""
    from ui.simulation import sample_district
    plan = sample_plan()
    plan.update(sample_district())
    plan["cameras"][0]["tilt_deg"] = 120.0     # out of −90…90°: the plan cannot be simulated
    at, _ = _page(workspace_path, plan)
    message = re.sub(r"\\(.)", r"\1",          # shown as text (escaped)
                     next(w.value for w in at.warning if "シミュレーション" in w.value))
    assert message.startswith("この計画はシミュレーションできないため")
    # the field as the cameras table names it, never the plan's field name
    assert "カメラ C1：俯角 [°] = 120 は範囲外です" in message and "tilt_deg" not in message
    wb = load_workbook(io.BytesIO(_downloaded(at, media)))
    assert "カメラ配置" in wb.sheetnames
    assert "カメラ別の結果" not in wb.sheetnames  # written only with the simulation's figures
    at_en, _ = _page(workspace_path, plan, lang="en")
    assert any(w.value.startswith("This plan cannot be simulated") for w in at_en.warning)


def _district_plan() -> dict:
    import json
    root = Path(__file__).resolve().parents[1] / "datasets" / "sample_district"
    return json.loads((root / "plan.json").read_text("utf-8"))


def test_layout_map_and_plan_book_buttons(workspace_path, media):
    at, stored = _page(workspace_path, _district_plan())
    buttons = {b.key: b for b in at.get("download_button")}
    assert {"export_map_pdf", "export_map_png", "export_book"} <= set(buttons)
    # made on click (a deferred file), not on every run of the page
    assert all(buttons[k].proto.deferred_file_id for k in
               ("export_map_pdf", "export_map_png", "export_book"))
    assert buttons["export_book"].proto.label == "計画書 PDF"


def test_documents_need_a_simulated_plan(workspace_path):
    at, _ = _page(workspace_path)          # the sample plan has no area
    assert not {b.key for b in at.get("download_button")} & {"export_map_pdf", "export_book"}
    assert any("配置図と計画書を出力できます" in i.value for i in at.info)


def test_a_macro_workbook_is_accepted_by_the_uploader(workspace_path):
    """Streamlit's uploader refuses a type it was not given with its own English message;
    a workbook saved as .xlsm is read (its cells, never its macros) like an .xlsx."""
    at, _ = _page(workspace_path)
    assert {".xlsx", ".xlsm"} <= set(at.file_uploader(key="export_upload").proto.type)
