"""補助金・交付金 page: scheme table with filters and the matcher (scenarios A and B)."""
from pathlib import Path

import pytest

from assessments.records import records
from datasets.workspace import Workspace
from tests.pagetest import metric, run_page, wkey

PAGE = str(Path(__file__).resolve().parents[1] / "pages" / "grants.py")

KASHIWA = {"code": "122173", "prefecture": "千葉県", "name": "柏市", "lat": 35.868056, "lon": 139.976389}
CHOFU = {"code": "132080", "prefecture": "東京都", "name": "調布市", "lat": 35.650556, "lon": 139.540833}


def run(lang="ja", plan_id=None):
    return run_page(PAGE, lang=lang, plan_id=plan_id)


def result(at, column):
    return next(d.value for d in at.dataframe if column in d.value.columns)


@pytest.mark.parametrize("lang, title, label", [("ja", "補助金・交付金", "該当する制度"),
                                               ("en", "Grants and subsidies", "Matching schemes")])
def test_table_both_languages(lang, title, label):
    at = run(lang)
    assert at.title[0].value == title
    assert metric(at, label) == "35"  # rows of datasets/grant_schemes.csv
    at.selectbox(key=f"gr_stage.{lang}").select("demonstration").run()
    # 実証 or 実証→実装: MLIT 実装化支援 (R4, R8 ×2 types), 内閣府 未来技術, 内閣府 スーパーシティ調査
    assert metric(at, label) == "5"
    at.selectbox(key=f"gr_level.{lang}").select("prefecture").run()
    assert metric(at, label) == "0"


def _plan_with_costs(workspace_path, name, municipality, *, costs=None, cameras=(),
                     grant=None):
    ws = Workspace(workspace_path)
    plan = ws.create_plan(name, municipality=municipality)
    plan = ws.add_plan({**plan, "costs": costs or {}, "cameras": list(cameras),
                        "grant": grant or {}}, new_id=True)
    ws.close()
    return plan


def test_scenario_a_kashiwa_38m(workspace_path):
    # 柏市: 12 AI cameras (typed, not yet placed) 2,000,000 each + data linkage 14,000,000 =
    # initial 38,000,000; running 1,000,000/年 × 5 — entered once, on 事業計画・事業費
    plan = _plan_with_costs(workspace_path, "柏の葉キャンパス駅周辺 見守り・人流計測", KASHIWA, costs={
        "years": 5,
        "items": [{"category": "camera", "name": "AIカメラ", "unit_price_jpy": 2_000_000,
                   "quantity": 12},
                  {"category": "network", "name": "データ連携", "unit_price_jpy": 14_000_000,
                   "quantity": 1}],
        "running": [{"category": "maintenance", "annual_jpy": 1_000_000}]})
    at = run(plan_id=plan["id"])
    assert not at.number_input  # no second cost, camera or site input on this page
    assert metric(at, "総事業費（初期費用）") == "¥38,000,000"
    at.radio(key=wkey(at, "gm_platform")).set_value("has").run()
    res = result(at, "うち国費")
    top = res.head(3).set_index("名称")
    # 1/2 × ¥38,000,000 (the initial cost; no scheme covers running) = ¥19,000,000 under all
    # three (総務省 DX R8 no cap; MLIT R8 cap ¥35M and TYPE A cap ¥1億 not reached)
    assert top.index.tolist() == [
        "総務省 地域社会DX推進パッケージ事業 (補助事業、R8)",
        "国土交通省 スマートシティ実装化支援事業 都市サービス実装タイプ (R8)",
        "新しい地方経済・生活環境創生交付金 デジタル実装型 TYPE A 地域住民等利用推進型 (R7補正)"]
    assert top["うち国費"].tolist() == ["¥19,000,000"] * 3
    assert top["地方・申請者負担（対象の費用のうち）"].tolist() == ["¥19,000,000"] * 3
    assert top["補助の対象とする費用"].tolist() == ["¥38,000,000"] * 3
    assert top["年度"].tolist() == ["2026年度", "2026年度", "2025年度"]
    # calendar of FY2026 and FY2027 from the data: the 総務省 R8 call, and 未発表 for FY2027
    cal = result(at, "締切")
    dx = cal[cal["名称"] == "総務省 地域社会DX推進パッケージ事業 (補助事業、R8)"]
    assert dx["年度"].tolist() == ["2026年度", "2027年度"]
    assert dx["締切"].tolist() == ["2026-02-27", ""]
    assert dx["状況"].tolist()[1] == "未発表"
    assert dx["前回の募集"].tolist()[1] == "2026年度: 2026-01-30〜2026-02-27"
    # store the choice in the plan: no stored copy of the total
    at.selectbox(key=wkey(at, "gm_choose")).select("shinchiho_digital_a").run()
    at.button(key=wkey(at, "gm_save")).click().run()
    saved = Workspace(workspace_path).get_plan(plan["id"])["grant"]
    assert saved == {"scheme_id": "shinchiho_digital_a", "stage": "implementation",
                     "renewal": False}
    # a 実証 project is not offered the 実装-only TYPE A
    at.radio(key=wkey(at, "gm_stage")).set_value("demonstration").run()
    names = result(at, "うち国費")["名称"].tolist()
    assert not any("TYPE A" in n for n in names)
    assert "国土交通省 スマートシティ実装化支援事業 都市サービス実装タイプ (R8)" in names


