"""発表モード under AppTest: every step in Japanese and English on the sample plan and on an
empty plan; the figures are those the plan's own pages show (ホーム, 事業計画・事業費,
準備度, プライバシー, シミュレーション), and a step without data says so in a sentence."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from pagetest import metric, run_page
from datasets.workspace import Workspace
from ui.strings.present import STRINGS

ROOT = Path(__file__).resolve().parents[1]
STEPS = ["issues", "peers", "map", "before_after", "day_night", "privacy", "costs"]
LANG = {"ja": 0, "en": 1}


def s(key: str, lang: str = "ja", **fmt) -> str:
    text = STRINGS[key][LANG[lang]]
    return text.format(**fmt) if fmt else text


def sample_plan() -> dict:
    """The sample district (11 cameras, 20 lights, 新座市) with costs, a grant scheme with
    payer shares, readiness and privacy answers."""
    plan = json.loads((ROOT / "datasets/sample_district/plan.json").read_text("utf-8"))
    plan["cameras"] = [dict(c, unit_price_jpy=300_000) for c in plan["cameras"]]
    plan["cameras"][0]["existing"] = True
    plan["costs"] = {"years": 5, "items": [],
                     "running": [{"category": "maintenance", "name": "保守",
                                  "annual_jpy": 100_000}]}
    plan["grant"] = {"scheme_id": "tokyo_mimamori", "stage": "implementation"}
    plan["project"] = dict(plan.get("project") or {}, issues="通学路が暗い",
                           target_state="子どもが安心して歩ける")
    plan["readiness"] = {"answers": {"vision_1": {"level": 2, "evidence": ""},
                                     "vision_2": {"level": 4, "evidence": ""}}}
    plan["privacy"] = {"answers": {"P01": {"status": "done"}},
                       "settings": {"retention_days": 14, "manager": "安全安心課長"}}
    return plan


def store(workspace_path, plan: dict | None) -> str:
    ws = Workspace(workspace_path)
    stored = ws.add_plan(plan) if plan else ws.create_plan("空の計画")
    ws.close()
    return stored["id"]


def figures(at) -> dict[str, str]:
    """``label → value`` of the page's figures (a ``#### label`` followed by ``## value``)."""
    md = [m.value for m in at.markdown]
    return {a[5:]: b[3:] for a, b in zip(md, md[1:])
            if a.startswith("#### ") and b.startswith("## ")}


def sentences(at) -> list[str]:
    return [m.value.removeprefix("#### ") for m in at.markdown]


def walk(plan_id: str, lang: str):
    """The page on each step in turn (moved on with the 次へ button): ``[(step, at)]``."""
    at = run_page("present", lang=lang, plan_id=plan_id, timeout=120)
    out = []
    for n, step in enumerate(STEPS):
        assert not at.exception, (step, at.exception)
        assert at.title[0].value == s(f"present.step.{step}", lang)
        out.append((step, {"figures": figures(at), "sentences": sentences(at),
                           "subheaders": [h.value for h in at.subheader]}))
        if n < len(STEPS) - 1:
            at.button(key="present-next").click().run()
    assert at.button(key="present-next").disabled         # the last step
    return out


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_every_step_of_the_sample_plan(workspace_path, lang):
    shown = dict(walk(store(workspace_path, sample_plan()), lang))
    # readiness: vision_1 = 2, vision_2 = 4 → 基本ビジョン (2 + 4) / 2 = 3.0, the only
    # condition answered, so the overall score is 3.0 too
    assert shown["issues"]["figures"][s("present.issues.readiness", lang)] == "3.0"
    assert s("present.issues.gap_line", lang, name=("基本ビジョン" if lang == "ja" else
                                                   "Basic vision"), score=3.0) \
        in "".join(shown["issues"]["sentences"])
    assert "通学路が暗い" in shown["issues"]["sentences"]
    # 11 cameras without a 設置場所ID, C1 already installed → 10 to install at 10 sites
    assert shown["peers"]["figures"][s("present.peers.plan_cameras", lang)] == \
        s("present.peers.cameras_value", lang, n=10)
    assert shown["peers"]["figures"][s("present.peers.plan_sites", lang)] == \
        s("present.peers.sites_value", lang, n=10)
    assert shown["map"]["figures"][s("present.map.cameras", lang)] == \
        s("present.map.count", lang, n=11)
    assert shown["map"]["figures"][s("present.map.lights", lang)] == \
        s("present.map.count", lang, n=20)
    # before: C1 only (marked existing); after: all 11
    assert s("present.before.existing", lang, n=1) in shown["before_after"]["sentences"]
    assert s("present.after.all", lang, n=11) in shown["before_after"]["sentences"]
    # 10 new cameras × 300,000 円 = 3,000,000 円 initial (C1 is installed already: not
    # bought); 100,000 円 × 5 years = 500,000 円 running
    yen = "3,000,000 円" if lang == "ja" else "¥3,000,000"
    assert yen in shown["costs"]["figures"].values()
    assert ("500,000 円" if lang == "ja" else "¥500,000") in shown["costs"]["figures"].values()


