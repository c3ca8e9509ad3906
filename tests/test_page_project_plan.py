"""The 事業計画・事業費 page under AppTest, and the table helpers behind its editors."""
from __future__ import annotations

import math
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from datasets.workspace import Workspace
from tests.pagetest import run_page_on_plan, wkey
from assessments.programme import costs as C
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
    assert metrics["総事業費（初期費用）"] == "2,300,000 円"
    assert metrics["運用費（5年分）"] == "1,500,000 円"
    assert metrics["事業費合計（運用費5年分を含む）"] == "3,800,000 円"
    # every line with where it comes from
    lines = next(d for d in at.dataframe if "出どころ" in d.value.columns).value
    assert list(lines["出どころ"]) == ["カメラ配置から"] * 2 + ["照明配置から"] + [
        "事業費の入力"] * 2 + ["運用費の入力"] * 2
    cams = next(d for d in at.dataframe if "cam_prices" in d.key).value
    assert list(cams["model"]) == ["AX-100", "（機種未設定）"]
    assert list(cams["quantity"]) == [2, 1]
    assert list(cams["unit_price"]) == [400000, 200000]
    kpis = next(d for d in at.dataframe if d.key.startswith("pp_kpis@")).value
    assert list(kpis.iloc[1][["t1", "t2", "t3", "t4"]]) == [2, 4, 6, 8]
    # viewing the page saves nothing
    assert _saved(workspace_path, stored["id"])["updated_at"] == stored["updated_at"]


def test_text_fields_autosave(workspace_path):
    at, stored = _page(workspace_path)
    at.text_input(key=wkey(at, "pp_title")).input("柏の葉 見守りカメラ事業").run()
    at.text_area(key=wkey(at, "pp_issues")).input("=夜間の暗がり").run()
    at.number_input(key=wkey(at, "pp_start_fy")).set_value(2027).run()
    assert not at.exception
    project = _saved(workspace_path, stored["id"])["project"]
    assert project["title"] == "柏の葉 見守りカメラ事業"
    assert project["issues"] == "=夜間の暗がり"
    assert project["start_fy"] == 2027
    assert "開始年度: 令和9年度" in [c.value for c in at.caption]


def test_years_change_saves_costs_and_derives_the_total(workspace_path):
    plan = sample_plan()
    plan["grant"]["total_cost_jpy"] = 999  # an old stored copy: never read, dropped on save
    at, stored = _page(workspace_path, plan)
    at.number_input(key=wkey(at, "pp_years")).set_value(3).run()
    assert not at.exception
    plan = _saved(workspace_path, stored["id"])
    assert plan["costs"]["years"] == 3
    assert "total_cost_jpy" not in plan["grant"]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["運用費（3年分）"] == "900,000 円"
    # 2,300,000 initial + 300,000 × 3 years running
    assert metrics["事業費合計（運用費3年分を含む）"] == "3,200,000 円"


def test_scheme_shares_shown(workspace_path, ref_cursor):
    frame = ref_cursor.execute(
        "SELECT * FROM grant_schemes WHERE id = 'shinchiho_digital_a'").fetch_df()
    scheme = {k: (None if isinstance(v, float) and math.isnan(v) else v)
              for k, v in frame.iloc[0].to_dict().items()}
    plan = sample_plan()
    plan["grant"]["scheme_id"] = scheme["id"]
    at, _ = _page(workspace_path, plan)
    expected = X.cost_totals(plan, scheme=scheme)
    metrics = {m.label: m.value for m in at.metric}
    # TYPE A, rate 1/2 of the initial cost (running not covered): 1/2 × 2,300,000 = 1,150,000;
    # 自己負担 of the initial cost 1,150,000; with 5 years of running 3,800,000 − 1,150,000
    assert (expected["national"], expected["applicant"], expected["local"]) == (
        1_150_000, 1_150_000, 2_650_000)
    assert metrics["補助金"] == f"{expected['national']:,.0f} 円"
    assert metrics["地方負担（補助の対象とする費用のうち）"] == f"{expected['applicant']:,.0f} 円"
    assert metrics["地方負担 計（運用費5年分を含む）"] == f"{expected['local']:,.0f} 円"


def test_page_in_english_without_cameras(workspace_path):
    plan = sample_plan()
    plan["cameras"] = []
    plan["grant"]["scheme_id"] = None
    at, _ = _page(workspace_path, plan, lang="en")
    assert at.title[0].value == "Project plan & costs"
    assert any("No cameras placed yet" in c.value for c in at.caption)
    assert any("No grant scheme chosen" in i.value for i in at.info)
    assert {m.label: m.value for m in at.metric}["Project cost (initial)"] == "¥1,300,000"


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
    out = C.set_model_prices(cams, {"AX-100": 350000})
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
    assert metrics["総事業費（初期費用）"] == "1,540,000 円"
    assert [metrics["都 負担（1/2）"], metrics["市 負担（1/3）"], metrics["団体 負担（1/6）"]] == [
        "770,000 円", "513,333 円", "256,667 円"]


