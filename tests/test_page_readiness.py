"""準備度 page under AppTest: both languages, autosave, results and reference profiles."""
from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.pagetest import run_page, wkey

from datasets.workspace import Workspace

PAGE = str(Path(__file__).resolve().parents[1] / "pages" / "readiness.py")


def _run(lang: str = "ja") -> AppTest:
    return run_page(PAGE, lang=lang)


def _level_radio(at: AppTest, qid: str):
    return at.radio(key=wkey(at, "rd_lv_" + qid))


@pytest.mark.parametrize("lang, title, first, scale, metric", [
    ("ja", "準備度の自己評価", "基本ビジョン — 未回答（回答 0/4）", "0: ない", "総合スコア"),
    ("en", "Readiness self-assessment", "Basic vision — not answered (answered 0/4)", "0: None",
     "Overall score")])
def test_page_in_both_languages(lang, title, first, scale, metric):
    at = _run(lang)
    assert at.title[0].value == title
    assert at.main.expander[0].label == first
    assert len(at.main.expander) == 9  # the nine conditions
    assert _level_radio(at, "vision_1").options[0] == scale
    labels = [m.label for m in at.metric]
    assert metric in labels
    assert at.metric[labels.index(metric)].value in ("未回答", "not answered")
    # reference profiles with the seed quotes
    frames = [df.value for df in at.dataframe]
    quotes = " ".join(str(v) for f in frames for v in f.values.ravel())
    assert "科学で新たな選択肢を、人々に多様な幸せを" in quotes


def test_answers_autosave_and_weakest_condition_gets_actions(workspace_path):
    at = _run("ja")
    # scenario A step 4: 組織的推進体制 at 1, 投資回収 at 0, the rest of 3 answered at 3
    _level_radio(at, "vision_1").set_value(3).run()
    _level_radio(at, "organisation_1").set_value(1).run()
    _level_radio(at, "investment_recovery_2").set_value(0).run()
    assert not at.exception
    plan = Workspace(workspace_path).list_plans()[0]
    saved = Workspace(workspace_path).get_plan(plan["id"])["readiness"]["answers"]
    assert saved["investment_recovery_2"]["level"] == 0
    assert saved["organisation_1"]["level"] == 1
    # overall = (3 + 1 + 0) / 3 = 1.33
    labels = [m.label for m in at.metric]
    assert at.metric[labels.index("総合スコア")].value == "1.3 / 4"
    assert at.metric[labels.index("最も弱い条件")].value == "投資回収"
    headers = [m.value for m in at.markdown if m.value.startswith("#### ")]
    assert headers[0].startswith("#### 1. 投資回収の継続的計画（0.0 / 4）")
    assert headers[1].startswith("#### 2. 組織的推進体制（1.0 / 4）")
    text = " ".join(m.value for m in at.markdown)
    assert "運用費の負担者と期間を決める" in text and "エリアマネジメント" in text
    # evidence text is saved with the level
    ev = at.text_input(key=wkey(at, "rd_ev_vision_1"))
    ev.input("第6次総合計画 p.12").run()
    saved = Workspace(workspace_path).get_plan(plan["id"])["readiness"]["answers"]
    assert saved["vision_1"] == {"level": 3, "evidence": "第6次総合計画 p.12"}
    # a fresh session shows the stored answer
    again = _run("en")
    assert _level_radio(again, "vision_1").value == 3
