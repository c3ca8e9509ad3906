"""Two browser tabs (two Chromium contexts, two Streamlit sessions) on one plan of one server:
what one saves is never lost through the other's stale page or its undo.

Tab A places a camera on シミュレーション and opens 事業計画; tab B then edits a KPI cell on
事業計画 and places a light on シミュレーション; tab A, whose page was drawn before B's
edits, types 事業名 and edits a schedule row, goes back to シミュレーション and undoes its
camera. B's KPI and light stay in the stored plan, A's title and schedule too, A's camera is
gone (an undo reverts its own change only: ``ui.sim_edits.Edits.undo``). The AppTest
version of each case is ``tests/test_two_tabs.py``.

To see it fail on the previous code, serve another checkout:
``MIMAMORI_TEST_APP_ROOT=/path/to/old/checkout pytest tests/test_browser_two_tabs.py``.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from datasets.workspace import Workspace
from tests.browser import (CHROMIUM, CHROMIUM_ARGS, ROOT, hover_map_point, require_chromium,
                           screenshot, streamlit_server, wait_idle)
from tests.two_plans import plan_a

pytestmark = pytest.mark.browser

APP_ROOT = Path(os.environ.get("MIMAMORI_TEST_APP_ROOT") or ROOT)
SIMULATE, PROJECT = "カメラ・照明シミュレーション", "事業計画・事業費"


def _go(page, title: str) -> None:
    """Open a page through the sidebar's link (the same session: its undo steps stay)."""
    wait_idle(page, 60_000)
    page.get_by_test_id("stSidebar").get_by_role("link", name=title).click()
    page.get_by_role("heading", name=title).wait_for()
    wait_idle(page, 60_000)


def _saves(page) -> str:
    """The sidebar's "saved" line (its revision changes with every save)."""
    hit = page.get_by_test_id("stSidebar").get_by_text("保存しました")
    return hit.first.inner_text() if hit.count() else ""


def _wait_saved(page, before: str) -> None:
    for _ in range(120):
        wait_idle(page, 60_000)
        if _saves(page) not in ("", before):
            return
        page.wait_for_timeout(250)
    screenshot(page, "two_tabs_not_saved")
    raise AssertionError(f"no save after {before!r}")


def _place(page, what: str, shown: str) -> None:
    """On シミュレーション: choose what a map click places, click the area's middle."""
    page.locator(".js-plotly-plot").first.wait_for(timeout=60_000)  # the map is drawn
    wait_idle(page, 60_000)
    try:
        page.get_by_test_id("stMainBlockContainer").get_by_text(what, exact=True).click()
    except Exception:
        screenshot(page, "two_tabs_place")
        raise
    wait_idle(page, 60_000)
    drag, pos = hover_map_point(page, 0.0, 0.0)
    drag.click(position=pos)
    page.get_by_text(shown).first.wait_for(timeout=60_000)
    wait_idle(page, 60_000)


def _edit_cell(page, row_text: str, right: int, value: str) -> None:
    """In the table showing ``row_text``: row 0, ``right`` columns right of the first one,
    typed ``value`` and Enter; returns when the save has happened."""
    before = _saves(page)
    grid = page.locator("[data-testid='stDataFrame']").filter(has_text=row_text).first
    grid.scroll_into_view_if_needed()
    # the grid's canvas (the element's box also holds the toolbar shown on hover)
    box = grid.locator("canvas").first.bounding_box()
    page.mouse.click(box["x"] + 60, box["y"] + 35 + 17)        # header 35 px, row 0
    page.wait_for_timeout(300)
    for _ in range(right):
        page.keyboard.press("ArrowRight")
    page.keyboard.press("Enter")
    page.wait_for_timeout(300)
    page.keyboard.press("Control+a")
    page.keyboard.type(value, delay=20)
    page.keyboard.press("Enter")
    _wait_saved(page, before)


def test_two_tabs_keep_each_others_changes(tmp_path):
    require_chromium()
    from playwright.sync_api import sync_playwright
    workspace = tmp_path / "ws.duckdb"
    ws = Workspace(workspace)
    pid = ws.add_plan(plan_a())["id"]
    ws.close()
    with streamlit_server(workspace, root=APP_ROOT, timeout_s=90) as (url, _), \
            sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                                     args=CHROMIUM_ARGS)
        try:
            tabs = []
            for _ in range(2):  # two contexts: two sessions, as two tabs or two PCs
                page = browser.new_context(viewport={"width": 1400, "height": 1000},
                                           locale="ja-JP").new_page()
                page.set_default_timeout(30_000)
                page.goto(url + "/simulate")
                page.get_by_role("heading", name=SIMULATE).wait_for()
                wait_idle(page, 60_000)
                tabs.append(page)
            a, b = tabs
            # A: places camera C3 (its undo step), then opens 事業計画 (drawn now)
            _place(a, "カメラを置く", "カメラ C3 を東")
            _go(a, PROJECT)
            # B: a KPI cell (baseline 120 → 150) on 事業計画, light L2 on シミュレーション
            _go(b, PROJECT)
            _edit_cell(b, "A 刑法犯認知件数", 2, "150")
            _go(b, SIMULATE)
            _place(b, "防犯灯を置く", "防犯灯 L2 を置きました")
            # A: 事業名, then the schedule row's end month, then undo on シミュレーション
            before = _saves(a)
            title = a.get_by_label("事業名")
            title.fill("A 二つのタブ")
            title.press("Tab")
            _wait_saved(a, before)
            _edit_cell(a, "A 設計", 2, "2026-12")
            _go(a, SIMULATE)
            a.get_by_role("button", name="元に戻す").click()
            a.get_by_text("元に戻しました").first.wait_for(timeout=60_000)
            wait_idle(a, 60_000)
            screenshot(a, "two_tabs_after_undo")
            assert not a.get_by_test_id("stException").count()
            assert not b.get_by_test_id("stException").count()
        finally:
            browser.close()
    ws = Workspace(workspace)
    try:
        stored = ws.get_plan(pid)
    finally:
        ws.close()
    assert [k["baseline"] for k in stored["kpis"]] == [150]                 # B's KPI
    assert [x["id"] for x in stored["lights"]] == ["L1", "L2"]              # B's light
    assert [c["id"] for c in stored["cameras"]] == ["C1", "C2"]             # A's undo
    assert stored["project"]["title"] == "A 二つのタブ"                        # A's title
    assert [s["end"] for s in stored["schedule"]] == ["2026-12"]            # A's row