def test_estimate_rates_are_cost_lines_entered_once(workspace_path):
    """The simulation's pole / installation rates are lines of the plan's costs (not typed
    again), and a typed line of the same category replaces the estimate (never both)."""
    from test_excel import chofu_plan
    plan = chofu_plan()  # 3 cameras × 800,000, one light at 0
    plan["cameras"][0]["site"] = plan["cameras"][1]["site"] = "P1"  # C1, C2 on one pole
    plan["simulation"] = {"unit_prices_jpy": {"pole": 150_000, "installation": 50_000}}
    at, _ = _page(workspace_path, plan)
    metrics = {m.label: m.value for m in at.metric}
    # 2,400,000 + poles 150,000 × 2 sites + installation 50,000 × (3 cameras + 1 light)
    # = 2,400,000 + 300,000 + 200,000 = 2,900,000
    assert metrics["総事業費（初期費用）"] == "2,900,000 円"
    lines = next(d for d in at.dataframe if "出どころ" in d.value.columns).value
    assert list(lines["出どころ"]).count("シミュレーションの概算単価から") == 2
    plan["costs"] = {"items": [{"category": "pole", "name": "ポール新設", "unit_price_jpy": 200_000,
                                "quantity": 1}]}
    at, _ = _page(workspace_path, plan)
    # the typed pole (200,000) replaces the estimate's 300,000: 2,400,000 + 200,000 + 200,000
    assert {m.label: m.value for m in at.metric}["総事業費（初期費用）"] == "2,800,000 円"
    assert any("ポール・支柱（概算 × 設置か所数）" in i.value for i in at.info)


@pytest.mark.parametrize("case, applicant", [
    ("rate_with_cap", "municipality"), ("split_tokyo", "neighbourhood_association"),
    ("fixed_per_site", "neighbourhood_association"), ("no_rate", "municipality")])
def test_pages_show_one_grant_for_one_plan(workspace_path, case, applicant):
    """事業計画, ホーム and 補助金 show the same grant for the same plan (the Excel's side is
    tests/test_costs.py::test_excel_formulas_give_the_same_figures)."""
    from test_costs import CASES, SCHEMES, SHARES
    from assessments.programme.grants import plan_grant
    plan, _, _, grant = CASES[case]
    pg = plan_grant(plan, schemes=SCHEMES, shares=SHARES)
    assert pg.amounts.grant_jpy == grant
    shown = "–" if grant is None else f"{grant:,.0f} 円"
    pp, stored = _page(workspace_path, plan)
    metrics = {m.label: m.value for m in pp.metric}
    assert metrics["総事業費（初期費用）"] == f"{pg.costs.initial_jpy:,.0f} 円"
    if pg.share_rows:  # one metric per payer, adding up to the grant
        public = [v for k, v in metrics.items() if " 負担（" in k][:-1]
        assert sum(int(v.replace(",", "").replace(" 円", "")) for v in public) == grant
    elif grant is not None:
        assert metrics["補助金"] == shown
    home = AppTest.from_file(str(Path(PAGE).parent / "home.py"), default_timeout=60)
    home.session_state["lang"] = "ja"
    home.session_state["plan_id"] = stored["id"]
    home.run()
    assert not home.exception, home.exception
    hm = {m.label: m.value for m in home.metric}
    assert hm["総事業費（初期費用）"] == metrics["総事業費（初期費用）"]
    assert hm["補助金"] == ("—" if grant is None else shown)
    gr = AppTest.from_file(str(Path(PAGE).parent / "grants.py"), default_timeout=60)
    gr.session_state["lang"] = "ja"
    gr.session_state["plan_id"] = stored["id"]
    gr.run()
    next(w for w in gr.selectbox if w.key.split("@")[0] == "gm_applicant").select(applicant)
    next(w for w in gr.radio if w.key.split("@")[0] == "gm_platform").set_value("has")
    gr.run()
    assert not gr.exception, gr.exception
    rows = [d.value for d in gr.dataframe if "補助額 (公費計)" in d.value.columns][0]
    name = str(next(s for s in SCHEMES if s["id"] == plan["grant"]["scheme_id"])["name_ja"])
    row = rows.set_index("名称").loc[name]
    if grant is None:
        assert row["補助額 (公費計)"].startswith("不明")
    else:
        assert row["補助額 (公費計)"] == f"¥{grant:,.0f}"


@pytest.mark.parametrize("lang, text", [
    ("ja", "計画の制度「新しい地方経済・生活環境創生交付金 第2世代交付金」は「地域未来交付金 "
           "地域未来推進型 \\(R8\\)」に引き継がれています。"),
    ("en", "has been replaced by 'Regional Future grant")])
def test_a_replaced_scheme_names_its_successor(workspace_path, lang, text):
    """The plan's 第2世代交付金 was replaced by 地域未来交付金 (successor_id): the page says
    so in the user's language, names escaped (the same note as 発表モード)."""
    plan = sample_plan()
    plan["grant"] = {"scheme_id": "shinchiho_2nd_gen", "stage": "implementation"}
    at, _ = _page(workspace_path, plan, lang=lang)
    assert any(text in i.value for i in at.info), [i.value for i in at.info]