def test_unverified_reason_and_successor_shown(workspace_path):
    # a plan saved under the R4 MLIT row is told what replaced it
    plan = _plan_with_costs(workspace_path, "旧制度の計画", KASHIWA,
                            grant={"scheme_id": "mlit_smartcity", "stage": "implementation"})
    at = run(plan_id=plan["id"])
    assert not at.exception
    assert any("「国土交通省 スマートシティ実装化支援事業 都市サービス実装タイプ (R8)」に引き継がれています"
               in i.value for i in at.info)
    table = next(d.value for d in at.dataframe if "未確認の理由" in d.value.columns).set_index("名称")
    row = table.loc["新しい地方経済・生活環境創生交付金 デジタル実装型 TYPE A 地域住民等利用推進型 (R7補正)"]
    assert "民間の解説サイト" in row["未確認の理由"]
    assert row["後継制度"] == ""
    assert table.loc["国土交通省 スマートシティ実装化支援事業", "後継制度"] == \
        "国土交通省 スマートシティ実装化支援事業 都市サービス実装タイプ (R8)"
    assert table.loc["総務省 地域社会DX推進パッケージ事業 (補助事業、R8)", "未確認の理由"] == ""


def test_one_grant_amount_for_one_plan(workspace_path):
    """The 補助金 page once used a stored total with 5 years of running cost (国 6,249,000)
    while the Excel used the initial cost (4,299,000): now both read the plan's costs."""
    from assessments.programme.grants import plan_grant
    from reports.excel import cost_totals
    plan = _plan_with_costs(
        workspace_path, "一つの計画", KASHIWA,
        cameras=[{"id": "C1", "lat": 35.868, "lon": 139.976, "unit_price_jpy": 8_598_000}],
        costs={"years": 5, "running": [{"category": "maintenance", "annual_jpy": 780_000}]},
        grant={"scheme_id": "shinchiho_digital_a", "stage": "implementation",
               "total_cost_jpy": 12_498_000})  # what the old pages stored
    at = run(plan_id=plan["id"])
    at.radio(key=wkey(at, "gm_platform")).set_value("has").run()
    row = result(at, "うち国費").set_index("名称").loc[
        "新しい地方経済・生活環境創生交付金 デジタル実装型 TYPE A 地域住民等利用推進型 (R7補正)"]
    # 1/2 × 8,598,000 = 4,299,000, not 1/2 × (8,598,000 + 5 × 780,000) = 6,249,000
    assert row["うち国費"] == "¥4,299,000"
    schemes = records(ref_schemes())
    assert plan_grant(plan, schemes=schemes).amounts.grant_jpy == 4_299_000
    scheme = next(s for s in schemes if s["id"] == "shinchiho_digital_a")
    assert cost_totals(plan, scheme=scheme)["national"] == 4_299_000


def ref_schemes():
    from datasets import queries, refdb
    con = refdb.connect()
    try:
        return queries.list_grant_schemes(con.cursor(), level="", stage="")
    finally:
        con.close()


def test_scenario_b_chofu_split(workspace_path):
    from test_excel import chofu_plan
    b = chofu_plan()  # 3 cameras × 800,000 on the 事業計画 / simulation side
    plan = _plan_with_costs(workspace_path, "通学路の見守りカメラ", CHOFU, cameras=b["cameras"])
    at = run("en", plan_id=plan["id"])
    at.selectbox(key=wkey(at, "gm_applicant")).select("neighbourhood_association").run()
    at.multiselect(key=wkey(at, "gm_domains")).select("watching").run()
    res = result(at, "of which national")
    first = res.iloc[0]
    assert first["Name"] == "Tokyo watch-activity camera subsidy, as run by Chofu"
    # eligible min(2.4M, 3 × 600k) = 1.8M; Tokyo 1/2 = 900k + Chofu 1/3 = 600k → grant 1.5M;
    # association 1/6 (300k) + 600k above the per-camera cap = 900k
    assert (first["Grant (all public payers)"],
            first["Local / applicant share (of the covered cost)"]) == ("¥1,500,000", "¥900,000")
    assert "residents' consent required" in first["Conditions and arithmetic"]
    assert "5 years of operation required" in first["Conditions and arithmetic"]
    assert first["Fiscal year"] == "FY2021"
    # a renewal is stored with the chosen scheme (the workbook uses the renewal split)
    at.checkbox(key=wkey(at, "gm_renewal")).check().run()
    at.selectbox(key=wkey(at, "gm_choose")).select_index(0).run()
    at.button(key=wkey(at, "gm_save")).click().run()
    saved = Workspace(workspace_path).get_plan(plan["id"])["grant"]
    assert saved["renewal"] is True and "total_cost_jpy" not in saved
