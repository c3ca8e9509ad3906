"""補助金・交付金 page: scheme table with filters and the matcher (scenarios A and B)."""
from pathlib import Path

import pytest

from datasets.workspace import Workspace
from tests.pagetest import metric, run_page

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
    assert metric(at, label) == "30"  # rows of datasets/grant_schemes.csv
    at.selectbox(key="gr_stage").select("demonstration").run()
    # 実証 or 実証→実装: MLIT 実装化支援, 内閣府 未来技術, 内閣府 スーパーシティ調査
    assert metric(at, label) == "3"
    at.selectbox(key="gr_level").select("prefecture").run()
    assert metric(at, label) == "0"


def test_scenario_a_kashiwa_38m(workspace_path):
    plan = Workspace(workspace_path).create_plan("柏の葉キャンパス駅周辺 見守り・人流計測", municipality=KASHIWA)
    at = run(plan_id=plan["id"])
    at.number_input(key="gm_cost").set_value(38_000_000).run()
    at.number_input(key="gm_years").set_value(5).run()
    at.number_input(key="gm_cameras").set_value(12).run()
    at.radio(key="gm_platform").set_value("has").run()
    res = result(at, "国費")
    top = res.head(2).set_index("名称")
    # 1/2 × ¥38,000,000 = ¥19,000,000 under both (MLIT cap ¥20M not reached)
    assert set(top.index) == {"新しい地方経済・生活環境創生交付金 デジタル実装型 TYPE A 地域住民等利用推進型 (R7補正)",
                              "国土交通省 スマートシティ実装化支援事業"}
    assert top["国費"].tolist() == ["¥19,000,000", "¥19,000,000"]
    assert top["地方・申請者負担"].tolist() == ["¥19,000,000", "¥19,000,000"]
    assert set(top["年度"]) == {"2025年度", "2022年度"}
    # dated calendar entry of the MLIT joint call
    cal = result(at, "締切")
    assert "2024-05-10" in cal["締切"].tolist()
    # store the choice in the plan
    at.selectbox(key="gm_choose").select("shinchiho_digital_a").run()
    at.button(key="gm_save").click().run()
    saved = Workspace(workspace_path).get_plan(plan["id"])["grant"]
    assert saved == {"scheme_id": "shinchiho_digital_a", "stage": "implementation",
                     "total_cost_jpy": 38_000_000, "renewal": False}
    # a 実証 project is not offered the 実装-only TYPE A
    at.radio(key="gm_stage").set_value("demonstration").run()
    names = result(at, "国費")["名称"].tolist()
    assert not any("TYPE A" in n for n in names)
    assert "国土交通省 スマートシティ実装化支援事業" in names


def test_scenario_b_chofu_split(workspace_path):
    plan = Workspace(workspace_path).create_plan("通学路の見守りカメラ", municipality=CHOFU)
    at = run("en", plan_id=plan["id"])
    at.selectbox(key="gm_applicant").select("neighbourhood_association").run()
    at.multiselect(key="gm_domains").select("watching").run()
    at.number_input(key="gm_cost").set_value(2_400_000).run()
    at.number_input(key="gm_cameras").set_value(3).run()
    res = result(at, "National share")
    first = res.iloc[0]
    assert first["Name"] == "Tokyo watch-activity camera subsidy, as run by Chofu"
    # eligible min(2.4M, 3 × 600k) = 1.8M; Tokyo 1/2 = 900k + Chofu 1/3 = 600k → grant 1.5M;
    # association 1/6 (300k) + 600k above the per-camera cap = 900k
    assert (first["Grant (all public payers)"], first["Local / applicant share"]) == ("¥1,500,000", "¥900,000")
    assert "residents' consent required" in first["Conditions and arithmetic"]
    assert "5 years of operation required" in first["Conditions and arithmetic"]
    assert first["Fiscal year"] == "FY2021"
    # a renewal is stored with the chosen scheme (the workbook uses the renewal split)
    at.checkbox(key="gm_renewal").check().run()
    at.selectbox(key="gm_choose").select_index(0).run()
    at.button(key="gm_save").click().run()
    saved = Workspace(workspace_path).get_plan(plan["id"])["grant"]
    assert saved["renewal"] is True and saved["total_cost_jpy"] == 2_400_000
