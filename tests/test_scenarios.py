"""The users' scenarios A, B and C (shared/reference/scenarios.md) walked across the pages
under AppTest, in Japanese, on ONE workspace per scenario: the plan created in the first step
is the plan every later page reads and writes (each page runs as its own AppTest session,
the way a user opens page after page; ``plan_id`` is the only thing carried over).

Every assertion is on what the user reads on screen (metrics, tables, messages, downloads);
expected values are derived in the comments from datasets/*.csv (facts.md) and by hand.
Scenario D (the command line) is in test_scenario_cli.py, A's spine in a real browser in
test_browser_scenario.py.

``tests/data/scenario_b_sites.csv`` is synthetic: three made-up candidate sites near
調布市役所 typed the way a 町会 does in Excel (CP932, Japanese headers, a 備考 column).
"""
from __future__ import annotations

import io
import json
import math
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook
from streamlit.testing.v1 import AppTest

from tests.pagetest import wkey

from datasets.workspace import Workspace

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PLAN_NAME_A = "柏の葉キャンパス駅周辺 見守り・人流計測"


# ------------------------------------------------------------------------------ helpers

def _download(at: AppTest, stores, key_end: str) -> bytes:
    # (a key of a plan's widget ends with @<plan>.<lang>: ui.state.widget_key)
    button = next(b for b in at.get("download_button")
                  if b.key and b.key.split("@")[0].endswith(key_end))
    filename = button.proto.url.rsplit("/", 1)[1]
    for store in reversed(stores):
        try:
            return store.get_file(filename).content
        except Exception:  # noqa: BLE001 — another session's storage
            continue
    raise AssertionError(f"download {key_end} not found")


def _page(name: str, plan_id: str | None, *, lang: str = "ja", **state) -> AppTest:
    """Open ``pages/<name>.py`` as a new session on plan ``plan_id`` (queued state given)."""
    at = AppTest.from_file(str(ROOT / "pages" / f"{name}.py"), default_timeout=120)
    at.session_state["lang"] = lang
    if plan_id:
        at.session_state["plan_id"] = plan_id
    for key, value in state.items():
        at.session_state[key] = value
    return _run(at)


