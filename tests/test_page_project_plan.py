"""The 事業計画・事業費 page under AppTest, and the table helpers behind its editors."""
from __future__ import annotations

import math
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from datasets.workspace import Workspace
from tests.pagetest import run_page_on_plan
from reports import excel as X
from test_excel import sample_plan

PAGE = str(Path(__file__).resolve().parents[1] / "pages" / "project_plan.py")


def _page(workspace_path, plan=None, lang="ja"):
    return run_page_on_plan(PAGE, workspace_path, plan or sample_plan(), lang=lang)


def _saved(workspace_path, plan_id):
    return Workspace(workspace_path).get_plan(plan_id)


def test_page_shows_costs_from_plan(workspace_path):
    at, stored = _page(workspace_path)
    assert at.title[0].value == "事業計画・事業費"
    metrics = {m.label: m.value for m in at.metric}
    # cameras 1,000,000 + poles 300,000 + installation 1,000,000 (see test_excel)
    assert metrics["初期費用"] == "2,300,000 円"
    assert metrics["運用費（5年間）"] == "1,500,000 円"
    assert metrics["事業費 合計"] == "3,800,000 円"
    cams = next(d for d in at.dataframe if "cam_prices" in d.key).value
    assert list(cams["model"]) == ["AX-100", "（機種未設定）"]
    assert list(cams["quantity"]) == [2, 1]
    assert list(cams["unit_price"]) == [400000, 200000]
    kpis = next(d for d in at.dataframe if d.key.endswith("_kpis")).value
    assert list(kpis.iloc[1][["t1", "t2", "t3", "t4"]]) == [2, 4, 6, 8]
    # viewing the page saves nothing
    assert _saved(workspace_path, stored["id"])["updated_at"] == stored["updated_at"]


def test_text_fields_autosave(workspace_path):
    at, stored = _page(workspace_path)
    key = f"pp_{stored['id']}_"
    at.text_input(key=key + "title").input("柏の葉 見守りカメラ事業").run()
    at.text_area(key=key + "issues").input("=夜間の暗がり").run()
    at.number_input(key=key + "start_fy").set_value(2027).run()
    assert not at.exception
    project = _saved(workspace_path, stored["id"])["project"]
    assert project["title"] == "柏の葉 見守りカメラ事業"
    assert project["issues"] == "=夜間の暗がり"
    assert project["start_fy"] == 2027
    assert "開始年度: 令和9年度" in [c.value for c in at.caption]


def test_years_change_saves_costs_and_grant_total(workspace_path):
    at, stored = _page(workspace_path)
    at.number_input(key=f"pp_{stored['id']}_years").set_value(3).run()
    assert not at.exception
    plan = _saved(workspace_path, stored["id"])
    assert plan["costs"]["years"] == 3
    # 2,300,000 initial + 300,000 × 3 years running
    assert plan["grant"]["total_cost_jpy"] == 3_200_000
    assert {m.label: m.value for m in at.metric}["運用費（3年間）"] == "900,000 円"


def test_scheme_shares_shown(workspace_path, ref_cursor):
    frame = ref_cursor.execute(
        "SELECT * FROM grant_schemes WHERE rate IS NOT NULL AND per_camera_cap_jpy IS NOT NULL "
        "ORDER BY id LIMIT 1").fetch_df()
    if frame.empty:
        pytest.skip("no scheme with a rate and a per-camera cap in grant_schemes yet")
    scheme = {k: (None if isinstance(v, float) and math.isnan(v) else v)
              for k, v in frame.iloc[0].to_dict().items()}
    plan = sample_plan()
    plan["grant"]["scheme_id"] = scheme["id"]
    at, _ = _page(workspace_path, plan)
    expected = X.cost_totals(plan, scheme=scheme)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["補助金"] == f"{expected['national']:,.0f} 円"
    assert metrics["地方負担"] == f"{expected['local']:,.0f} 円"
    assert expected["national"] + expected["local"] == 3_800_000


def test_page_in_english_without_cameras(workspace_path):
    plan = sample_plan()
    plan["cameras"] = []
    plan["grant"]["scheme_id"] = None
    at, _ = _page(workspace_path, plan, lang="en")
    assert at.title[0].value == "Project plan & costs"
    assert any("No cameras placed yet" in c.value for c in at.caption)
    assert any("No grant scheme chosen" in i.value for i in at.info)
    assert {m.label: m.value for m in at.metric}["Initial cost"] == "¥1,300,000"