def test_figures_are_those_of_the_other_pages(workspace_path):
    plan_id = store(workspace_path, sample_plan())
    shown = dict(walk(plan_id, "ja"))
    # money: ホーム and 事業計画・事業費 (plan_grant), payer shares of 東京都 見守り
    home = run_page("home", plan_id=plan_id)
    costs = shown["costs"]["figures"]
    for label in ("総事業費（初期費用）", "事業費合計（運用費5年分を含む）"):
        assert costs[label] == metric(home, label)
    pp = run_page("project_plan", plan_id=plan_id)
    payers = {m.label: m.value for m in pp.metric if "負担（" in m.label}
    assert len(payers) == 3                                # 都, 区市町村, 団体
    for label, value in payers.items():
        assert costs[label] == value
    # readiness: the 準備度 page's overall score 「3.0 / 4」
    rdp = run_page("readiness", plan_id=plan_id)
    assert metric(rdp, "総合スコア") == shown["issues"]["figures"]["準備度（0〜4）"] + " / 4"
    # privacy: the プライバシー page's share done and answered count
    pvp = run_page("privacy", plan_id=plan_id)
    privacy = shown["privacy"]["figures"]
    assert privacy["対策の実施率"] == metric(pvp, "対応済みの割合")
    assert privacy["確認済みの項目"] == metric(pvp, "回答済み")
    assert privacy["確認済みの項目"].startswith("1 / ")         # P01 answered
    # simulation: the シミュレーション page's coverage
    sim = run_page("simulate", plan_id=plan_id, timeout=180)
    assert shown["map"]["figures"]["カメラに映る範囲"] == metric(sim, "カメラに映る範囲")


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_an_empty_plan_says_what_is_missing(workspace_path, lang):
    shown = dict(walk(store(workspace_path, None), lang))
    assert shown["issues"]["subheaders"] == [s("present.issues.no_municipality", lang)]
    assert s("present.issues.no_issues", lang) in shown["issues"]["sentences"]
    assert s("present.issues.no_readiness", lang) in shown["issues"]["sentences"]
    # peers come from the reference data; the plan has no position → table order
    assert s("present.peers.cameras_value", lang, n=0) in shown["peers"]["figures"].values()
    for step in ("map", "before_after", "day_night"):
        assert shown[step]["sentences"] == [s("present.map.no_area", lang)], step
    assert s("present.privacy.no_use_cases", lang) in shown["privacy"]["sentences"]
    assert s("present.costs.none", lang) in shown["costs"]["sentences"]
    assert s("present.costs.no_scheme", lang) in shown["costs"]["sentences"]


def test_language_switch_keeps_the_step(workspace_path):
    at = run_page("present", plan_id=store(workspace_path, sample_plan()), timeout=120)
    at.button(key="present-next").click().run()
    at.button(key="present-next").click().run()
    assert at.title[0].value == "カメラ配置計画"
    at.button_group(key="_present_lang").set_value("en").run()
    assert not at.exception
    assert at.session_state["lang"] == "en"
    assert at.title[0].value == "The plan on the map"
    # back with the button, and the step list jumps
    at.button(key="present-prev").click().run()
    assert at.title[0].value == "Comparison with peers"
    at.selectbox(key="present.pick.en").set_value(6).run()
    assert at.title[0].value == "Costs and shares"


def test_a_replaced_scheme_names_its_successor(workspace_path):
    """A plan made under the 第2世代交付金 (replaced in the data by 地域未来交付金, the FY2026
    name): the cost step says so, as 事業計画・事業費 does."""
    plan = sample_plan()
    plan["grant"] = {"scheme_id": "shinchiho_2nd_gen", "stage": "implementation"}
    shown = dict(walk(store(workspace_path, plan), "ja"))
    said = "".join(shown["costs"]["sentences"])
    assert "に引き継がれています" in said and "地域未来交付金" in said, said