def _run(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, at.exception
    return at


def _plan(workspace_path: Path, plan_id: str) -> dict:
    ws = Workspace(workspace_path)
    try:
        return ws.get_plan(plan_id)
    finally:
        ws.close()


def _metrics(at: AppTest) -> dict:
    return {m.label: m.value for m in at.metric}


def _pct(value: str) -> float:
    return float(value.replace("%", "").replace(",", "").strip())


def _frame(at: AppTest, column: str):
    return next(d.value for d in at.dataframe if column in d.value.columns)


def _texts(at: AppTest) -> list[str]:
    return [m.value for m in at.markdown]


def _find_row(ws, text, col=1) -> int:
    for row in range(1, ws.max_row + 1):
        if ws.cell(row, col).value == text:
            return row
    raise AssertionError(f"{text!r} not in column {col} of {ws.title}")


def _soffice_values(data: bytes, tmp_path: Path, name: str):
    """The workbook recalculated by LibreOffice (values only), like Excel on open."""
    folder = tmp_path / name
    folder.mkdir(parents=True)
    (folder / "in.xlsx").write_bytes(data)
    subprocess.run([shutil.which("soffice"), f"-env:UserInstallation=file://{tmp_path}/lo",
                    "--headless", "--convert-to", "xlsx", "--outdir", str(folder / "out"),
                    str(folder / "in.xlsx")], check=True, capture_output=True, timeout=120)
    return load_workbook(folder / "out" / "in.xlsx", data_only=True)


def _create_plan_in_sidebar(name: str, prefecture: str, municipality: str) -> tuple[AppTest, str]:
    """Step 1 of A and B: the sidebar's 計画の管理 → 新規作成 on the home page."""
    at = _page("home", None)
    at.sidebar.text_input(key="plan_new_name").input(name)
    _run(at)
    at.sidebar.selectbox(key="plan_new_pref").select(prefecture)
    _run(at)
    muni = at.sidebar.selectbox(key="plan_new_muni")
    muni.select_index(muni.options.index(municipality))
    _run(at)
    at.sidebar.button(key="plan_new_btn").click()
    _run(at)
    assert [s.value for s in at.sidebar.success] == [f"計画「{name}」を作成しました。"]
    return at, at.session_state["plan_id"]


# ============================================================================ scenario A
def test_scenario_a_kashiwa_official(workspace_path, media, tmp_path):
    # ---- 1. create the plan for 柏市; the map starts at the city office -----------------
    home, pid = _create_plan_in_sidebar(PLAN_NAME_A, "千葉県", "柏市")
    plan = _plan(workspace_path, pid)
    # datasets/municipalities.csv row 122173 (code4fukui/localgovjp): 35.868056, 139.976389
    assert plan["municipality"] == {"code": "122173", "prefecture": "千葉県", "name": "柏市",
                                    "lat": 35.868056, "lon": 139.976389}
    m = _metrics(home)
    assert m["自治体"] == "柏市" and m["配置したカメラ"] == "0"
    assert home.subheader[0].value == f"計画の進み具合 — {PLAN_NAME_A}"
    sim = _page("simulate", pid)
    start = next(b for b in sim.button if b.key and b.key.split("@")[0].endswith("mun"))
    assert start.label == "市区町村の庁舎を中心に始める（柏市）"

    # ---- 2. 事例比較: 柏の葉 next to つくば, and why the AI cameras were not used ---------
    cc = _page("compare_cases", pid)
    table = cc.table[0].value
    assert list(table.columns) == ["柏の葉スマートシティ", "つくばスーパーサイエンスシティ構想"]
    assert [r for r in table.index if r[:2] in {f"{i})" for i in range(1, 8)}] == [
        "1) 基本ビジョン", "2) 解決すべき課題", "3) 目指す姿", "4) 実証・実装の具体的計画",
        "5) 組織的推進体制", "6) 国の補助金・交付金活用へのアプローチ", "7) 投資回収の継続的計画"]
    kashiwa = " ".join(str(v) for v in table["柏の葉スマートシティ"])
    # seed report §4(2) via datasets/initiatives.csv and initiative_summary.csv
    assert "録画不可のためアラームを確認できず警備運用に至らず" in kashiwa
    assert "1台のAIカメラに行動解析と人流計測のアプリが同居できず人流計測は実現せず" in kashiwa

    # ---- 3. 映像DX活用事例: 異常行動検知 (Observe) and 人流計測 (Detect) -------------------
    uc = _page("use_cases", pid)
    uc.checkbox(key=wkey(uc, "uc_pick_abnormal_behavior")).check()
    uc.checkbox(key=wkey(uc, "uc_pick_people_count")).check()
    _run(uc)
    assert sorted(_plan(workspace_path, pid)["use_cases"]) == ["abnormal_behavior",
                                                               "people_count"]
    table = _frame(uc, "px/m")
    px = dict(zip(table.iloc[:, 0], table["px/m"]))
    # IEC 62676-4:2014: Observe 62.5 px/m, Detect 25 px/m (datasets/use_cases.csv)
    assert (px["異常行動検知"], px["人流計測・人数"]) == (62.5, 25)
    rec = dict(zip(table.iloc[:, 0], table["録画"]))
    assert rec["異常行動検知"] == True and rec["人流計測・人数"] == False  # noqa: E712
    lessons = " ".join(v for v in _texts(uc) if v.startswith("**事例からの教訓**"))
    assert "検知の確認には録画 (保存期間を定めて) が必要" in lessons

    # ---- 4. 準備度: 41 questions; 投資回収 and 組織的推進体制 come out weakest ----------------
    rd = _page("readiness", pid)
    levels = {"vision": 3, "issues": 3, "target_state": 2, "plan": 3, "organisation": 1,
              "funding_approach": 2, "investment_recovery": 0, "data_platform": 2,
              "participation": 2}
    radios = [r for r in rd.radio if r.key and r.key.startswith("rd_lv_")]
    assert len(radios) == 41  # rows of datasets/readiness_questions.csv
    for r in radios:
        r.set_value(levels[r.key.split("@")[0].split("_lv_")[1].rsplit("_", 1)[0]])
    _run(rd)
    m = _metrics(rd)
    # every question of a condition at the same level → condition score = that level;
    # overall = (3+3+2+3+1+2+0+2+2) / 9 = 18 / 9 = 2.0
    assert m["回答済みの質問"] == "41 / 41"
    assert m["総合スコア"] == "2.0 / 4"
    assert m["最も弱い条件"] == "投資回収"
    headers = [v for v in _texts(rd) if v.startswith("#### ")]
    assert headers[0] == "#### 1. 投資回収の継続的計画（0.0 / 4） — まず決めること"
    assert headers[1] == "#### 2. 組織的推進体制（1.0 / 4） — まず決めること"
    # what to decide first (datasets/readiness_actions.csv, band low)
    text = " ".join(_texts(rd))
    assert "運用費の負担者と期間を決める" in text
    assert "担当課を決め、首長をトップとする庁内横断の推進組織を立ち上げる" in text
    assert len(_plan(workspace_path, pid)["readiness"]["answers"]) == 41

    # ---- 5. プライバシー: only the triggered items; gaps; a draft with 14 days ----------------
    pv = _page("privacy", pid)
    m = _metrics(pv)
    # 20 items asked of every plan + P16 (people counting) + P22 (abnormal sound) = 22
    assert m["回答済み"] == "0 / 22"
    gaps = " ".join(_texts(pv))
    for missing in ("**P05 ", "**P10 ", "**P12 "):  # sign, retention, provision to police
        assert missing in gaps
    assert "**P26 " not in gaps  # face identification is not asked
    pv.number_input(key=wkey(pv, "pv_set_retention_days")).set_value(14)
    _run(pv)
    assert _plan(workspace_path, pid)["privacy"]["settings"]["retention_days"] == 14
    draft = next(v for v in _texts(pv) if v.startswith("# 防犯カメラの設置及び運用"))
    assert "画像の保存期間は14日間とし" in draft and "対象: " + PLAN_NAME_A + " / 柏市" in draft
    from docx import Document
    doc = Document(io.BytesIO(_download(pv, media, "dl_docx")))
    assert any("画像の保存期間は14日間とし" in p.text for p in doc.paragraphs)

    # ---- 6. シミュレーション: the sample district, 12 cameras, 20 lights, night ----------------
    sim = _page("simulate", pid, **{"sim.load_sample": True})
    assert "サンプル地区を読み込みました。" in [s.value for s in sim.success]
    plan = _plan(workspace_path, pid)
    # loading the sample keeps the plan's own name, municipality and use cases
    assert (plan["name"], plan["municipality"]["name"]) == (PLAN_NAME_A, "柏市")
    assert sorted(plan["use_cases"]) == ["abnormal_behavior", "people_count"]
    assert (len(plan["cameras"]), len(plan["lights"])) == (11, 20)
    # the strictest chosen use case sets the requirement: Observe 62.5 px/m
    # a new plan uses IEC 62676-4:2025, which has no level at 62.5 px/m: the use case's
    # 2014 level is named with its edition, its 62.5 px/m stays the requirement
    assert ("要件：**Observe（観察）（2014年版）**（62.5 px/m 以上）・夜間運用 要・録画 要"
            in _texts(sim))
    before = _metrics(sim)
    c3 = next(c for c in plan["cameras"] if c["id"] == "C3")
    sim.session_state["sim.edit_queue"] = [{"kind": "cameras", "delta": {"added_rows": [
        {"id": "C12", "lat": c3["lat"], "lon": c3["lon"], "azimuth_deg": 90.0}]}}]
    _run(sim)
    assert "カメラを保存しました。" in [s.value for s in sim.success]
    after = _metrics(sim)
    assert len(_plan(workspace_path, pid)["cameras"]) == 12
    # a camera looking where none looked: more of the area is covered
    assert _pct(after["カメラに映る範囲"]) > _pct(before["カメラに映る範囲"])
    dori = _frame(sim, "夜")
    # the seven levels of IEC 62676-4:2025 (a new plan's edition; 2014 had six)
    assert list(dori.columns) == ["レベル", "昼", "夜"] and len(dori) == 7
    # two more lights next to the new camera's pole: night figures cannot get worse
    night0 = _pct(after["要件を満たす（昼・夜）"])
    sim.session_state["sim.edit_queue"] = [{"kind": "lights", "delta": {"added_rows": [
        {"id": "L21", "lat": c3["lat"], "lon": c3["lon"] + 0.0002},
        {"id": "L22", "lat": c3["lat"], "lon": c3["lon"] + 0.0004}]}}]
    _run(sim)
    assert len(_plan(workspace_path, pid)["lights"]) == 22
    assert _pct(_metrics(sim)["要件を満たす（昼・夜）"]) >= night0

    # ---- 7. 補助金: ¥38M over 5 years; デジタル実装型 TYPE A and MLIT 実装化支援 -------------
    # the costs are entered once: one model price for the 12 cameras on the simulation's
    # cost tab (12 × 300,000 = 3,600,000) and, typed on 事業計画・事業費, the rest of the
    # project (AI解析・データ連携・設置工事 一式 34,400,000; the table editor itself is
    # exercised in tests/test_page_project_plan.py) plus 1,000,000/年 of maintenance
    models = sorted({c.get("model") or "" for c in _plan(workspace_path, pid)["cameras"]})
    _page("simulate", pid, **{"sim.price_queue": [
        {"kind": "cameras", "model": mdl, "price": 300_000} for mdl in models]})
    ws = Workspace(workspace_path)
    ws.update_plan(pid, lambda p: p.__setitem__("costs", {
        "years": 5,
        "items": [{"category": "other", "name": "AI解析・データ連携・設置工事 一式",
                   "unit_price_jpy": 34_400_000, "quantity": 1}],
        "running": [{"category": "maintenance", "name": "保守", "annual_jpy": 1_000_000}]}))
    ws.close()
    gr = _page("grants", pid)
    assert not gr.number_input  # the plan's costs, cameras and sites: no second input
    assert _metrics(gr)["総事業費（初期費用）"] == "¥38,000,000"
    next(r for r in gr.radio if r.key.split("@")[0] == "gm_platform").set_value("has")
    _run(gr)
    res = _frame(gr, "うち国費").head(2).set_index("名称")
    # the FY2026 schemes first: 総務省 地域社会DX推進パッケージ R8 (1/2, soumu.go.jp
    # 02ryutsu06_04000256) and MLIT 都市サービス実装タイプ R8 (1/2, cap 3,500万):
    # 1/2 × 38,000,000 (the initial cost; the 5 years of maintenance are not covered)
    # = 19,000,000 under the cap; local = 38M − 19M = 19,000,000
    assert set(res.index) == {
        "総務省 地域社会DX推進パッケージ事業 (補助事業、R8)",
        "国土交通省 スマートシティ実装化支援事業 都市サービス実装タイプ (R8)"}
    assert res["うち国費"].tolist() == ["¥19,000,000"] * 2
    assert res["地方・申請者負担（対象の費用のうち）"].tolist() == ["¥19,000,000"] * 2
    next(b for b in gr.selectbox if b.key.split("@")[0] == "gm_choose").select(
        "shinchiho_digital_a")
    _run(gr)
    next(b for b in gr.button if (b.key or "").split("@")[0] == "gm_save").click()
    _run(gr)
    assert _plan(workspace_path, pid)["grant"]["scheme_id"] == "shinchiho_digital_a"

    # ---- 8. 出力: prices, the Excel, an edit in Excel, imported back ---------------------
    pp = _page("project_plan", pid)
    m = _metrics(pp)
    # 12 cameras × 300,000 + 34,400,000 = 38,000,000 (lights unpriced); 5 years of
    # maintenance 5,000,000; TYPE A: 1/2 × 38,000,000 = 19,000,000 (< cap 1億) — the same
    # figure as the 補助金 page; local 19,000,000 of the initial cost, 24,000,000 in all
    assert (m["総事業費（初期費用）"], m["事業費合計（運用費5年分を含む）"]) == (
        "38,000,000 円", "43,000,000 円")
    assert (m["補助金"], m["地方負担（補助の対象とする費用のうち）"],
            m["地方負担 計（運用費5年分を含む）"]) == ("19,000,000 円", "19,000,000 円",
                                                 "24,000,000 円")
    ex = _page("export", pid)
    assert any(v.startswith("補助制度: 新しい地方経済・生活環境創生交付金 デジタル実装型 TYPE A")
               for v in _texts(ex))
    data = _download(ex, media, "export_download")
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames[0] == "概要"
    summary = {r[0].value: r[1].value for r in wb["概要"].iter_rows()}
    assert summary["計画名"] == PLAN_NAME_A
    cams = wb["カメラ配置"]
    row_c1 = _find_row(cams, "C1")
    assert cams.cell(row_c1, 11).value == 300_000
    costs = wb["事業費"]
    grant_row = _find_row(costs, "補助金（国・上位団体の負担）")
    assert costs.cell(grant_row, 3).value.startswith("=")  # live formula, not a number
    # the section chief raises C1 to 500,000 in Excel
    cams.cell(row_c1, 11).value = 500_000
    buf = io.BytesIO()
    wb.save(buf)
    edited = buf.getvalue()
    if shutil.which("soffice"):
        values = _soffice_values(edited, tmp_path, "a")["事業費"]
        # 38,000,000 + 200,000 = 38,200,000; national 1/2 × 38,200,000 = 19,100,000
        assert values.cell(_find_row(values, "初期費用 計"), 5).value == 38_200_000
        assert values.cell(grant_row, 3).value == 19_100_000
    ex.file_uploader(key="export_upload").upload("plan.xlsx", edited, XLSX)
    _run(ex)
    assert not ex.error
    assert "**変更点（1件）**" in _texts(ex)
    change = ex.dataframe[0].value.iloc[0]
    assert list(change) == ["カメラ", "C1", "変更", "単価 [円]", "300000", "500000"]
    ex.button(key="export_apply").click()
    _run(ex)
    assert ex.success[0].value == "計画に反映しました（1件）。"
    pp = _page("project_plan", pid)
    m = _metrics(pp)
    assert (m["総事業費（初期費用）"], m["補助金"], m["地方負担（補助の対象とする費用のうち）"]) == (
        "38,200,000 円", "19,100,000 円", "19,100,000 円")
    # the home page of the same plan shows how far it got
    m = _metrics(_page("home", pid))
    assert (m["選んだ活用事例"], m["準備度の回答"], m["配置したカメラ"], m["配置した防犯灯"]) == (
        "2", "41 / 41", "12", "22")


# ============================================================================ scenario B
CHOFU_CROSSING = (35.6518, 139.5407)  # the school-route crossing (synthetic), near 調布市役所


def test_scenario_b_chofu_association(workspace_path, media):
    # ---- 1. plan for a 町会 in 調布市; the sites from the 町会's Shift_JIS CSV -------------
    _, pid = _create_plan_in_sidebar("小島町会 通学路の見守りカメラ", "東京都", "調布市")
    raw = (DATA / "scenario_b_sites.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")  # really CP932, as Excel saves 「CSV (コンマ区切り)」
    sim = _page("simulate", pid, **{"sim.import_queue": [
        {"kind": "cameras", "name": "候補地.csv", "data": raw, "mode": "replace"}]})
    ok = [re.sub(r"\\(.)", r"\1", s.value) for s in sim.success]   # as shown (escaped name)
    assert any(v.startswith("候補地.csv から 3 件を読み込みました。") for v in ok), ok
    plan = _plan(workspace_path, pid)
    cams = plan["cameras"]
    assert [c["id"] for c in cams] == ["C1", "C2", "C3"]
    assert [c["name"] for c in cams] == ["小学校前 横断歩道 南", "文具店 角", "公園 入口"]
    assert cams[0]["address"] == "東京都調布市小島町2丁目 (仮)"
    assert [(c["lat"], c["lon"]) for c in cams] == [
        (35.651746, 139.5407), (35.6518, 139.540766), (35.65207, 139.5407)]

    # ---- 2. 見守り（子ども）: Recognise at the crossing; the sites aimed at it --------------
    uc = _page("use_cases", pid)
    uc.checkbox(key=wkey(uc, "uc_pick_watch_children")).check()
    _run(uc)
    assert _plan(workspace_path, pid)["use_cases"] == ["watch_children"]
    # C1 (6 m south) already looks north (importer default azimuth 0°); C2 (6 m east)
    # turns west, C3 (30 m north) turns south
    sim = _page("simulate", pid, **{"sim.edit_queue": [{"kind": "cameras", "delta": {
        "edited_rows": {"1": {"azimuth_deg": 270.0}, "2": {"azimuth_deg": 180.0}}}}]})
    # a new plan uses IEC 62676-4:2025: its 125 px/m level, with the use case's 2014 name
    assert ("要件：**Perceive（2014年版の Recognise（認識）） ※値は未確認**（125 px/m 以上）"
            "・夜間運用 要・録画 要" in _texts(sim))

    # ---- 3. at the crossing: two sites Recognise, the third only Detect; a longer lens ---
    from assessments.engine.grid import Grid
    plan = _plan(workspace_path, pid)
    x, y = Grid.from_area(plan["area"], plan["resolution_m"]).to_xy(*CHOFU_CROSSING)
    sim.session_state["sim.inspect"] = {"x_m": float(x), "y_m": float(y)}
    _run(sim)

    def levels(at):
        lines = _texts(at)
        out = {}
        for i, v in enumerate(lines):
            if v.startswith("**カメラ C"):
                day = lines[i + 1]
                out[v.split()[1].split("（")[0]] = (float(day.split("：")[1].split(" px/m")[0]), day.split("・")[1])
        return out

    seen = levels(sim)
    # hfov 90°, 1,920 px: density = 1920 / (2 × tan 45° × d) = 960 / d [px/m] at distance
    # d = √(horizontal² + (5.0 − 1.5)²) from the lens to the target (1.5 m) —
    # C1, C2: horizontal ≈ 6 m → d ≈ 6.9 m → ≈ 138 px/m ≥ 125 (2014 Recognise);
    # C3: ≈ 30 m → d ≈ 30.2 m → ≈ 32 px/m: ≥ 25 (2014 Detect) but < 62.5 (Observe).
    # The new plan uses IEC 62676-4:2025: 138 → Perceive (125 ≤ 138 < 250),
    # 32 → Overview (20 ≤ 32 < 40, Outline)
    assert set(seen) == {"C1", "C2", "C3"}
    for cid in ("C1", "C2"):
        assert seen[cid][1] == "Perceive ※値は未確認"
        assert seen[cid][0] == pytest.approx(960 / math.hypot(6.0, 3.5), rel=0.15)
    assert seen["C3"][1] == "Overview ※値は未確認"
    assert seen["C3"][0] == pytest.approx(960 / math.hypot(30.0, 3.5), rel=0.1)
    # the consultant fits a longer lens on C3: hfov 40° → 1920 / (2 tan 20° × 30.2) ≈ 87
    # px/m: 2014 Observe (62.5 ≤ 87 < 125); 2025 Discern (80 ≤ 87 < 125)
    sim.session_state["sim.edit_queue"] = [{"kind": "cameras", "delta": {
        "edited_rows": {"2": {"hfov_deg": 40.0}}}}]
    # the preview opens on a click (a dialog): look at the point again
    sim.session_state["sim.inspect"] = {"x_m": float(x), "y_m": float(y)}
    _run(sim)
    seen = levels(sim)
    assert seen["C3"][1] == "Discern ※値は未確認"
    assert seen["C3"][0] == pytest.approx(1920 / (2 * math.tan(math.radians(20))
                                                  * math.hypot(30.0, 3.5)), rel=0.1)
    # three cameras at 800,000 each (one model "", the cost tab's one price per model)
    sim.session_state["sim.price_queue"] = [{"kind": "cameras", "model": "", "price": 800_000}]
    _run(sim)
    # the notice-board map: 地図画像 (PNG) is made on request (a toggle), then downloaded
    next(t for t in sim.toggle if t.key.split("@")[0].endswith("png_on")).set_value(True)
    _run(sim)
    png = _download(sim, media, "dl_png")

    # ---- 4. 補助金: 東京都 見守り via 調布市: 都 1/2, 市 1/3, 町会 1/6 with the camera cap ----
    gr = _page("grants", pid)
    # the plan's 3 cameras × 800,000 (the price set on the cost tab above): no second input
    assert not gr.number_input and _metrics(gr)["総事業費（初期費用）"] == "¥2,400,000"
    domains = next(w for w in gr.multiselect if w.key.split("@")[0] == "gm_domains")
    assert domains.value == ["watching"]  # from 見守り（子ども）
    next(w for w in gr.selectbox if w.key.split("@")[0] == "gm_applicant").select(
        "neighbourhood_association")
    _run(gr)
    first = _frame(gr, "うち国費").iloc[0]
    assert first["名称"].startswith("東京都 地域における見守り活動支援事業")
    assert "調布" in first["名称"]
    # facts.md §1b (CF): eligible = min(2,400,000, 3 × 600,000) = 1,800,000;
    # 都 1/2 = 900,000 + 市 1/3 = 600,000 → public 1,500,000; 町会 2,400,000 − 1,500,000
    assert (first["補助額 (公費計)"], first["地方・申請者負担（対象の費用のうち）"]) == (
        "¥1,500,000", "¥900,000")
    conditions = first["条件・計算"]
    assert "住民の同意" in conditions and "5年" in conditions
    next(w for w in gr.selectbox if w.key.split("@")[0] == "gm_choose").select_index(0)
    _run(gr)
    next(b for b in gr.button if (b.key or "").split("@")[0] == "gm_save").click()
    _run(gr)
    assert _plan(workspace_path, pid)["grant"]["scheme_id"] == "tokyo_mimamori_chofu"
    pp = _page("project_plan", pid)
    m = _metrics(pp)
    assert (m["都 負担（1/2）"], m["市 負担（1/3）"], m["団体 負担（1/6）"]) == (
        "900,000 円", "600,000 円", "900,000 円")

    # ---- 5. the Excel for the city's application and a map image for the notice board ----
    ex = _page("export", pid)
    assert "負担区分: 都 1/2 / 市 1/3 / 団体 1/6（事業費シートで負担者ごとに数式で計算）" in [
        c.value for c in ex.caption]
    wb = load_workbook(io.BytesIO(_download(ex, media, "export_download")))
    labels = [wb["事業費"].cell(r, 1).value for r in range(1, wb["事業費"].max_row + 1)]
    assert {"都 負担（1/2）", "市 負担（1/3）"} <= set(labels)
    cams = wb["カメラ配置"]
    assert [cams.cell(_find_row(cams, c), 11).value for c in ("C1", "C2", "C3")] == [800_000] * 3
    assert png[:8] == b"\x89PNG\r\n\x1a\n"


# ============================================================================ scenario C
def _prepared_plan() -> dict:
    """The plan file a city sends: the bundled sample district, two use cases, and some
    privacy answers (P01 done, P05 partial, P10 todo)."""
    plan = json.loads((ROOT / "datasets" / "sample_district" / "plan.json").read_text("utf-8"))
    plan.update(name="駅前地区 見守りカメラ計画（市作成）", use_cases=["watch_children"],
                privacy={"answers": {"P01": {"status": "done", "evidence": "要綱案 第1条"},
                                     "P05": {"status": "partial"},
                                     "P10": {"status": "todo"}},
                         "settings": {"retention_days": 30}})
    plan.pop("id", None)
    return plan


def test_scenario_c_council_presentation(workspace_path):
    # ---- 1. English for the delegation, then back to Japanese ---------------------------
    home = _page("home", None)
    assert home.title[0].value == "見守りプランナー"
    home.sidebar.radio(key="_lang_widget").set_value("en")
    _run(home)
    assert home.title[0].value == "Mimamori Planner"
    assert "Cameras placed" in _metrics(home)
    home.sidebar.radio(key="_lang_widget").set_value("ja")
    _run(home)
    assert home.title[0].value == "見守りプランナー"

    # ---- 2. MLIT keyword heat map and the 加古川 case, with sources ------------------------
    cc = _page("compare_cases", None)
    counts = _frame(cc, "●の事業数").set_index("キーワード")
    # seed report's MLIT table (datasets/mlit_project_rows.csv, 8 projects): カメラ・センサー等
    # ● at 仙北, つくば, 宇都宮 (3); 防災 with a camera ●: 仙北 only (1); 移動・人流データ ● at
    # 札幌, 仙台, 仙北, つくば, 宇都宮 (5), of which the three camera projects (3)
    assert counts.loc["カメラ・センサー等", "●の事業数"] == 3
    assert counts.loc["防災", "うち「カメラ・センサー等」も●"] == 1
    assert counts.loc["移動・人流データ", "●の事業数"] == 5
    assert counts.loc["移動・人流データ", "うち「カメラ・センサー等」も●"] == 3
    assert cc.selectbox(key="cc_fig_ini.ja").value == "kakogawa"
    m = _metrics(cc)
    # facts.md §3a: 900 (FY2017) + 575 (FY2018) = 1,475; AI cameras 150 (FY2022)
    assert m["見守りカメラ設置台数 (2017-10〜2019-03) (2019)"] == "1,475 台"
    assert m["AI 高度化見守りカメラ (2022)"] == "150 台"
    assert m["刑法犯認知件数の変化 2017→2021 (2021)"] == "-51 %"
    specs = [json.loads(c.proto.spec) for c in cc.get("plotly_chart")]
    crimes = next(s for s in specs if s["data"] and s["data"][0].get("type") == "bar")
    bars = crimes["data"][0]
    assert list(bars["x"]) == ["2017", "2018", "2019", "2020"]
    y = bars["y"]
    if isinstance(y, dict):  # plotly's typed array: base64 bytes + dtype
        import base64
        import numpy as np
        y = np.frombuffer(base64.b64decode(y["bdata"]), dtype=y["dtype"]).tolist()
    assert list(y) == [2926, 2407, 2025, 1684]  # 県警 刑法犯認知件数 (HR, DG, KB1)
    source_lines = " ".join(c.value for c in cc.caption)
    assert "harimania.com" in source_lines and "出典" in source_lines

    # ---- 3. the city's plan file: coverage, privacy gaps, the UK code view -----------------
    pv = _page("privacy", None)
    prepared = _prepared_plan()
    pv.file_uploader(key="plan_upload").upload("city_plan.json",
                                               json.dumps(prepared, ensure_ascii=False)
                                               .encode("utf-8"), "application/json")
    _run(pv)  # the import switches the current plan (st.rerun inside the same run)
    pid = pv.session_state["plan_id"]
    plan = _plan(workspace_path, pid)
    assert plan["name"] == "駅前地区 見守りカメラ計画（市作成）"
    assert len(plan["cameras"]) == len(prepared["cameras"])
    assert "計画「駅前地区 見守りカメラ計画（市作成）」を読み込みました。" in [
        s.value for s in pv.sidebar.success]
    # the gaps of this plan: P01 done drops out, P05 partial and P10 todo stay
    gaps = " ".join(_texts(pv))
    assert "**P01 " not in gaps
    assert "**P05 " in gaps and "**P10 " in gaps
    m = _metrics(pv)
    assert m["回答済み"].startswith("3 / ")
    uk = pv.dataframe[0].value
    assert len(uk) == 12  # the 12 guiding principles of the UK Surveillance Camera Code
    assert uk.iloc[0, 0].startswith("1. 特定の目的のため")
    # coverage of the same file equals the command line's figure for it
    sim = _page("simulate", pid)
    from assessments.simulate import simulate as core_simulate
    from assessments.plan.validate import validate_plan
    res = core_simulate(validate_plan(plan)).result
    shown = _pct(_metrics(sim)["カメラに映る範囲"])
    assert shown == pytest.approx(100 * res["covered_m2"] / res["area_m2"], abs=0.06)
    # and back in English, the same plan stays the current one
    en = _page("privacy", pid, lang="en")
    assert en.title[0].value == "Privacy and operating rules"
    assert en.session_state["plan_id"] == pid