# ------------------------------------------------------------------ editor table helpers
def test_kpi_rows_round_trip():
    kpis = sample_plan()["kpis"]
    rows, n = X.kpi_rows(kpis)
    assert n == 4  # the longest target list
    assert rows[0] == {"name": "駅前の刑法犯認知件数", "unit": "件", "baseline": 120,
                       "t1": 110, "t2": 100, "t3": 90, "t4": None}
    assert X.kpis_from_rows(rows, kpis) == kpis
    # an empty row added in the editor is dropped; NaN from pandas counts as empty
    rows.append({"name": None, "unit": None, "baseline": float("nan"), "t1": None})
    assert X.kpis_from_rows(rows, kpis) == kpis
    assert X.kpi_rows([])[1] == 3  # at least three yearly targets are offered


def test_schedule_rows_normalised_and_bad_months_reported():
    rows = [{"task": "設計", "start": "2026/4", "end": "2026年9月"},
            {"task": "設置", "start": "2026-13", "end": "2027-03"},
            {"task": None, "start": None, "end": None}]
    schedule, bad = X.schedule_from_rows(rows)
    assert schedule[0] == {"task": "設計", "start": "2026-04", "end": "2026-09"}
    assert bad == [(2, "2026-13")]
    assert len(schedule) == 2


def test_set_camera_prices_by_model():
    cams = sample_plan()["cameras"]
    out = X.set_camera_prices(cams, {"AX-100": 350000})
    assert [c["unit_price_jpy"] for c in out] == [350000, 350000, 200000]
    assert cams[0]["unit_price_jpy"] == 400000  # input not mutated
    groups = X.camera_cost_groups(out)
    assert groups == [{"model": "AX-100", "quantity": 2, "amount_jpy": 700000},
                      {"model": "", "quantity": 1, "amount_jpy": 200000}]


def test_split_scheme_payers_and_light_prices(workspace_path):
    """Scenario B (調布 3 cameras, ¥2.4M): the payer amounts equal the grant matcher's."""
    from test_excel import _match, chofu_plan
    at, stored = _page(workspace_path, chofu_plan())
    metrics = {m.label: m.value for m in at.metric}
    expected, _ = _match(2_400_000, 3)
    # eligible min(2.4M, 3 × 60万) = 1.8M: 都 1/2 = 900,000; 市 1/3 = 600,000;
    # 団体 2.4M − 1.5M = 900,000
    assert metrics["都 負担（1/2）"] == f"{expected['prefecture']:,.0f} 円" == "900,000 円"
    assert metrics["市 負担（1/3）"] == "600,000 円"
    assert metrics["団体 負担（1/6）"] == f"{expected['applicant']:,.0f} 円" == "900,000 円"
    assert "補助金" not in metrics
    lights = next(d for d in at.dataframe if "light_prices" in d.key).value
    assert list(lights["model"]) == ["防犯灯 20VA"] and list(lights["quantity"]) == [1]


def test_simulation_price_edit_reaches_costs(workspace_path):
    """One source of truth: a model price set on the シミュレーション page is the price the
    事業計画 page and the Excel 事業費 use."""
    from test_excel import chofu_plan
    ws = Workspace(workspace_path)
    stored = ws.add_plan(chofu_plan())
    ws.close()
    sim = AppTest.from_file(str(Path(PAGE).parent / "simulate.py"), default_timeout=60)
    sim.session_state["lang"] = "ja"
    sim.session_state["plan_id"] = stored["id"]
    sim.session_state["sim.price_queue"] = [
        {"kind": "cameras", "model": "BX-20", "price": 500_000},
        {"kind": "lights", "model": "防犯灯 20VA", "price": 40_000}]
    sim.run()
    assert not sim.exception, sim.exception
    plan = _saved(workspace_path, stored["id"])
    assert [c["unit_price_jpy"] for c in plan["cameras"]] == [500_000] * 3
    assert plan["lights"][0]["unit_price_jpy"] == 40_000
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.session_state["lang"] = "ja"
    at.session_state["plan_id"] = stored["id"]
    at.run()
    metrics = {m.label: m.value for m in at.metric}
    # 3 × 500,000 + 40,000 = 1,540,000 ≤ 1.8M cap: 都 770,000; 市 floor(513,333.3) =
    # 513,333; 団体 1,540,000 − 1,283,333 = 256,667
    assert metrics["初期費用"] == "1,540,000 円"
    assert [metrics["都 負担（1/2）"], metrics["市 負担（1/3）"], metrics["団体 負担（1/6）"]] == [
        "770,000 円", "513,333 円", "256,667 円"]
