"""Scenario A's spine in a real headless Chromium (Debian's, never a downloaded browser):
create the plan for 柏市, pick the two use cases on 映像DX活用事例, answer readiness
questions, see the privacy gaps, load the sample district, download the Excel from 出力 and
open it with openpyxl. One browser session: every page is reached through the sidebar
navigation, so the plan chosen in step 1 is the one the later pages use.
Screenshots go to tests/artifacts/ (git-ignored)."""
from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from datasets.workspace import Workspace
from tests.browser import (browser_page, pick, require_chromium, screenshot, streamlit_server,
                           wait_idle)

pytestmark = pytest.mark.browser
PLAN = "柏の葉キャンパス駅周辺 見守り・人流計測"


def _nav(page, title: str) -> None:
    page.get_by_test_id("stSidebar").get_by_role("link", name=title, exact=True).click()
    wait_idle(page, 60_000)


def test_scenario_a_spine_in_the_browser(tmp_path):
    require_chromium()
    workspace = tmp_path / "ws.duckdb"
    with streamlit_server(workspace) as (url, _), browser_page((1500, 1800)) as page:
        # ---- 1. create the plan for 柏市 in the sidebar ------------------------------
        page.goto(url)
        page.get_by_role("heading", name="見守りプランナー").wait_for()
        wait_idle(page)
        sidebar = page.get_by_test_id("stSidebar")
        sidebar.get_by_text("計画の管理").click()
        sidebar.get_by_label("計画名").first.fill(PLAN)
        sidebar.get_by_label("計画名").first.press("Enter")
        wait_idle(page)
        pick(page, sidebar, "都道府県", "千葉県", then="市区町村")
        pick(page, sidebar, "市区町村", "柏市")
        sidebar.get_by_role("button", name="作成する").click()
        sidebar.get_by_text(f"計画「{PLAN}」を作成しました。").wait_for()
        wait_idle(page)
        page.get_by_text(f"計画の進み具合 — {PLAN}").wait_for()
        screenshot(page, "scenario_a_1_plan")

        # ---- 3. 映像DX活用事例: 異常行動検知 and 人流計測・人数 ----------------------------
        _nav(page, "映像DX活用事例")
        page.get_by_role("heading", name="映像DX活用事例").wait_for()
        for key in ("uc_pick_abnormal_behavior", "uc_pick_people_count"):
            # widget keys carry the plan and language (ui.state.widget_key): match the name
            page.locator(f"[class*='st-key-{key}-'] label").click()
            wait_idle(page)
        page.get_by_text("計画の用途: ").wait_for()
        screenshot(page, "scenario_a_3_use_cases")

        # ---- 4. 準備度: two answers on 基本ビジョン --------------------------------------
        _nav(page, "準備度")
        page.get_by_role("heading", name="準備度の自己評価").wait_for()
        page.get_by_text("基本ビジョン — 未回答（回答 0/4）").click()
        # the expander stays open while answering (its label changes with the score)
        for qid in ("vision_1", "vision_2"):
            radio = page.locator(f"[class*='_lv_{qid}']").first
            radio.get_by_test_id("stRadioOption").nth(3).click()  # "3: …"
            wait_idle(page)
        page.get_by_text("回答 2/4").first.wait_for()
        screenshot(page, "scenario_a_4_readiness")

        # ---- 5. プライバシー: the gaps of these two use cases ------------------------------
        _nav(page, "プライバシー・運用ルール")
        page.get_by_role("heading", name="プライバシー・運用ルール").wait_for()
        page.get_by_role("tab", name="不足事項").click()
        gaps = page.get_by_role("tabpanel", name="不足事項")
        gaps.get_by_text("P12 外部提供は法令・警察の書面請求").first.wait_for()
        gaps.get_by_text("P10 保存期間を決め").first.wait_for()
        screenshot(page, "scenario_a_5_privacy")

        # ---- 6. シミュレーション: the sample district --------------------------------------
        _nav(page, "カメラ・照明シミュレーション")
        page.get_by_role("heading", name="カメラ・照明シミュレーション").wait_for()
        page.get_by_role("button", name="サンプル地区（新座市・PLATEAU）を読み込む").click()
        page.get_by_text("サンプル地区を読み込みました。").wait_for(timeout=60_000)
        wait_idle(page, 60_000)
        page.get_by_text("要件：").first.wait_for()
        screenshot(page, "scenario_a_6_simulation")

        # ---- 8. 出力: the Excel -------------------------------------------------------
        _nav(page, "書類の出力")
        page.get_by_role("heading", name="書類の出力（Excel・PDF）").wait_for()
        with page.expect_download(timeout=60_000) as dl:
            page.get_by_role("button", name="Excel 計画書をダウンロード").click()
        data = open(dl.value.path(), "rb").read()
        screenshot(page, "scenario_a_8_export")

    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames[0] == "概要"
    summary = {r[0].value: r[1].value for r in wb["概要"].iter_rows()}
    assert summary["計画名"] == PLAN
    ids = [c.value for c in wb["カメラ配置"]["A"] if c.value and str(c.value).startswith("C")]
    assert len(ids) == 11  # the sample district's 11 cameras (datasets/sample_district)
    # the browser's clicks were saved to the plan the pages share
    ws = Workspace(workspace)
    plan = next(ws.get_plan(p["id"]) for p in ws.list_plans() if p["name"] == PLAN)
    ws.close()
    assert plan["municipality"]["name"] == "柏市"
    assert sorted(plan["use_cases"]) == ["abnormal_behavior", "people_count"]
    assert {k: v["level"] for k, v in plan["readiness"]["answers"].items()} == {
        "vision_1": 3, "vision_2": 3}
    assert len(plan["cameras"]) == 11 and len(plan["lights"]) == 20
